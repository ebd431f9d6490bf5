"""What the platform observes and when it pages: the metric catalog (what AWS publishes) and the
alarm specifications derived from platform.yaml. The CDK (aws/constructs/observability) and the
`observability` check both read these, so an alarm can only name a metric the catalog knows."""
