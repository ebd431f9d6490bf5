"""Layer ordering and the controllers each environment runs, with their pins and placement."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from innovate_platform.config.compatibility import CLUSTER_AUTOSCALER_IMAGES
from innovate_platform.naming import interruption_queue_name

REPO = Path(__file__).resolve().parents[2]
ENVS = ("dev", "staging", "prod")


def _layers(built, env) -> dict[str, dict]:
    return {k["metadata"]["name"]: k for k in yaml.safe_load_all(built[(env, "clusters")])}


@pytest.mark.parametrize("env", ENVS)
def test_layers_chain_controllers_then_configs_then_apps(env, built):
    layers = _layers(built, env)
    assert set(layers) == {"infra-controllers", "infra-addons", "infra-configs", "apps"}
    assert "dependsOn" not in layers["infra-controllers"]["spec"]
    assert layers["infra-configs"]["spec"]["dependsOn"] == [{"name": "infra-controllers"}]
    assert layers["apps"]["spec"]["dependsOn"] == [{"name": "infra-configs"}]
    # The optional controllers wait for the required ones, and nothing waits for them.
    assert layers["infra-addons"]["spec"]["dependsOn"] == [{"name": "infra-controllers"}]
    assert not any(d == {"name": "infra-addons"} for k in layers.values() for d in k["spec"].get("dependsOn", []))
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
        assert {"aws-load-balancer-controller", "metrics-server"} <= {
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


def test_keda_is_installed_only_where_an_app_scales_with_it(objects, select, platform):
    from innovate_platform.gitops.controllers import render_addons

    for env in ENVS:
        assert not select(objects[env], "HelmRelease", "keda")  # no app uses autoscaling.mode rps
    files = render_addons(platform, platform.env("prod"), uses_keda=True)
    values = next(o for o in files["keda.yaml"] if o["kind"] == "HelmRelease")["spec"]["values"]
    assert values["serviceAccount"]["operator"]["name"] == "keda-operator"
    assert values["podIdentity"]["aws"]["irsa"] == {"enabled": True, "roleArn": "${keda_role_arn}"}
    # Secrets only in its own namespace; two of each pod (the aggregated metrics API must stay up).
    assert values["permissions"]["operator"]["restrict"]["secret"] is True
    assert values["permissions"]["metricServer"]["restrict"]["secret"] is True
    assert values["operator"]["replicaCount"] == values["metricsServer"]["replicaCount"] == 2


@pytest.mark.parametrize("env", ENVS)
def test_load_balancer_controller_and_metrics_server_survive_node_loss_and_rollouts(env, objects, select):
    lbc = select(objects[env], "HelmRelease", "aws-load-balancer-controller")[0]["spec"]["values"]
    assert lbc["enableServiceMutatorWebhook"] is False  # fail-closed on every Service otherwise
    assert lbc["podDisruptionBudget"] == {"maxUnavailable": 1} and lbc["resources"]["requests"]
    metrics = select(objects[env], "HelmRelease", "metrics-server")[0]["spec"]["values"]
    assert metrics["podDisruptionBudget"]["enabled"] is True and metrics["replicas"] == 2
    for values in (lbc, metrics):
        keys = {(c["topologyKey"], c["whenUnsatisfiable"]) for c in values["topologySpreadConstraints"]}
        assert ("kubernetes.io/hostname", "DoNotSchedule") in keys
        assert ("topology.kubernetes.io/zone", "ScheduleAnyway") in keys


@pytest.mark.parametrize("env", ENVS)
def test_namespaces_of_alb_targets_get_pod_readiness_gates(env, objects, select):
    ingress_namespaces = {"api", "web"}  # both charts enable their ALB Ingress in every environment
    for ns in select(objects[env], "Namespace"):
        labels = ns["metadata"].get("labels") or {}
        injected = labels.get("elbv2.k8s.aws/pod-readiness-gate-inject") == "enabled"
        assert injected == (ns["metadata"]["name"] in ingress_namespaces), ns["metadata"]["name"]
