"""Delivery alerts: Flux's notification-controller posts every failed reconciliation (a Kustomization
or HelmRelease that is not Ready when its timeout expires, a source that cannot be fetched) to the
chat channel of platform.yaml `alerts.chat`. The webhook URL stays out of git: the Provider reads it
from a Kubernetes Secret (docs/runbooks/alerts.md#flux-delivery)."""

from __future__ import annotations

from ..config import Environment, Platform
from .bootstrap import FLUX_NAMESPACE, GIT_REPOSITORY_NAME, ROOT_KUSTOMIZATION_NAME
from .objects import Obj, meta

# The served, storage version of Alert and Provider in the pinned flux2 chart (2.17.0 and 2.18.3
# both ship v1beta3; tests validate against the CRDs the pinned chart renders).
NOTIFICATION_API = "notification.toolkit.fluxcd.io/v1beta3"
PROVIDER_NAME = "platform-alerts"
ALERT_NAME = "delivery-failures"
WATCHED_KINDS = ("Kustomization", "HelmRelease", "GitRepository", "HelmRepository", "OCIRepository")


def event_sources(rendered: list[Obj]) -> list[Obj]:
    """Every Flux object of the cluster by name (no wildcards): the CDK-made root Kustomization and
    GitRepository, then each Kustomization, HelmRelease and chart source of the rendered tree."""
    found = {("Kustomization", ROOT_KUSTOMIZATION_NAME, FLUX_NAMESPACE), ("GitRepository", GIT_REPOSITORY_NAME, FLUX_NAMESPACE)}
    for obj in rendered:
        if isinstance(obj, dict) and obj.get("kind") in WATCHED_KINDS and ".toolkit.fluxcd.io/" in str(obj.get("apiVersion")):
            meta_ = obj.get("metadata") or {}
            found.add((obj["kind"], meta_["name"], meta_.get("namespace", FLUX_NAMESPACE)))
    order = {kind: i for i, kind in enumerate(WATCHED_KINDS)}
    return [{"kind": kind, "name": name, "namespace": ns} for kind, name, ns in sorted(found, key=lambda k: (order[k[0]], k[2], k[1]))]


def render_notifications(platform: Platform, env: Environment, rendered: list[Obj]) -> list[Obj]:
    """A Provider and an Alert in flux-system, or nothing when no chat channel is configured."""
    alerts = platform.alerts
    if alerts is None or alerts.chat is None:
        return []
    chat = alerts.chat
    provider_spec: Obj = {"type": chat.provider, "secretRef": {"name": chat.webhook_secret}}
    if chat.channel:
        provider_spec["channel"] = chat.channel
    return [
        {"apiVersion": NOTIFICATION_API, "kind": "Provider", "metadata": meta(PROVIDER_NAME, FLUX_NAMESPACE),
         "spec": provider_spec},
        {"apiVersion": NOTIFICATION_API, "kind": "Alert", "metadata": meta(ALERT_NAME, FLUX_NAMESPACE),
         "spec": {"providerRef": {"name": PROVIDER_NAME}, "eventSeverity": "error", "eventSources": event_sources(rendered),
                  "eventMetadata": {"cluster": env.cluster_name, "environment": env.name,
                                    "runbook": f"{alerts.runbook_url}#flux-delivery"}}},
    ]
