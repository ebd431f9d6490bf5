"""Delivery alerts: Flux's notification-controller posts every failed reconciliation (a Kustomization
or HelmRelease that is not Ready when its timeout expires, a source that cannot be fetched) to the
chat channel of platform.yaml `alerts.chat`. The webhook URL stays out of git: the Provider reads it
from a Kubernetes Secret (docs/runbooks/alerts.md#flux-delivery)."""

from __future__ import annotations

from ..config import Environment, Platform
from .bootstrap import FLUX_NAMESPACE
from .objects import Obj, meta

# The served, storage version of Alert and Provider in the pinned flux2 chart (2.17.0 and 2.18.3
# both ship v1beta3; tests validate against the CRDs the pinned chart renders).
NOTIFICATION_API = "notification.toolkit.fluxcd.io/v1beta3"
PROVIDER_NAME = "platform-alerts"
ALERT_NAME = "delivery-failures"
SOURCE_KINDS = ("GitRepository", "HelmRepository", "OCIRepository")


def release_namespaces(objects: list[Obj]) -> tuple[str, ...]:
    """Namespaces holding HelmReleases (and their HelmRepositories) in the rendered controllers and apps."""
    found = {o["metadata"].get("namespace", FLUX_NAMESPACE) for o in objects
             if isinstance(o, dict) and o.get("kind") == "HelmRelease"}
    return tuple(sorted(found))


def render_notifications(platform: Platform, env: Environment, released: list[Obj]) -> list[Obj]:
    """A Provider and an Alert in flux-system, or nothing when no chat channel is configured."""
    alerts = platform.alerts
    if alerts is None or alerts.chat is None:
        return []
    chat = alerts.chat
    provider_spec: Obj = {"type": chat.provider, "secretRef": {"name": chat.webhook_secret}}
    if chat.channel:
        provider_spec["channel"] = chat.channel
    sources: list[Obj] = [{"kind": "Kustomization", "name": "*"}]
    sources += [{"kind": kind, "name": "*"} for kind in SOURCE_KINDS]
    sources += [{"kind": kind, "name": "*", "namespace": ns}
                for ns in release_namespaces(released) for kind in ("HelmRelease", "HelmRepository")]
    return [
        {"apiVersion": NOTIFICATION_API, "kind": "Provider", "metadata": meta(PROVIDER_NAME, FLUX_NAMESPACE),
         "spec": provider_spec},
        {"apiVersion": NOTIFICATION_API, "kind": "Alert", "metadata": meta(ALERT_NAME, FLUX_NAMESPACE),
         "spec": {"providerRef": {"name": PROVIDER_NAME}, "eventSeverity": "error", "eventSources": sources,
                  "eventMetadata": {"cluster": env.cluster_name, "environment": env.name,
                                    "runbook": f"{alerts.runbook_url}#flux-delivery"}}},
    ]
