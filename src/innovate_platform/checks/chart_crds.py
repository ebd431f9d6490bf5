"""CRDs that ship only inside an upstream chart package (../shared/upstream-charts), not in
../shared/schemas: the AWS Load Balancer Controller's IngressClassParams and TargetGroupBinding,
which the tree's IngressClassParams are validated against."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Iterator

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# chart package name prefix -> CRD files inside it (the Gateway API CRDs are not used).
CHART_CRD_FILES = {"aws-load-balancer-controller-": ("aws-load-balancer-controller/crds/crds.yaml",)}


def upstream_charts_dir(schema_root: Path) -> Path:
    """upstream-charts next to the schemas directory (both live in ../shared)."""
    return schema_root.parent / "upstream-charts"


def chart_crd_documents(charts_dir: Path) -> Iterator[dict]:
    """Every CustomResourceDefinition document of the listed charts' packages, newest package last."""
    if not charts_dir.is_dir():
        return
    for prefix, members in CHART_CRD_FILES.items():
        for package in sorted(charts_dir.glob(f"{prefix}*.tgz")):
            with tarfile.open(package) as tar:
                for member in members:
                    try:
                        text = tar.extractfile(member).read().decode()  # type: ignore[union-attr]
                    except KeyError:
                        continue
                    for doc in yaml.load_all(text, Loader=_LOADER):
                        if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                            yield doc
