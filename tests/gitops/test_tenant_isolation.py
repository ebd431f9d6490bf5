"""The cluster-side trust boundaries the tree renders, proven with the real upstream charts: the Load
Balancer Controller's legacy annotations off and its IngressClass left to IngressClassParams;
Pod Security labels at the strictest level the controllers' rendered pods pass; a team's own
internet-facing class when platform.yaml grants it; the sleep jobs reach only the API server."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import pytest
import yaml

from innovate_platform.checks.admission import admission_denials, bound_policies
from innovate_platform.checks.manifests import validate_object
from innovate_platform.checks.pod_security import check_pod_security, pod_spec_of
from innovate_platform.config import parse_platform
from innovate_platform.gitops.flux_values import flux_values
from innovate_platform.gitops.platform_namespaces import CONTROLLER_POD_SECURITY
from innovate_platform.gitops.tenancy import render_tenancy
from innovate_platform.network_layout import subnet_layout

from .conftest import ENVS, HELM, REPO

UPSTREAM = REPO.parent / "shared" / "upstream-charts"


def upstream(chart: str, version: str) -> Path:
    path = UPSTREAM / f"{chart}-{version}.tgz"
    return path


def helm_template(package: Path, namespace: str, values: dict, tmp_path: Path) -> list[dict]:
    values_file = tmp_path / f"{package.stem}-values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    result = subprocess.run([str(HELM), "template", "release", str(package), "--namespace", namespace, "-f", str(values_file)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def release_values(objects: list[dict], name: str) -> dict:
    (release,) = [o for o in objects if o["kind"] == "HelmRelease" and o["metadata"]["name"] == name]
    return release["spec"]["values"]


def controller_args(docs: list[dict]) -> list[str]:
    (deployment,) = [d for d in docs if d["kind"] == "Deployment"]
    return deployment["spec"]["template"]["spec"]["containers"][0]["args"]


def test_the_controller_ignores_legacy_class_and_group_annotations_and_leaves_the_class_to_the_params(objects, platform, tmp_path):
    values = release_values(objects["prod"], "aws-load-balancer-controller")
    package = upstream("aws-load-balancer-controller", platform.versions.charts["aws-load-balancer-controller"])
    docs = helm_template(package, "kube-system", values, tmp_path)
    args = controller_args(docs)
    assert "--disable-ingress-class-annotation=true" in args and "--disable-ingress-group-name-annotation=true" in args
    assert not [d for d in docs if d["kind"] in ("IngressClass", "IngressClassParams", "List")]
    # Each value changes the chart's output: without them the chart ships its own class and honours both annotations.
    plain = helm_template(package, "kube-system", {k: v for k, v in values.items() if not k.startswith(("disable", "create"))}, tmp_path)
    assert not [a for a in controller_args(plain) if a.startswith("--disable-ingress")]
    assert [d for d in plain if d["kind"] == "List"]


@pytest.mark.parametrize("env", ENVS)
def test_the_shared_class_pins_the_group_and_admits_only_exposed_apps(objects, select, platform, env):
    (params,) = select(objects[env], "IngressClassParams", "alb")
    exposed = sorted(a.namespace for a in platform.apps if a.exposed)
    assert params["spec"] == {
        "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": exposed}]},
        "group": {"name": platform.organisation}, "loadBalancerName": f"{platform.organisation}-{env}",
        "scheme": "internet-facing", "targetType": "ip"}
    (ingress_class,) = select(objects[env], "IngressClass", "alb")
    assert ingress_class["spec"]["parameters"] == {"apiGroup": "elbv2.k8s.aws", "kind": "IngressClassParams", "name": "alb"}
    assert validate_object(params, platform.versions.kubernetes) == []  # the CRD shipped in the 3.5.0 chart
    broken = copy.deepcopy(params)
    broken["spec"]["group"] = {"names": "innovate"}
    assert validate_object(broken, platform.versions.kubernetes)


@pytest.mark.parametrize("env", ENVS)
def test_teams_cannot_write_ingresses_without_a_grant(objects, select, env):
    for role in select(objects[env], "Role"):
        if role["metadata"]["name"].startswith("innovate-team-"):
            writes = [r for r in role["rules"] if "ingresses" in r["resources"] and "create" in r["verbs"]]
            assert writes == [], role["metadata"]


def granted(ingress: str):
    data = yaml.safe_load((REPO / "platform.yaml").read_text())
    for env in data["environments"].values():
        env["teams"][1]["ingress"] = ingress
    return parse_platform(yaml.safe_dump(data, sort_keys=False))


def test_a_granted_team_gets_its_own_class_without_the_shared_group():
    platform = granted("internet-facing")
    env = platform.env("prod")
    files = render_tenancy(platform, env)
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in files["ingress-classes.yaml"]}
    params = by_name[("IngressClassParams", "team-data")]
    assert params["spec"]["scheme"] == "internet-facing" and "group" not in params["spec"]
    assert params["spec"]["namespaceSelector"]["matchExpressions"][0]["values"] == ["analytics"]
    assert by_name[("IngressClass", "team-data")]["spec"]["parameters"]["name"] == "team-data"
    role = next(o for o in files["namespace-analytics.yaml"] if o["kind"] == "Role")
    assert {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses"],
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]} in role["rules"]
    alb = next(o for o in files["namespace-analytics.yaml"] if o["metadata"]["name"] == "allow-alb-ingress")
    assert [f["ipBlock"]["cidr"] for f in alb["spec"]["ingress"][0]["from"]] == list(subnet_layout(env).public)
    core = next(o for o in files["namespace-api.yaml"] if o["kind"] == "Role")
    assert not [r for r in core["rules"] if "ingresses" in r["resources"] and "create" in r["verbs"]]

    policies = bound_policies(files["admission-policies.yaml"])
    analytics = next(o for o in files["namespace-analytics.yaml"] if o["kind"] == "Namespace")
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "reports", "namespace": "analytics",
                            "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing",
                                            "alb.ingress.kubernetes.io/auth-type": "oidc"}},
               "spec": {"ingressClassName": "team-data"}}
    assert admission_denials(policies, ingress, analytics) == []
    anonymous = copy.deepcopy(ingress)
    del anonymous["metadata"]["annotations"]["alb.ingress.kubernetes.io/auth-type"]
    assert any("must authenticate users" in d for d in admission_denials(policies, anonymous, analytics))
    joined = copy.deepcopy(ingress)
    joined["metadata"]["annotations"]["alb.ingress.kubernetes.io/group.name"] = "innovate"
    assert admission_denials(policies, joined, analytics)
    shared = copy.deepcopy(ingress)
    shared["spec"]["ingressClassName"] = "alb"
    assert admission_denials(policies, shared, analytics)


def test_an_internal_grant_gets_an_internal_class_and_no_internet_facing_scheme():
    platform = granted("internal")
    files = render_tenancy(platform, platform.env("dev"))
    params = next(o for o in files["ingress-classes.yaml"] if o["metadata"]["name"] == "team-data" and o["kind"] == "IngressClassParams")
    assert params["spec"]["scheme"] == "internal"
    alb = next(o for o in files["namespace-analytics.yaml"] if o["metadata"]["name"] == "allow-alb-ingress")
    assert [f["ipBlock"]["cidr"] for f in alb["spec"]["ingress"][0]["from"]] == list(subnet_layout(platform.env("dev")).private)
    analytics = next(o for o in files["namespace-analytics.yaml"] if o["kind"] == "Namespace")
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "r", "namespace": "analytics", "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing"}},
               "spec": {"ingressClassName": "team-data"}}
    (denial,) = admission_denials(bound_policies(files["admission-policies.yaml"]), ingress, analytics)
    assert "internet-facing ALB needs `ingress: internet-facing`" in denial


def strictest_level(docs: list[dict]) -> str:
    pods = [d for d in docs if pod_spec_of(d) is not None]
    assert pods
    for level in ("restricted", "baseline"):
        if not [v for d in pods for v in check_pod_security(d, level)]:
            return level
    return "privileged"


def keda_objects(platform, env: str) -> list[dict]:
    """KEDA as the tree renders it where an app scales with it (infra-addons; no shipped app does)."""
    from innovate_platform.gitops.controllers import render_addons

    return render_addons(platform, platform.env(env), uses_keda=True)["keda.yaml"]


@pytest.mark.parametrize("env", ENVS)
def test_controller_namespaces_enforce_the_strictest_level_their_rendered_pods_pass(objects, select, platform, env, tmp_path):
    keda_tree = keda_objects(platform, env)
    keda = helm_template(upstream("keda", platform.versions.charts["keda"]), "keda", release_values(keda_tree, "keda"), tmp_path)
    flux = helm_template(upstream("flux2", platform.versions.charts["flux2"]), "flux-system", flux_values(), tmp_path)
    sleep = [o for o in objects[env] if o["metadata"].get("namespace") == "innovate-sleep"]
    rendered = {"keda": keda, "flux-system": flux} | ({"innovate-sleep": sleep} if sleep else {})
    for ns, docs in rendered.items():
        (namespace,) = select(objects[env] + keda_tree, "Namespace", ns)
        labels = namespace["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == strictest_level(docs) == CONTROLLER_POD_SECURITY[ns], ns
        assert labels["pod-security.kubernetes.io/enforce-version"] == f"v{platform.versions.kubernetes}"
    # flux-system's NetworkPolicies come with the chart (policies.create, left at its default by CDK).
    assert sorted(d["metadata"]["name"] for d in flux if d["kind"] == "NetworkPolicy") == ["allow-egress", "allow-scraping", "allow-webhooks"]
    (flux_ns,) = select(objects[env], "Namespace", "flux-system")
    assert flux_ns["metadata"]["annotations"] == {"kustomize.toolkit.fluxcd.io/prune": "disabled"}


def test_the_sleep_jobs_reach_only_the_api_server(objects, select, platform):
    policies = select(objects["dev"], "NetworkPolicy", namespace="innovate-sleep")
    by_name = {p["metadata"]["name"]: p["spec"] for p in policies}
    assert by_name["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    (rule,) = by_name["allow-api-server"]["egress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 443}]
    assert [t["ipBlock"]["cidr"] for t in rule["to"]] == list(subnet_layout(platform.env("dev")).private)
    assert set(by_name) == {"default-deny", "allow-api-server"}


@pytest.mark.parametrize("env", ENVS)
def test_app_releases_reconcile_as_a_namespace_bound_service_account(objects, select, platform, env):
    for app in platform.apps:
        (release,) = select(objects[env], "HelmRelease", app.name, "flux-system")
        account = release["spec"]["serviceAccountName"]
        assert select(objects[env], "ServiceAccount", account, "flux-system")
        bindings = [b for b in select(objects[env], "RoleBinding") + select(objects[env], "ClusterRoleBinding")
                    if any(s.get("name") == account for s in b["subjects"])]
        assert [(b["kind"], b["metadata"].get("namespace"), b["roleRef"]["kind"]) for b in bindings] == [("RoleBinding", app.namespace, "Role")]


def test_keda_admits_exactly_the_ports_the_control_plane_calls_in_its_rendered_chart(objects, select, platform, tmp_path):
    keda_tree = keda_objects(platform, "prod")
    docs = helm_template(upstream("keda", platform.versions.charts["keda"]), "keda", release_values(keda_tree, "keda"), tmp_path)
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    called = [d["spec"]["service"] for d in docs if d["kind"] == "APIService"]
    called += [w["clientConfig"]["service"] for d in docs if d["kind"] == "ValidatingWebhookConfiguration" for w in d["webhooks"]]
    target_ports = set()
    for ref in called:
        for port in services[ref["name"]]["spec"]["ports"]:
            if port["port"] == ref.get("port", 443):
                target_ports.add(port["targetPort"])
    policies = {p["metadata"]["name"]: p["spec"] for p in select(keda_tree, "NetworkPolicy", namespace="keda")}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    (rule,) = policies["allow-control-plane"]["ingress"]
    assert {p["port"] for p in rule["ports"]} == target_ports == {6443, 9443}
    assert [f["ipBlock"]["cidr"] for f in rule["from"]] == list(subnet_layout(platform.env("prod")).private)
    assert policies["allow-https-egress"]["egress"] == [{"ports": [{"protocol": "TCP", "port": 443}]}]
