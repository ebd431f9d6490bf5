"""The values CDK passes to the flux2 chart (fluxcd-community), in the chart's own keys.

Shared by the CDK construct that installs it (aws/constructs/flux.py) and the `upstream-charts`
check, which renders the real chart with exactly these values and proves each one has an effect.
The chart's keys are camelCase per controller (`helmController`, ...; see its values.yaml).
"""

from __future__ import annotations

from ..upstream.cache import REPOSITORIES
from .objects import SYSTEM_NODE_SELECTOR, SYSTEM_TOLERATIONS, Obj

FLUX_CHART = "flux2"
FLUX_RELEASE = "flux2"
FLUX_CHART_REPOSITORY = REPOSITORIES[FLUX_CHART]

# The controllers the platform runs (all on the system node group), and the ones it does not:
# promotion is a Git commit by CI (docs/adr/0004), so image automation is not installed.
CONTROLLERS = ("helmController", "kustomizeController", "sourceController", "notificationController")
DISABLED = ("imageAutomationController", "imageReflectionController")


def _system() -> Obj:
    return {"nodeSelector": dict(SYSTEM_NODE_SELECTOR), "tolerations": [dict(t) for t in SYSTEM_TOLERATIONS]}


def flux_values() -> Obj:
    """Chart values: the four controllers and the chart's pre-install check job on system nodes,
    image automation off."""
    values: Obj = {name: _system() for name in CONTROLLERS}
    values["cli"] = _system()  # the pre-install `flux check` Job
    values |= {name: {"create": False} for name in DISABLED}
    return values
