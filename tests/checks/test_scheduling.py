"""`scheduling`: the NodeClaims Karpenter would create for the real rendered app charts, validated
against the NodeClaim CRD (with CEL) of the pinned karpenter-crd package; pods nothing can run."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from innovate_platform.checks import scheduling
from innovate_platform.checks.inputs import CheckInputs, ManifestFile
from innovate_platform.checks.karpenter_requirements import Requirement, Requirements
from innovate_platform.checks.nodeclaims import simulate
from innovate_platform.checks.pod_security import pod_spec_of
from innovate_platform.config import NodePool
from innovate_platform.gitops.node_pools import node_pool
from innovate_platform.upstream.cache import shared_packages_dir

ROOT = Path(__file__).resolve().parents[2]
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


@pytest.fixture(scope="module")
def prod_inputs(platform, tmp_path_factory):
    inputs = CheckInputs(platform, ROOT, ("prod",), workdir=tmp_path_factory.mktemp("check"))
    yield inputs
    inputs.close()


@pytest.fixture(scope="module")
def crd(platform):
    return scheduling.nodeclaim_crd(str(shared_packages_dir() / f"karpenter-crd-{platform.versions.charts['karpenter-crd']}.tgz"))


@pytest.fixture(scope="module")
def prod_charts(prod_inputs):
    return prod_inputs.charts().for_env("prod")


def api_deployment(charts) -> tuple[ManifestFile, dict]:
    for file in charts:
        for obj in file.objects():
            if obj.get("kind") == "Deployment" and obj["metadata"]["name"] == "api":
                return file, obj
    raise AssertionError("the api chart renders no Deployment")


def only(file: ManifestFile, obj: dict) -> list[ManifestFile]:
    return [ManifestFile(file.env, file.path, "", (obj,), file.namespace)]


def pools(*models: NodePool) -> list[dict]:
    return [node_pool(m) for m in models]


BURST = NodePool(name="burst", capacity_types=("spot", "on-demand"), instance_types=("c6i.xlarge", "m6i.large"),
                 limit_cpu=64, limit_memory_gib=256)


def test_the_shipped_platform_schedules_in_every_environment(platform, tmp_path):
    """Fails on the pools prod shipped with (minValues 2 on the zone): every burst NodeClaim was rejected."""
    inputs = CheckInputs(platform, ROOT, ("dev", "staging", "prod"), workdir=tmp_path)
    try:
        for env in ("dev", "staging", "prod"):
            assert scheduling.run(inputs, env) == [], env
    finally:
        inputs.close()


def test_a_pool_whose_nodeclaim_the_crd_rejects_is_named(platform, prod_charts, crd):
    file, deployment = api_deployment(prod_charts)
    zonal = NodePool(name="zonal", capacity_types=("on-demand",), instance_types=("c6i.xlarge", "m6i.large"),
                     min_zones=2, limit_cpu=64, limit_memory_gib=256)
    findings = scheduling.pod_findings(platform.env("prod"), only(file, deployment), pools(zonal), ZONES, crd)
    assert [(f.resource, f.field) for f in findings] == [
        ("charts/api (values-prod.yaml): Deployment api/api", "NodePool zonal -> NodeClaim .spec.requirements")]
    assert "minValues" in findings[0].message and "topology.kubernetes.io/zone In (us-east-1a) minValues 2" in findings[0].message
    assert "remove min_zones" in findings[0].fix


def test_without_the_zone_spread_the_same_pool_is_accepted(platform, prod_charts, crd):
    """The rejection comes from the spread's narrowing, as in Karpenter: Exists + minValues alone validates."""
    file, deployment = api_deployment(prod_charts)
    deployment = copy.deepcopy(deployment)
    del deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
    zonal = NodePool(name="zonal", capacity_types=("on-demand",), instance_types=("c6i.xlarge",), min_zones=2,
                     limit_cpu=64, limit_memory_gib=256)
    assert scheduling.pod_findings(platform.env("prod"), only(file, deployment), pools(zonal), ZONES, crd) == []


