"""The AWS layer: CDK stages, stacks and one construct per concern."""
