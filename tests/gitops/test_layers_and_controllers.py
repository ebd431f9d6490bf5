"""Layer ordering and the controllers each environment runs, with their pins and placement."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from innovate_platform.gitops.controllers import CLUSTER_AUTOSCALER_IMAGES
from innovate_platform.naming import interruption_queue_name

REPO = Path(__file__).resolve().parents[2]
ENVS = ("dev", "staging", "prod")


def _layers(built, env) -> dict[str, dict]:
    return {k["metadata"]["name"]: k for k in yaml.safe_load_all(built[(env, "clusters")])}


@pytest.mark.parametrize("env", ENVS)
def test_layers_chain_controllers_then_configs_then_apps(env, built):
    layers = _layers(built, env)
    assert set(layers) == {"infra-controllers", "infra-configs", "apps"}
    assert "dependsOn" not in layers["infra-controllers"]["spec"]
    assert layers["infra-configs"]["spec"]["dependsOn"] == [{"name": "infra-controllers"}]
    assert layers["apps"]["spec"]["dependsOn"] == [{"name": "infra-configs"}]
    for k in layers.values():
        spec = k["spec"]
        assert k["metadata"]["namespace"] == "flux-system"
        assert spec["sourceRef"] == {"kind": "GitRepository", "name": "flux-system"}
        assert spec["prune"] is True and spec["wait"] is True
        assert spec["postBuild"]["substituteFrom"] == [{"kind": "ConfigMap", "name": "cluster-vars"}]


@pytest.mark.parametrize("env", ENVS)
def test_chart_versions_are_the_pinned_ones(env, objects, platform, select):
    charts = platform.versions.charts
    for release in select(objects[env], "HelmRelease"):
        spec = release["spec"]
        if "chartRef" in spec:
            source = select(objects[env], "OCIRepository", spec["chartRef"]["name"])[0]
            assert source["spec"]["ref"] == {"tag": charts[release["metadata"]["name"]]}
        elif spec["chart"]["spec"]["sourceRef"]["kind"] == "HelmRepository":
            assert spec["chart"]["spec"]["version"] == charts[release["metadata"]["name"]]
    committed = "\n".join(p.read_text() for p in (REPO / "gitops").rglob("*.yaml") if f"/{env}/" in p.as_posix())
    assert "latest" not in committed and "'*'" not in committed and '"*"' not in committed


def test_staging_runs_cluster_autoscaler_and_dev_and_prod_run_karpenter(objects, select):
    for env in ("dev", "prod"):
        names = {r["metadata"]["name"] for r in select(objects[env], "HelmRelease")}
        assert {"karpenter", "karpenter-crd"} <= names and "cluster-autoscaler" not in names
        assert select(objects[env], "NodePool") and select(objects[env], "EC2NodeClass")
    names = {r["metadata"]["name"] for r in select(objects["staging"], "HelmRelease")}
    assert "cluster-autoscaler" in names and not names & {"karpenter", "karpenter-crd"}
    assert not select(objects["staging"], "NodePool") and not select(objects["staging"], "EC2NodeClass")
    for env in ENVS:
        assert {"aws-load-balancer-controller", "metrics-server", "keda"} <= {
            r["metadata"]["name"] for r in select(objects[env], "HelmRelease")
        }


def test_cluster_autoscaler_discovers_the_cluster_tagged_groups_with_a_matching_image(objects, select, platform):
    values = select(objects["staging"], "HelmRelease", "cluster-autoscaler")[0]["spec"]["values"]
    # EKS tags every managed ASG with the first two; only the app group carries the third (CDK).
    assert values["autoDiscovery"]["tags"] == [
        "k8s.io/cluster-autoscaler/enabled", "k8s.io/cluster-autoscaler/innovate-staging", "innovate.io/cluster-autoscaler"]
    tag = values["image"]["tag"]
    assert tag == CLUSTER_AUTOSCALER_IMAGES[platform.versions.kubernetes]
    assert tag.removeprefix("v").rsplit(".", 1)[0] == platform.versions.kubernetes
    assert values["extraArgs"] == {
        "balance-similar-node-groups": True,
        "skip-nodes-with-system-pods": False,
        "expander": "least-waste",
    }
    assert values["rbac"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].endswith("innovate-staging-cluster-autoscaler")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_karpenter_uses_the_queue_name_irsa_and_stays_off_its_own_nodes(env, objects, select, platform):
    release = select(objects[env], "HelmRelease", "karpenter")[0]
    values = release["spec"]["values"]
    assert values["settings"]["interruptionQueue"] == interruption_queue_name(platform.env(env))
    assert not values["settings"]["interruptionQueue"].startswith("arn:")
    assert values["settings"]["clusterName"] == f"innovate-{env}"
    assert values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(f"innovate-{env}-karpenter")
    resources = values["controller"]["resources"]
    assert resources["requests"] == resources["limits"] == {"cpu": "1", "memory": "1Gi"}
    terms = values["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert {"key": "karpenter.sh/nodepool", "operator": "DoesNotExist"} in terms[0]["matchExpressions"]
    assert release["spec"]["dependsOn"] == [{"name": "karpenter-crd"}]
    assert release["spec"]["install"]["crds"] == "Skip"
    crd = select(objects[env], "HelmRelease", "karpenter-crd")[0]
    assert crd["spec"]["install"]["crds"] == crd["spec"]["upgrade"]["crds"] == "CreateReplace"


@pytest.mark.parametrize("env", ENVS)
def test_every_controller_runs_on_the_system_group_with_retried_remediation(env, objects, select):
    for release in select(objects[env], "HelmRelease"):
        spec = release["spec"]
        assert spec["install"]["remediation"]["retries"] >= 1 and spec["upgrade"]["remediation"]["retries"] >= 1
        if release["metadata"]["namespace"] == "flux-system" or release["metadata"]["name"] == "karpenter-crd":
            continue  # apps (charts place them on app nodes) and the CRD-only chart (no pods)
        assert {"key": "CriticalAddonsOnly", "operator": "Exists"} in spec["values"]["tolerations"], release["metadata"]["name"]
        assert spec["values"]["nodeSelector"] == {"role": "system"}, release["metadata"]["name"]


@pytest.mark.parametrize("env", ENVS)
def test_load_balancer_controller_gets_region_and_vpc_without_imds(env, objects, select, platform):
    values = select(objects[env], "HelmRelease", "aws-load-balancer-controller")[0]["spec"]["values"]
    assert values["region"] == platform.region
    assert values["vpcId"].startswith("vpc-")
    assert values["clusterName"] == f"innovate-{env}"
    assert values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].endswith("aws-load-balancer-controller")


def test_keda_operator_assumes_its_irsa_role(objects, select):
    values = select(objects["prod"], "HelmRelease", "keda")[0]["spec"]["values"]
    assert values["serviceAccount"]["operator"]["name"] == "keda-operator"
    assert values["podIdentity"]["aws"]["irsa"] == {"enabled": True, "roleArn": "arn:aws:iam::333333333333:role/innovate-prod-keda"}