def test_a_pod_no_pool_or_group_can_take_is_named(platform, prod_charts, crd):
    file, deployment = api_deployment(prod_charts)
    deployment = copy.deepcopy(deployment)
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"] = {"cpu": "6", "memory": "1Gi"}
    findings = scheduling.pod_findings(platform.env("prod"), only(file, deployment), pools(BURST), ZONES, crd)
    assert [(f.resource, f.field) for f in findings] == [("charts/api (values-prod.yaml): Deployment api/api", "spec")]
    message = findings[0].message
    assert message.startswith("no NodePool or node group can run this pod")
    assert "NodePool burst: " in message
    assert "the pod requests 6000m CPU, 1024Mi memory, more than any of c6i.xlarge, m6i.large can allocate" in message
    assert "node group app: the pod requests 6000m CPU" in message
    assert "node group system: the pod does not tolerate the taint CriticalAddonsOnly" in message


def test_taints_selectors_and_limits_each_keep_a_pool_out(platform, prod_charts, crd):
    _, deployment = api_deployment(prod_charts)
    spec = copy.deepcopy(pod_spec_of(deployment))
    spec["tolerations"] = []
    dedicated = node_pool(NodePool(name="od", capacity_types=("on-demand",), instance_types=("c6i.xlarge",),
                                   dedicated_on_demand=True, limit_cpu=8, limit_memory_gib=32))
    assert "does not tolerate the taint innovate.io/lifecycle=on-demand" in simulate(dedicated, spec, ZONES).reason
    spot_only = node_pool(NodePool(name="spot", capacity_types=("spot",), instance_types=("c6i.xlarge",),
                                   limit_cpu=8, limit_memory_gib=32))
    assert "karpenter.sh/capacity-type" in simulate(spot_only, pod_spec_of(deployment), ZONES).reason
    tiny = node_pool(NodePool(name="tiny", capacity_types=("on-demand",), instance_types=("c6i.xlarge",),
                              limit_cpu=2, limit_memory_gib=32))
    assert "limits" in simulate(tiny, pod_spec_of(deployment), ZONES).reason


def test_a_nodeclaim_follows_karpenters_construction(prod_charts):
    _, deployment = api_deployment(prod_charts)
    claim = simulate(node_pool(BURST), pod_spec_of(deployment), ZONES).nodeclaim
    reqs = {r["key"]: r for r in claim["spec"]["requirements"]}
    assert reqs["karpenter.sh/capacity-type"]["values"] == ["on-demand"]  # the pod's second affinity term
    assert reqs["topology.kubernetes.io/zone"] == {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["us-east-1a"]}
    assert reqs["karpenter.sh/nodepool"]["values"] == ["burst"] and "kubernetes.io/hostname" not in reqs
    assert reqs["node.kubernetes.io/instance-type"]["values"] == ["c6i.xlarge", "m6i.large"]


def test_intersection_keeps_the_larger_min_values_like_karpenter():
    pool = Requirement.of("topology.kubernetes.io/zone", "Exists", min_values=2)
    narrowed = pool.intersection(Requirement.of("topology.kubernetes.io/zone", "In", ["a"]))
    assert narrowed.selector() == {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["a"], "minValues": 2}
    assert Requirements.from_labels({"role": "app"}).incompatibility(Requirements.from_labels({"team": "x"})) is not None
    assert Requirements().incompatibility(Requirements.from_labels({"kubernetes.io/arch": "amd64"})) is None


def test_a_missing_crd_package_is_one_line(tmp_path):
    from innovate_platform.checks.model import CheckUnavailable

    with pytest.raises(CheckUnavailable, match="karpenter-crd-9.9.9.tgz is not in the chart cache"):
        scheduling.nodeclaim_crd(str(tmp_path / "karpenter-crd-9.9.9.tgz"))
