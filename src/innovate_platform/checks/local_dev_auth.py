"""platform-security rule: nothing the clusters receive turns on the API's ``AUTH_LOCAL_DEV``.

With ``AUTH_LOCAL_DEV=true`` the API trusts no identity and calls every caller one user (for a
laptop without a load balancer). The API itself refuses it inside Kubernetes and next to
``AUTH_ALB_ARN`` (apps/api/innovate_api/config.py); this rule catches it before a deploy, in the
GitOps tree (HelmRelease values, ConfigMaps) and in our charts as Flux renders them (container env).
A setting is named wherever it appears: a mapping key ``AUTH_LOCAL_DEV`` (chart ``env`` values,
ConfigMap data) or a container env entry ``{name: AUTH_LOCAL_DEV, value|valueFrom: ...}``. An
explicit false value passes.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from .model import Finding

VARIABLE = "AUTH_LOCAL_DEV"
FALSE_VALUES = {"0", "false", "no", "off", ""}  # as apps/api/innovate_api/config.py reads it
FIX = f"remove {VARIABLE} (identity comes from the ALB: AUTH_ALB_ARN, docs/adr/0014-api-identity-from-the-alb.md)"


def _settings(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(field path, value) of every place under ``node`` that sets the variable."""
    if isinstance(node, dict):
        if VARIABLE in node:
            yield f"{path}.{VARIABLE}".lstrip("."), node[VARIABLE]
        if node.get("name") == VARIABLE and ("value" in node or "valueFrom" in node):
            yield path.lstrip("."), node.get("value", node.get("valueFrom"))
        for key, value in node.items():
            yield from _settings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _settings(value, f"{path}[{index}]")


def _is_off(value: Any) -> bool:
    return isinstance(value, (str, bool, int)) and str(value).strip().lower() in FALSE_VALUES


def object_findings(env: str, where: str, objects: Iterable[dict]) -> list[Finding]:
    out = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        resource = f"{where}: {obj.get('kind')} {meta.get('namespace', '')}/{meta.get('name')}".replace(" /", " ")
        for field, value in _settings(obj, ""):
            if not _is_off(value):
                out.append(Finding(env, resource, field, f"{VARIABLE} is set ({value!r}): the API would trust no "
                                   "identity and call every caller one user", FIX))
    return out


def cluster_local_dev_findings(inputs, env: str) -> list[Finding]:
    """One cluster: the GitOps tree and our charts, as rendered."""
    return [f for file in inputs.gitops().for_env(env) + inputs.charts().for_env(env)
            for f in object_findings(env, file.path, file.objects())]
