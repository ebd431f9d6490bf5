"""The `alerts` section of platform.yaml: who is paged, through which channel, and the SLO targets
and thresholds every environment's alarms are built from (aws/constructs/observability)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from .model_base import Model

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Chat(Model):
    """The chat channel. Flux's notification-controller posts delivery failures there through a
    Provider whose webhook URL lives in a Kubernetes Secret (docs/runbooks/alerts.md says how to
    create it); the URL never enters git. `sns_https_endpoint` optionally subscribes an HTTPS
    endpoint that understands SNS messages (for example a chat relay) to the alarm topic too."""

    provider: Literal["slack", "msteams", "discord", "googlechat", "generic"]
    channel: str | None = None
    webhook_secret: str = Field(default="innovate-alerts-webhook", pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    sns_https_endpoint: str | None = Field(default=None, pattern=r"^https://\S+$")


class Slo(Model):
    """Per internet-facing app: availability (non-5xx share of requests) and p99 latency targets,
    judged over `window_days` by multi-window burn-rate alarms."""

    availability_percent: float = Field(default=99.9, gt=90, lt=100)
    latency_p99_ms: int = Field(default=1000, ge=50, le=30000)
    window_days: int = Field(default=30, ge=7, le=90)


class Thresholds(Model):
    """Where the platform's own alarms fire. Each is explained in docs/runbooks/alerts.md."""

    pods_pending_minutes: int = Field(default=10, ge=1, le=60)
    node_not_ready_minutes: int = Field(default=5, ge=1, le=60)
    container_restarts: int = Field(default=5, ge=1)  # restarts within restarts_window_minutes
    restarts_window_minutes: int = Field(default=15, ge=5, le=60)
    interruption_queue_depth: int = Field(default=10, ge=1)
    interruption_message_age_seconds: int = Field(default=300, ge=60)
    db_cpu_percent: int = Field(default=80, ge=10, le=100)
    db_free_storage_percent: int = Field(default=15, ge=1, le=90)
    db_free_memory_mib: int = Field(default=128, ge=16)
    db_connections_percent: int = Field(default=80, ge=10, le=100)


class Alerts(Model):
    """Alert routing and targets, one SNS topic per environment account."""

    emails: tuple[str, ...] = Field(min_length=1)
    chat: Chat | None = None
    slo: Slo = Slo()
    thresholds: Thresholds = Thresholds()
    # AWS Budgets alerts at the `innovate cost` estimate of each account plus this margin.
    budget_margin_percent: int = Field(default=20, ge=0, le=200)
    # Where the runbook lives; alarm descriptions link to <runbook_url>#<alarm anchor>.
    runbook_url: str = Field(pattern=r"^https://\S+$")

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            if not EMAIL.match(address):
                raise ValueError(f"'{address}' is not an e-mail address; write name@domain")
        return value
