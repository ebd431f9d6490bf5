"""What CDK installs for Flux: the flux2 chart's values (in the chart's own keys) and the sync objects.

Shared by the CDK construct that installs it (aws/constructs/flux.py) and the `upstream-charts`
check, which renders the real chart with exactly these values and proves each one has an effect.
The chart's keys are camelCase per controller (`helmController`, ...; see its values.yaml).
"""

from __future__ import annotations

from ..config import Environment, Platform
from ..upstream.cache import REPOSITORIES
from .bootstrap import (
    CLUSTER_VARS_CONFIGMAP,
    FLUX_NAMESPACE,
    GIT_REPOSITORY_NAME,
    ROOT_KUSTOMIZATION_NAME,
    root_kustomization_path,
)
from .objects import SYSTEM_NODE_SELECTOR, SYSTEM_TOLERATIONS, Obj

FLUX_CHART = "flux2"
FLUX_RELEASE = "flux2"
FLUX_CHART_REPOSITORY = REPOSITORIES[FLUX_CHART]

# The controllers the platform runs (all on the system node group), and the ones it does not:
# promotion is a Git commit by CI (docs/adr/0004), so image automation is not installed.
CONTROLLERS = ("helmController", "kustomizeController", "sourceController", "notificationController")
DISABLED = ("imageAutomationController", "imageReflectionController")


# The chart's pre-install `flux check` Job image, by tag and digest: the chart prints `cli.tag` as
# image:tag, so tag@digest renders ghcr.io/fluxcd/flux-cli:v2.8.5@sha256:... The tag is the chart's own
# (flux2 values.yaml cli.tag; tests/checks/test_image_digests.py keeps the two in step). The digest
# has a single public source, as kubectl's (docs/adr/0018-images-pinned-by-digest.md).
FLUX_CLI_TAG = "v2.8.5"
FLUX_CLI_DIGEST = "sha256:f1947272d998247ce959adf8ffe13626f153e8b373ccd0322a18b4f7aad132f1"
# Controllers pinned the same way (`<controller>.tag`); the others have no digest source yet and are
# exempt with their reason (checks/image_digests.UPSTREAM_WITHOUT_DIGEST).
CONTROLLER_TAGS = {"helmController": "v1.5.3@sha256:b150af0cd7a501dafe2374b1d22c39abf0572465df4fa1fb99b37927b0d95d75"}


def _system() -> Obj:
    return {"nodeSelector": dict(SYSTEM_NODE_SELECTOR), "tolerations": [dict(t) for t in SYSTEM_TOLERATIONS]}


def flux_values() -> Obj:
    """Chart values: the four controllers and the chart's pre-install check job on system nodes,
    image automation off."""
    values: Obj = {name: _system() | ({"tag": CONTROLLER_TAGS[name]} if name in CONTROLLER_TAGS else {}) for name in CONTROLLERS}
    values["cli"] = _system() | {"tag": f"{FLUX_CLI_TAG}@{FLUX_CLI_DIGEST}"}  # the pre-install `flux check` Job
    values |= {name: {"create": False} for name in DISABLED}
    return values


def cluster_vars_config_map(values: dict[str, str]) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": CLUSTER_VARS_CONFIGMAP, "namespace": FLUX_NAMESPACE},
        "data": values,
    }


def git_repository(platform: Platform) -> dict:
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": GIT_REPOSITORY_NAME, "namespace": FLUX_NAMESPACE},
        "spec": {
            "interval": "1m",
            # SSH: the flux-system Secret holds a read-only deploy key (identity, known_hosts).
            "url": platform.github.ssh_url,
            "ref": {"branch": platform.github.branch},
            "secretRef": {"name": GIT_REPOSITORY_NAME},
        },
    }


def root_kustomization(env: Environment) -> dict:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": ROOT_KUSTOMIZATION_NAME, "namespace": FLUX_NAMESPACE},
        "spec": {
            "interval": "10m",
            "path": root_kustomization_path(env),
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": GIT_REPOSITORY_NAME},
        },
    }
