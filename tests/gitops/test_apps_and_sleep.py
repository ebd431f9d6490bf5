"""apps (HelmReleases of this repository's charts), the dev sleep CronJobs and pod security groups,
checked against the charts as real helm renders them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from innovate_platform.checks.pod_security import check_pod_security
from innovate_platform.gitops.charts import merge
from innovate_platform.gitops.sleep import KUBECTL_IMAGES

REPO = Path(__file__).resolve().parents[2]
ENVS = ("dev", "staging", "prod")


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _cron_minutes(schedule: str) -> int:
    minute, hour, dom, month, dow = schedule.split()
    assert (dom, month, dow) == ("*", "*", "1-5"), schedule
    return int(hour) * 60 + int(minute)


@pytest.fixture(scope="module")
def rendered_apps(objects, select, render_chart, tmp_path_factory):
    """(env, app) -> objects helm renders from the HelmRelease exactly as Flux would (values files, then values)."""
    out = {}
    for env in ENVS:
        for release in select(objects[env], "HelmRelease", namespace="flux-system"):
            spec = release["spec"]
            files = [REPO / f for f in spec["chart"]["spec"]["valuesFiles"]]
            inline = tmp_path_factory.mktemp("values") / "values.yaml"
            inline.write_text(yaml.safe_dump(spec["values"]))
            chart = REPO / spec["chart"]["spec"]["chart"]
            out[(env, release["metadata"]["name"])] = render_chart(chart, spec["targetNamespace"], *files, inline)
    return out


@pytest.mark.parametrize("env", ENVS)
def test_one_release_per_app_from_its_chart_and_environment_values(env, objects, select, platform):
    releases = {r["metadata"]["name"]: r["spec"] for r in select(objects[env], "HelmRelease", namespace="flux-system")}
    assert set(releases) == {a.name for a in platform.apps}
    for app in platform.apps:
        spec = releases[app.name]
        chart = spec["chart"]["spec"]
        assert chart["chart"] == f"./charts/{app.name}"
        assert chart["sourceRef"] == {"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"}
        assert chart["valuesFiles"] == [f"./charts/{app.name}/values.yaml", f"./charts/{app.name}/values-{env}.yaml"]
        assert all((REPO / f).is_file() for f in chart["valuesFiles"])
        assert spec["targetNamespace"] == app.namespace and spec["releaseName"] == app.name
        assert "dependsOn" not in spec


@pytest.mark.parametrize("env", ENVS)
def test_cluster_vars_reach_the_rendered_api(env, rendered_apps, platform):
    objs = rendered_apps[(env, "api")]
    (sa,) = [o for o in objs if o["kind"] == "ServiceAccount" and o["metadata"]["name"] == "api"]
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == f"arn:aws:iam::{platform.env(env).account}:role/innovate-{env}-api"
    (migrator,) = [o for o in objs if o["kind"] == "ServiceAccount" and o["metadata"]["name"] == "api-migrator"]
    assert migrator["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == (
        f"arn:aws:iam::{platform.env(env).account}:role/innovate-{env}-api-migrator")
    (deploy,) = [o for o in objs if o["kind"] == "Deployment"]
    assert deploy["metadata"]["name"] == "api" and sa["metadata"]["name"] == "api"  # the IRSA trust names SA api/api
    env_vars = {e["name"]: e.get("value") for e in deploy["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env_vars["DB_HOST"] == "placeholder-db-host" and env_vars["DB_PORT"] == "5432"
    assert env_vars["S3_BUCKET"] == "placeholder-api-bucket" and env_vars["AWS_REGION"] == platform.region


@pytest.mark.parametrize("env", ENVS)
def test_app_values_only_override_keys_the_chart_has(env, objects, select):
    for release in select(objects[env], "HelmRelease", namespace="flux-system"):
        defaults = yaml.safe_load((REPO / release["spec"]["chart"]["spec"]["valuesFiles"][0]).read_text())

        def known(over, base, path=""):
            for key, value in over.items():
                assert key in base, f"{release['metadata']['name']}: values{path}.{key} is not a chart value"
                if isinstance(value, dict):
                    known(value, base[key], f"{path}.{key}")

        known(release["spec"]["values"], defaults)


def test_security_group_policy_selects_exactly_the_api_pods(objects, select, rendered_apps):
    assert not select(objects["dev"], "SecurityGroupPolicy") and not select(objects["staging"], "SecurityGroupPolicy")
    (policy,) = select(objects["prod"], "SecurityGroupPolicy")
    assert policy["metadata"]["namespace"] == "api"
    assert policy["spec"]["securityGroups"] == {"groupIds": ["sg-00000000000000000"]}
    selector = policy["spec"]["podSelector"]

    def selected(obj: dict) -> bool:
        in_template = obj["kind"] in ("Deployment", "Job")
        labels = (obj["spec"]["template"]["metadata"] if in_template else obj["metadata"]).get("labels", {})
        if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
            return False
        return all(e["operator"] == "In" and labels.get(e["key"]) in e["values"] for e in selector.get("matchExpressions", []))

    pods = {(app, o["kind"], o["metadata"]["name"]): selected(o) for (env, app), objs in rendered_apps.items() if env == "prod" for o in objs if o["kind"] in ("Deployment", "Pod", "Job")}
    assert pods[("api", "Deployment", "api")] is True
    assert pods[("api", "Job", "api-migrate")] is True, "the migration Job's pods must reach RDS too"
    assert [k for k, v in pods.items() if v] == [("api", "Deployment", "api"), ("api", "Job", "api-migrate")], \
        "selects more than the API's pods"


def test_dev_sleep_runs_before_node_groups_go_and_after_they_return(objects, select, platform):
    sleep = platform.env("dev").sleep
    timeline = {k: _minutes(v) for k, v in sleep.timeline().items()}
    jobs = {j["metadata"]["name"]: j["spec"] for j in select(objects["dev"], "CronJob")}
    down, up = _cron_minutes(jobs["workloads-down"]["schedule"]), _cron_minutes(jobs["workloads-up"]["schedule"])
    assert jobs["workloads-down"]["timeZone"] == jobs["workloads-up"]["timeZone"] == sleep.timezone
    assert down == _minutes(sleep.sleep_at) and up == _minutes(sleep.wake_at)
    day = 24 * 60
    # Night: workloads leave, then (offset later) the node groups; morning: node groups, then workloads.
    assert (timeline["node_groups_down"] - down) % day == sleep.node_group_offset_minutes
    assert (up - timeline["node_groups_up"]) % day == sleep.node_group_offset_minutes
    order = [down, timeline["node_groups_down"], timeline["node_groups_up"], up]
    steps = [(b - a) % day for a, b in zip(order, order[1:])]
    assert sum(steps) == (up - down) % day and all(s > 0 for s in steps)
    assert not select(objects["staging"], "CronJob") and not select(objects["prod"], "CronJob")
    # Flux owns `suspend`, so a one-night `kubectl patch ... suspend: true` does not outlive the night.
    assert jobs["workloads-down"]["suspend"] is False and jobs["workloads-up"]["suspend"] is False


def test_dev_sleep_scales_every_app_to_zero_and_back_to_its_hpa_minimum(objects, select, platform, rendered_apps):
    jobs = {j["metadata"]["name"]: j for j in select(objects["dev"], "CronJob")}
    pod = lambda j: j["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # noqa: E731
    for app in platform.apps:
        (hpa,) = [o for o in rendered_apps[("dev", app.name)] if o["kind"] == "HorizontalPodAutoscaler"]
        (deploy,) = [o for o in rendered_apps[("dev", app.name)] if o["kind"] == "Deployment"]
        target = f"deployment/{deploy['metadata']['name']}"
        ns = f"--namespace={app.namespace}"
        down = next(c for c in pod(jobs["workloads-down"])["containers"] if c["name"] == app.name)
        up = next(c for c in pod(jobs["workloads-up"])["containers"] if c["name"] == app.name)
        assert down["args"] == ["scale", target, "--replicas=0", ns]
        assert up["args"] == ["scale", target, f"--replicas={hpa['spec']['minReplicas']}", ns]
        assert hpa["spec"]["scaleTargetRef"]["name"] == deploy["metadata"]["name"]


def test_dev_sleep_pods_are_restricted_pinned_and_on_system_nodes(objects, select):
    for job in select(objects["dev"], "CronJob"):
        assert check_pod_security(job, "restricted") == []
        spec = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert spec["nodeSelector"] == {"role": "system"}
        assert {"key": "CriticalAddonsOnly", "operator": "Exists"} in spec["tolerations"]
        assert all(c["image"] == KUBECTL_IMAGES["1.35"] for c in spec["containers"])
        assert all(re.fullmatch(r"registry\.k8s\.io/kubectl:v1\.35\.\d+@sha256:[0-9a-f]{64}", c["image"])
                   for c in spec["containers"])


def test_dev_sleep_may_only_scale_deployments_in_app_namespaces(objects, select, platform):
    account = "workload-sleep"
    bindings = [b for b in select(objects["dev"], "RoleBinding") if b["subjects"][0]["name"] == account]
    assert sorted(b["metadata"]["namespace"] for b in bindings) == sorted(a.namespace for a in platform.apps)
    for binding in bindings:
        (role,) = select(objects["dev"], "Role", binding["roleRef"]["name"], binding["metadata"]["namespace"])
        resources = {r for rule in role["rules"] for r in rule["resources"]}
        verbs = {v for rule in role["rules"] for v in rule["verbs"]}
        assert resources == {"deployments", "deployments/scale", "scaledobjects"}
        assert verbs <= {"get", "list", "patch", "update"}


def test_values_merge_follows_helm():
    assert merge({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"c": 3}, "l": [2]}) == {"a": {"b": 1, "c": 3}, "l": [2]}


def test_dev_sleep_pauses_keda_scaled_apps_instead_of_scaling_them(tmp_path, platform):
    """With autoscaling.mode rps KEDA owns the count and would undo a scale to 0: pause it instead."""
    import shutil

    from innovate_platform.gitops import render_tree

    shutil.copytree(REPO / "charts", tmp_path / "charts")
    values = tmp_path / "charts/api/values-dev.yaml"
    rps = "autoscaling:\n  mode: rps\n  rps:\n    targetGroup: targetgroup/k8s-api/0123456789abcdef\n"
    values.write_text(values.read_text().replace("autoscaling:\n", rps, 1))
    sleep = list(yaml.safe_load_all(render_tree(platform, tmp_path)["gitops/infrastructure/configs/dev/sleep.yaml"]))
    jobs = {d["metadata"]["name"]: d for d in sleep if d["kind"] == "CronJob"}

    def args(job: str, container: str) -> list[str]:
        pod = jobs[job]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        return next(c["args"] for c in pod["containers"] if c["name"] == container)

    assert args("workloads-down", "api") == [
        "annotate", "scaledobject", "api", "autoscaling.keda.sh/paused-replicas=0", "--overwrite", "--namespace=api"
    ]
    assert args("workloads-up", "api") == ["annotate", "scaledobject", "api", "autoscaling.keda.sh/paused-replicas-", "--namespace=api"]
    assert args("workloads-down", "web")[:2] == ["scale", "deployment/web"]


def _fits(pool: dict, pod: dict) -> bool:
    """Could Karpenter place this pod on a node of this pool? (taints, nodeSelector, required affinity)"""
    template = pool["spec"]["template"]
    labels = {k: {v} for k, v in template["metadata"]["labels"].items()}
    for req in template["spec"]["requirements"]:
        if req["operator"] == "In":
            labels[req["key"]] = set(req["values"])
    tolerated = all(
        any(t.get("key") == taint["key"] and t.get("value") == taint["value"] and t.get("effect") == taint["effect"] for t in pod.get("tolerations", []))
        for taint in template["spec"].get("taints", [])
    )
    selected = all(v in labels.get(k, set()) for k, v in pod.get("nodeSelector", {}).items())
    terms = (
        pod.get("affinity", {}).get("nodeAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution", {}).get("nodeSelectorTerms")
    )
    affine = not terms or any(
        all(e["operator"] == "In" and labels.get(e["key"], set()) & set(e["values"]) for e in term["matchExpressions"]) for term in terms
    )
    return tolerated and selected and affine


def test_prod_api_runs_only_on_demand_and_only_it_may_use_the_on_demand_pool(objects, select, rendered_apps):
    pools = {p["metadata"]["name"]: p for p in select(objects["prod"], "NodePool")}
    pod = lambda app: next(o for o in rendered_apps[("prod", app)] if o["kind"] == "Deployment")["spec"]["template"]["spec"]  # noqa: E731
    assert _fits(pools["on-demand"], pod("api"))
    assert not _fits(pools["on-demand"], pod("web")), "the taint keeps other workloads off the on-demand pool"
    assert _fits(pools["burst"], pod("web"))
