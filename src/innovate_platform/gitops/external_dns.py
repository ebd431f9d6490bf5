"""external-dns: publishes the ALB's records for the apps' Ingress hosts in the environment's
hosted zone (platform.yaml `dns`), through its IRSA role limited to that zone.

Ownership is recorded in TXT records carrying the cluster's name, so one cluster never touches
records it did not create. Prod only ever creates and updates (`upsert-only`): a deleted or
misconfigured Ingress cannot take prod's name out of DNS. dev and staging `sync`, so records of
removed Ingresses go away.
"""

from __future__ import annotations

from ..config import Environment, Platform
from ..naming import EXTERNAL_DNS
from ..upstream.cache import REPOSITORIES
from .objects import (
    SYSTEM_NODE_SELECTOR,
    SYSTEM_TOLERATIONS,
    Obj,
    chart_from_repository,
    helm_release,
    helm_repository,
    irsa_annotation,
)

EXTERNAL_DNS_CHARTS = REPOSITORIES["external-dns"]


def policy(env: Environment) -> str:
    return "upsert-only" if env.name == "prod" else "sync"


# The chart's own image (external-dns 1.21.1 = v0.21.0) by tag and digest: the chart prints
# repository:tag (docs/adr/0018-images-pinned-by-digest.md).
EXTERNAL_DNS_IMAGE_TAG = "v0.21.0@sha256:f53faaf71cb270d1ca9dce6ea0c94bfebf1a18696263487f0fbc74b9bf2bd7ff"


def external_dns_values(env: Environment) -> Obj:
    """Values of the kubernetes-sigs chart (keys verified against external-dns-1.21.1's values.yaml)."""
    role = EXTERNAL_DNS
    return {
        "provider": {"name": "aws"},
        "sources": ["ingress"],
        "policy": policy(env),
        "registry": "txt",
        "txtOwnerId": env.cluster_name,
        "domainFilters": [env.dns.zone_name],
        # The zone id pins the one zone even if another zone of the same name exists in the account.
        "extraArgs": {"zone-id-filter": env.dns.zone_id, "aws-zone-type": "public"},
        "serviceAccount": {"create": True, "name": role.service_account, "annotations": irsa_annotation(role.var)},
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "image": {"tag": EXTERNAL_DNS_IMAGE_TAG},
        "tolerations": SYSTEM_TOLERATIONS,
        "nodeSelector": SYSTEM_NODE_SELECTOR,
    }


def external_dns(platform: Platform, env: Environment) -> list[Obj]:
    chart = chart_from_repository("external-dns", platform.versions.charts["external-dns"], "external-dns")
    return [
        helm_repository("external-dns", EXTERNAL_DNS.namespace, EXTERNAL_DNS_CHARTS),
        helm_release("external-dns", EXTERNAL_DNS.namespace, chart=chart, values=external_dns_values(env)),
    ]
