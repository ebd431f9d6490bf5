"""Building blocks shared by the renderers: YAML documents, system-node placement, Flux sources."""

from __future__ import annotations

from typing import Any

import yaml

from .bootstrap import FLUX_NAMESPACE, GIT_REPOSITORY_NAME

HEADER = "# Rendered by innovate gitops from platform.yaml; do not edit.\n"

Obj = dict[str, Any]

# Every controller runs on the system node group: it tolerates that group's taint and selects its label.
SYSTEM_TOLERATIONS: list[Obj] = [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
SYSTEM_NODE_SELECTOR: Obj = {"role": "system"}

HELM_RETRIES = 3


class _Dumper(yaml.SafeDumper):
    """Block style, no aliases, long lines kept whole."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(documents: list[Obj]) -> str:
    """YAML text of the documents, with the rendered-file header."""
    body = "---\n".join(
        yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000) for doc in documents
    )
    return HEADER + body


def meta(name: str, namespace: str | None = None, labels: dict[str, str] | None = None) -> Obj:
    out: Obj = {"name": name}
    if namespace:
        out["namespace"] = namespace
    if labels:
        out["labels"] = dict(labels)
    return out


def namespace(name: str, labels: dict[str, str] | None = None) -> Obj:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, labels=labels)}


def pod_security_labels(kubernetes_version: str, enforce: str) -> dict[str, str]:
    """Pod Security Admission labels: `enforce` enforced, restricted warned and audited, all pinned
    to the cluster's minor so a control-plane upgrade never tightens them silently."""
    labels = {}
    for mode, level in (("enforce", enforce), ("warn", "restricted"), ("audit", "restricted")):
        labels[f"pod-security.kubernetes.io/{mode}"] = level
        labels[f"pod-security.kubernetes.io/{mode}-version"] = f"v{kubernetes_version}"
    return labels


def role_with_binding(name: str, ns: str, rules: list[Obj], subject: Obj) -> list[Obj]:
    """A namespaced Role and the RoleBinding granting it to one subject."""
    rbac = "rbac.authorization.k8s.io"
    return [
        {"apiVersion": f"{rbac}/v1", "kind": "Role", "metadata": meta(name, ns), "rules": rules},
        {
            "apiVersion": f"{rbac}/v1",
            "kind": "RoleBinding",
            "metadata": meta(name, ns),
            "roleRef": {"apiGroup": rbac, "kind": "Role", "name": name},
            "subjects": [subject],
        },
    ]


def helm_repository(name: str, ns: str, url: str) -> Obj:
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmRepository",
        "metadata": meta(name, ns),
        "spec": {"interval": "24h", "url": url},
    }


def oci_chart_repository(name: str, ns: str, url: str, tag: str) -> Obj:
    """An OCI Helm chart pinned by tag (Flux copies the chart layer as is)."""
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "OCIRepository",
        "metadata": meta(name, ns),
        "spec": {
            "interval": "24h",
            "url": url,
            "ref": {"tag": tag},
            "layerSelector": {"mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip", "operation": "copy"},
        },
    }


def helm_release(
    name: str,
    ns: str,
    *,
    chart: Obj,
    values: Obj,
    crds: str = "Skip",
    depends_on: list[str] | None = None,
    extra_spec: Obj | None = None,
) -> Obj:
    """A HelmRelease with retried install/upgrade remediation.

    `chart` is either {"chartRef": ...} or {"chart": {"spec": ...}}; `crds` is the CRD policy
    (CreateReplace for charts that own CRDs, Skip when another release owns them). No drift
    detection by default: controllers such as KEDA patch their own webhook CA bundles.
    """
    spec: Obj = {"interval": "1h", "timeout": "10m", "releaseName": name, **chart}
    if depends_on:
        spec["dependsOn"] = [{"name": d} for d in depends_on]
    spec["install"] = {"crds": crds, "remediation": {"retries": HELM_RETRIES}}
    spec["upgrade"] = {
        "crds": crds,
        "cleanupOnFail": True,
        "remediation": {"retries": HELM_RETRIES, "remediateLastFailure": True},
    }
    spec.update(extra_spec or {})
    spec["values"] = values
    return {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": meta(name, ns), "spec": spec}


def chart_from_repository(chart: str, version: str, repository: str) -> Obj:
    return {
        "chart": {
            "spec": {
                "chart": chart,
                "version": version,
                "sourceRef": {"kind": "HelmRepository", "name": repository},
                "interval": "24h",
            }
        }
    }


def chart_from_oci(repository: str) -> Obj:
    return {"chartRef": {"kind": "OCIRepository", "name": repository}}


def chart_from_git(path: str, values_files: list[str]) -> Obj:
    """A chart in this repository, rebuilt on every new commit (Git charts keep their version)."""
    return {
        "chart": {
            "spec": {
                "chart": path,
                "sourceRef": {"kind": "GitRepository", "name": GIT_REPOSITORY_NAME, "namespace": FLUX_NAMESPACE},
                "reconcileStrategy": "Revision",
                "valuesFiles": values_files,
                "interval": "10m",
            }
        }
    }


def irsa_annotation(var: str) -> dict[str, str]:
    """The IRSA annotation whose role ARN Flux substitutes from cluster-vars."""
    return {"eks.amazonaws.com/role-arn": "${" + var + "}"}


def var(name: str) -> str:
    """A `${name}` reference Flux substitutes from cluster-vars."""
    return "${" + name + "}"
