"""Log retention names shared by constructs that create log groups."""

from aws_cdk import aws_logs as logs

_NAMES = {7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH", 60: "TWO_MONTHS", 90: "THREE_MONTHS",
          180: "SIX_MONTHS", 365: "ONE_YEAR"}


def retention(days: int) -> logs.RetentionDays:
    """The RetentionDays member for a retention allowed by platform.yaml."""
    return getattr(logs.RetentionDays, _NAMES[days])
