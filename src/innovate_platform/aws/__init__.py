"""The AWS layer: CDK stages, stacks and one construct per concern."""

import os

# jsii prints a banner at every start while the machine's Node 20 is past its end of life;
# it must be silenced before the first `import aws_cdk` starts the jsii runtime.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
