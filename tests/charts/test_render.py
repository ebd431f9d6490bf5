"""Every chart in every environment lints, renders, validates for Kubernetes 1.35 and meets "restricted"."""

from __future__ import annotations

import re
import tarfile

import kubernetes_validate
import pytest
import yaml

from innovate_platform.checks.pod_security import check_pod_security, pod_spec_of

IMAGE = re.compile(r"^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+:(sha-[0-9a-f]{7}|v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?)(@sha256:[0-9a-f]{64})?$")
TEST_IMAGE = re.compile(r"^[a-z0-9./-]+:[0-9][A-Za-z0-9._-]*@sha256:[0-9a-f]{64}$")  # tag and digest


def test_helm_lint_strict_passes_with_the_environment_values(charts, app, env):
    # As Flux installs it: the environment's values file, then the host and certificate from cluster-vars.
    result = charts.helm("lint", "--strict", str(charts.charts_dir / app),
                         "-f", str(charts.charts_dir / app / f"values-{env}.yaml"),
                         "-f", str(charts.edge_file(app, env)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


def test_renders_the_expected_objects(charts, app, env):
    objects = charts.render(app, env)
    # the API's migration Job, its NetworkPolicy and its ServiceAccount
    migration = ["Job", "NetworkPolicy", "ServiceAccount"] if app == "api" else []
    assert charts.kinds(objects) == sorted([
        "Deployment", "HorizontalPodAutoscaler", "Ingress", "NetworkPolicy", "NetworkPolicy", "Pod",
        "PodDisruptionBudget", "Service", "ServiceAccount", *migration])
    assert {o["metadata"]["namespace"] for o in objects} == {charts.namespaces[app]}


def test_every_object_is_valid_kubernetes_1_35_in_strict_mode(charts, app, env):
    for obj in charts.render(app, env):
        try:
            kubernetes_validate.validate(obj, "1.35", strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {error.message} at {list(error.path)}")


def test_every_pod_meets_pod_security_restricted(charts, app, env):
    pods = [o for o in charts.render(app, env) if pod_spec_of(o) is not None]
    # the app, its helm test pod and (API) its migration Job
    assert {p["kind"] for p in pods} == ({"Deployment", "Pod", "Job"} if app == "api" else {"Deployment", "Pod"})
    for pod in pods:
        assert check_pod_security(pod, "restricted") == [], pod["kind"]


def test_images_are_pinned_and_come_from_the_shared_ecr(charts, app, env):
    objects = charts.render(app, env)
    deployment = charts.only(objects, "Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert IMAGE.match(container["image"]), container["image"]
    assert container["image"].startswith(f"444444444444.dkr.ecr.us-east-1.amazonaws.com/{app}:")
    test_pod = charts.only(objects, "Pod")
    (probe,) = test_pod["spec"]["containers"]
    assert TEST_IMAGE.match(probe["image"]) and not probe["image"].endswith(":latest")


DIGEST = "sha256:" + "0123456789abcdef" * 4
SKIP = "checkov.io/skip1"


def _digest_workloads(objects: list[dict]) -> list[dict]:
    return [o for o in objects if o["kind"] in ("Deployment", "Job")]


def test_the_app_image_renders_with_its_digest_when_set_and_only_then_drops_the_checkov_skip(charts, app, tmp_path):
    by_tag = _digest_workloads(charts.render(app, "prod"))
    assert by_tag and all(SKIP in o["metadata"]["annotations"] for o in by_tag)
    assert all(o["metadata"]["annotations"][SKIP].startswith("CKV_K8S_43=") for o in by_tag)
    assert all(o["metadata"]["annotations"][SKIP].count("=") == 1 for o in by_tag)  # checkov splits id=reason once
    base = yaml.safe_load((charts.charts_dir / app / "values.yaml").read_text())["image"]
    pinned = _digest_workloads(charts.render_with(app, "prod", {"image": {**base, "digest": DIGEST}}, tmp_path))
    for obj in pinned:
        assert SKIP not in (obj["metadata"].get("annotations") or {}), obj["kind"]
        (container,) = obj["spec"]["template"]["spec"]["containers"]
        assert container["image"] == f"{base['repository']}:{base['tag']}@{DIGEST}"


def test_the_helm_test_pod_calls_the_services_healthz_and_is_not_behind_the_service(charts, app, env):
    objects = charts.render(app, env)
    pod, service = charts.only(objects, "Pod"), charts.only(objects, "Service")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert f"http://{service['metadata']['name']}:80/healthz" in pod["spec"]["containers"][0]["command"]
    selector = service["spec"]["selector"]
    assert not selector.items() <= pod["metadata"]["labels"].items()
    assert pod["spec"]["automountServiceAccountToken"] is False


def test_the_container_shuts_down_gracefully_and_is_probed(charts, app, env):
    spec = charts.only(charts.render(app, env), "Deployment")["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    sleep = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    env_vars = {e["name"]: e["value"] for e in container.get("env", [])}
    graceful = int(env_vars.get("GRACEFUL_TIMEOUT", 10))
    assert spec["terminationGracePeriodSeconds"] > sleep + graceful
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["port"] == "http"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    expected_ready = "/readyz" if app == "api" else "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == expected_ready
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert spec["priorityClassName"] == "innovate-app"


def test_service_sends_port_80_to_the_containers_8080(charts, app, env):
    objects = charts.render(app, env)
    service = charts.only(objects, "Service")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    container = charts.only(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "http", "containerPort": 8080, "protocol": "TCP"} in container["ports"]


def test_apps_never_tolerate_the_system_nodes_and_run_on_app_nodes(charts, app, env):
    spec = charts.only(charts.render(app, env), "Deployment")["spec"]["template"]["spec"]
    assert spec["nodeSelector"] == {"role": "app"}
    for toleration in spec.get("tolerations", []):
        assert toleration.get("key"), "a toleration without a key tolerates every taint, the system nodes' too"
        assert toleration["key"] != "CriticalAddonsOnly"


def test_the_pdb_always_lets_a_drain_evict_a_pod(charts, app, env):
    objects = charts.render(app, env)
    pdb = charts.only(objects, "PodDisruptionBudget")["spec"]
    assert "minAvailable" not in pdb and pdb["maxUnavailable"] >= 1
    assert pdb["selector"]["matchLabels"] == charts.only(objects, "Deployment")["spec"]["selector"]["matchLabels"]


def app_policy(objects, app):
    return next(o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == app)["spec"]


def test_network_policy_admits_only_the_alb_subnets_and_the_test_pod_on_the_app_port(charts, app, env, platform):
    from innovate_platform.network_layout import subnet_layout

    objects = charts.render(app, env)
    policy = app_policy(objects, app)
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    alb, test_pod = policy["ingress"]
    assert alb["ports"] == test_pod["ports"] == [{"port": "http", "protocol": "TCP"}]
    assert alb["from"] == [{"ipBlock": {"cidr": c}} for c in subnet_layout(platform.env(env)).public]
    pod = charts.only(objects, "Pod")
    assert test_pod["from"] == [{"podSelector": {"matchLabels": {
        k: v for k, v in pod["metadata"]["labels"].items() if k in test_pod["from"][0]["podSelector"]["matchLabels"]}}}]
    assert test_pod["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == f"{app}-test"
    cidr = platform.env(env).vpc_cidr
    egress_ports = sorted((p["port"], p["protocol"]) for r in policy["egress"] for p in r["ports"])
    if app == "api":
        assert egress_ports == [(53, "TCP"), (53, "UDP"), (443, "TCP"), (5432, "TCP")]
        db_rule = next(r for r in policy["egress"] if r["ports"][0]["port"] == 5432)
        assert db_rule["to"] == [{"ipBlock": {"cidr": cidr}}]  # the database only inside the VPC
    else:
        assert egress_ports == []  # static files: no egress at all


def test_helm_test_pod_may_reach_its_app_and_dns_only(charts, app, env):
    """Under the namespaces' default-deny, `helm test` works only if a policy lets the test pod out."""
    objects = charts.render(app, env)
    pod = charts.only(objects, "Pod")
    policy = next(o for o in objects if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == f"{app}-test")["spec"]
    selected = policy["podSelector"]["matchLabels"]
    assert selected.items() <= pod["metadata"]["labels"].items()
    assert policy["policyTypes"] == ["Ingress", "Egress"] and policy["ingress"] == []
    dns, to_app = policy["egress"]
    assert {p["port"] for p in dns["ports"]} == {53}
    deployment = charts.only(objects, "Deployment")
    assert to_app["to"][0]["podSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    container_port = deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]
    assert to_app["ports"] == [{"port": container_port, "protocol": "TCP"}]
    # and the app's own policy admits it (the other half of the connection)
    assert any(r["from"] == [{"podSelector": {"matchLabels": selected}}] for r in app_policy(objects, app)["ingress"])


def test_the_vendored_library_matches_its_source(charts, app):
    """`helm dependency update charts/<app>` was run after the last change to charts/innovate-lib."""
    lib = charts.charts_dir / "innovate-lib"
    with tarfile.open(charts.charts_dir / app / "charts" / "innovate-lib-0.1.0.tgz") as packaged:
        files = {m.name.removeprefix("innovate-lib/"): packaged.extractfile(m).read()
                 for m in packaged.getmembers() if m.isfile()}
    sources = {str(p.relative_to(lib)): p.read_bytes() for p in lib.rglob("*") if p.is_file()}
    # helm re-serialises Chart.yaml when it packages: compare its content, every other file byte for byte.
    assert yaml.safe_load(files.pop("Chart.yaml")) == yaml.safe_load(sources.pop("Chart.yaml"))
    assert files == sources, f"stale charts/{app}/charts/innovate-lib-0.1.0.tgz: run helm dependency update charts/{app}"
