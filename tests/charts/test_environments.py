"""What differs per environment: replicas and spread, capacity type, hosts, certificates, IRSA."""

from __future__ import annotations

import copy

import pytest
import yaml

from innovate_platform.config import load_platform
from tests.conftest import ROOT

ACCOUNTS = {name: e.account for name, e in load_platform(ROOT / "platform.yaml").environments.items()}
HOSTS = {"dev": "dev.innovate.example.com", "staging": "staging.innovate.example.com", "prod": "app.innovate.example.com"}
ON_DEMAND_TERMS = [
    {"matchExpressions": [{"key": "eks.amazonaws.com/capacityType", "operator": "In", "values": ["ON_DEMAND"]}]},
    {"matchExpressions": [{"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]}]},
]
ON_DEMAND_TOLERATION = {"key": "innovate.io/lifecycle", "operator": "Equal", "value": "on-demand", "effect": "NoSchedule"}


def pod_spec(charts, app, env):
    return charts.only(charts.render(app, env), "Deployment")["spec"]["template"]["spec"]


def hpa_range(charts, app, env):
    hpa = charts.only(charts.render(app, env), "HorizontalPodAutoscaler")["spec"]
    return hpa["minReplicas"], hpa["maxReplicas"]


def zone_spread(charts, app, env):
    constraints = pod_spec(charts, app, env)["topologySpreadConstraints"]
    return next(c for c in constraints if c["topologyKey"] == "topology.kubernetes.io/zone")


def test_prod_runs_at_least_three_replicas_that_must_span_three_zones(charts, app):
    low, high = hpa_range(charts, app, "prod")
    assert low >= 3 and high > low
    zone = zone_spread(charts, app, "prod")
    assert zone["whenUnsatisfiable"] == "DoNotSchedule" and zone["maxSkew"] == 1 and zone["minDomains"] == 3
    deployment = charts.only(charts.render(app, "prod"), "Deployment")
    assert "replicas" not in deployment["spec"]  # the HPA owns the count; a Flux sync never resets it
    assert zone["labelSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_dev_and_staging_prefer_zone_spread_without_blocking_scheduling(charts, app, env):
    zone = zone_spread(charts, app, env)
    assert zone["whenUnsatisfiable"] == "ScheduleAnyway" and "minDomains" not in zone
    hostname = next(c for c in pod_spec(charts, app, env)["topologySpreadConstraints"]
                    if c["topologyKey"] == "kubernetes.io/hostname")
    assert hostname["whenUnsatisfiable"] == "ScheduleAnyway"


def test_hpa_ranges_grow_from_dev_to_prod(charts, app):
    dev, staging, prod = (hpa_range(charts, app, env) for env in ("dev", "staging", "prod"))
    assert dev[0] == 1 and dev[1] <= 3
    assert dev[0] < staging[0] < prod[0] and dev[1] <= staging[1] < prod[1]
    hpa = charts.only(charts.render(app, "prod"), "HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": charts.only(charts.render(app, "prod"), "Deployment")["metadata"]["name"]}
    (metric,) = hpa["metrics"]
    assert metric["resource"]["name"] == "cpu" and metric["resource"]["target"]["type"] == "Utilization"


def test_prod_api_runs_only_on_on_demand_capacity(charts):
    spec = pod_spec(charts, "api", "prod")
    required = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert required["nodeSelectorTerms"] == ON_DEMAND_TERMS  # two terms: ORed
    assert ON_DEMAND_TOLERATION in spec["tolerations"]


@pytest.mark.parametrize(("app", "env"), [("api", "dev"), ("api", "staging"), ("web", "dev"), ("web", "staging"), ("web", "prod")])
def test_elsewhere_spot_is_fine_and_the_on_demand_pool_is_left_alone(charts, app, env):
    spec = pod_spec(charts, app, env)
    assert "affinity" not in spec
    assert ON_DEMAND_TOLERATION not in spec.get("tolerations", [])


def test_each_environment_has_its_host_certificate_and_the_shared_class(charts, app, env):
    ingress = charts.only(charts.render(app, env), "Ingress")
    notes = ingress["metadata"]["annotations"]
    assert ingress["spec"]["ingressClassName"] == "alb"
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == HOSTS[env]
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ({"api": "/api", "web": "/"}[app], "Prefix")
    assert path["backend"]["service"]["port"] == {"name": "http"}
    assert notes["alb.ingress.kubernetes.io/certificate-arn"].startswith(f"arn:aws:acm:us-east-1:{ACCOUNTS[env]}:certificate/")
    assert notes["alb.ingress.kubernetes.io/wafv2-acl-arn"].startswith(
        f"arn:aws:wafv2:us-east-1:{ACCOUNTS[env]}:regional/webacl/innovate-{env}-edge/")
    assert notes["alb.ingress.kubernetes.io/target-type"] == "ip"
    assert yaml.safe_load(notes["alb.ingress.kubernetes.io/listen-ports"]) == [{"HTTP": 80}, {"HTTPS": 443}]
    assert notes["alb.ingress.kubernetes.io/ssl-redirect"] == "443"
    assert notes["alb.ingress.kubernetes.io/ssl-policy"].startswith("ELBSecurityPolicy-TLS13-")
    # Group and scheme come from the class's IngressClassParams; tenant admission forbids group.* here
    # except the catch-all's place at the end of the group (group.order 1000, gitops/edge.py).
    grouping = {k: v for k, v in notes.items()
                if k.startswith(("alb.ingress.kubernetes.io/group.", "alb.ingress.kubernetes.io/scheme"))}
    assert grouping == ({"alb.ingress.kubernetes.io/group.order": "1000"} if app == "web" else {})
    assert notes["alb.ingress.kubernetes.io/healthcheck-path"] == "/healthz"


def _controller_order(ingresses: list[dict]) -> list[str]:
    """The paths in the order the AWS Load Balancer Controller turns the group's members into listener
    rules: ascending group.order (default 0), then namespace/name (sortGroupMembers, group_loader.go)."""
    def key(ing):
        order = int(ing["metadata"].get("annotations", {}).get("alb.ingress.kubernetes.io/group.order", "0"))
        return order, f"{ing['metadata']['namespace']}/{ing['metadata']['name']}"
    return [i["spec"]["rules"][0]["http"]["paths"][0]["path"] for i in sorted(ingresses, key=key)]


def _another_exposed_app(charts, env, namespace: str, path: str) -> dict:
    """A further exposed app's Ingress as its chart would render it: the API's, in another namespace,
    with another path and the order gitops/edge.py gives that path."""
    from innovate_platform.gitops.edge import CATCH_ALL_PATH

    ing = copy.deepcopy(charts.only(charts.render("api", env), "Ingress"))
    ing["metadata"]["namespace"] = namespace
    ing["spec"]["rules"][0]["http"]["paths"][0]["path"] = path
    assert path != CATCH_ALL_PATH and "alb.ingress.kubernetes.io/group.order" not in ing["metadata"]["annotations"]
    return ing


def test_the_web_catch_all_is_matched_after_every_other_exposed_path(charts, env):
    """The catch-all is last by its group.order, not by namespace names: an exposed app whose namespace
    sorts after `web` (here `zeta`) is still matched before web's `/`."""
    ingresses = [charts.only(charts.render(app, env), "Ingress") for app in ("api", "web")]
    assert _controller_order(ingresses) == ["/api", "/"]
    zeta = _another_exposed_app(charts, env, "zeta", "/zeta")
    assert _controller_order([*ingresses, zeta]) == ["/api", "/zeta", "/"]


def test_without_the_group_order_a_later_namespace_sits_behind_the_catch_all(charts, env):
    """The seeded failure: drop web's group.order and `zeta`'s /zeta comes after `/`, never reached."""
    ingresses = [charts.only(charts.render(app, env), "Ingress") for app in ("api", "web")]
    del ingresses[1]["metadata"]["annotations"]["alb.ingress.kubernetes.io/group.order"]
    zeta = _another_exposed_app(charts, env, "zeta", "/zeta")
    assert _controller_order([*ingresses, zeta]) == ["/api", "/", "/zeta"]


def test_the_api_assumes_its_environments_irsa_role(charts, env):
    objects = charts.render("api", env)
    (account,) = [o for o in objects if o["kind"] == "ServiceAccount" and "helm.sh/hook" not in o["metadata"].get("annotations", {})]
    assert account["metadata"]["name"] == "api"  # the role trusts system:serviceaccount:api:api
    assert account["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": f"arn:aws:iam::{ACCOUNTS[env]}:role/innovate-{env}-api"}
    spec = charts.only(objects, "Deployment")["spec"]["template"]["spec"]
    assert spec["serviceAccountName"] == "api" and spec["automountServiceAccountToken"] is False
    env_vars = {e["name"]: e["value"] for e in spec["containers"][0]["env"]}
    assert env_vars["S3_BUCKET"] == f"innovate-{env}-api-{ACCOUNTS[env]}"
    assert (env_vars["DB_IAM_AUTH"], env_vars["DB_NAME"], env_vars["DB_USER"], env_vars["AWS_REGION"]) == (
        "true", "projects", "api", "us-east-1")


def test_the_web_has_no_cloud_or_kubernetes_credentials(charts, env):
    objects = charts.render("web", env)
    account = charts.only(objects, "ServiceAccount")
    assert "annotations" not in account["metadata"]
    assert charts.only(objects, "Deployment")["spec"]["template"]["spec"]["automountServiceAccountToken"] is False


def test_only_the_api_is_scraped_by_prometheus(charts, env):
    api = charts.only(charts.render("api", env), "Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert api == {"prometheus.io/scrape": "true", "prometheus.io/port": "8080", "prometheus.io/path": "/metrics"}
    web = charts.only(charts.render("web", env), "Deployment")["spec"]["template"]["metadata"]
    assert "annotations" not in web


def test_environment_files_hold_only_what_differs(charts, app, env):
    defaults = yaml.safe_load((charts.charts_dir / app / "values.yaml").read_text())
    overrides = yaml.safe_load((charts.charts_dir / app / f"values-{env}.yaml").read_text())

    def same(default, override, path):
        if isinstance(override, dict):
            for key, value in override.items():
                yield from same(default.get(key), value, f"{path}.{key}")
        elif override == default:
            yield path

    assert list(same(defaults, overrides, "")) == []


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_migrations_are_a_release_step_run_as_the_schema_owner_not_in_every_pod(charts, env, platform):
    """A Helm hook Job (post-install, pre-upgrade) as migrator; the app's pods start no migration."""
    objects = charts.render("api", env)
    deployment = charts.only(objects, "Deployment")
    spec = deployment["spec"]["template"]["spec"]
    assert "initContainers" not in spec
    (app,) = spec["containers"]
    job = charts.only(objects, "Job")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"  # before any pod serves
    assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"]
    assert 0 < job["spec"]["backoffLimit"] <= 3
    release = yaml.safe_load((charts.charts_dir.parent / "gitops" / "apps" / env / "api.yaml").read_text())
    timeout_s = int(release["spec"]["timeout"].removesuffix("m")) * 60
    assert job["spec"]["activeDeadlineSeconds"] < timeout_s, "the Job must fail before Flux's release timeout"
    pod = job["spec"]["template"]["spec"]
    (migrate,) = pod["containers"]
    assert migrate["command"] == ["python", "-m", "innovate_api.migrate", "upgrade"]
    assert migrate["image"] == app["image"] and migrate["securityContext"] == app["securityContext"]
    job_env = {e["name"]: e.get("value") for e in migrate["env"]}
    app_env = {e["name"]: e.get("value") for e in app["env"]}
    database = platform.env(env).database
    assert app_env["DB_USER"] == database.iam_user and job_env["DB_USER"] == database.migrator_user
    assert 0 < int(job_env["MIGRATE_WAIT_SECONDS"]) < job["spec"]["activeDeadlineSeconds"]
    assert {k: v for k, v in job_env.items() if k not in ("DB_USER", "MIGRATE_WAIT_SECONDS")} == {
        k: v for k, v in app_env.items() if k != "DB_USER" and k in job_env}
    # Its own ServiceAccount (a hook before it), the one the migrator IRSA role trusts; not the app's.
    from innovate_platform.naming import migrator_role

    assert pod["serviceAccountName"] == migrator_role("api", "api").service_account != spec["serviceAccountName"]
    (account,) = [o for o in objects if o["kind"] == "ServiceAccount" and o["metadata"]["name"] == pod["serviceAccountName"]]
    assert account["metadata"]["annotations"]["helm.sh/hook"] == annotations["helm.sh/hook"]
    assert int(account["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(annotations["helm.sh/hook-weight"])
    assert account["automountServiceAccountToken"] is False
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == (
        f"arn:aws:iam::{ACCOUNTS[env]}:role/innovate-{env}-api-migrator")
    # Its own labels: the Service, PodDisruptionBudget and the app's NetworkPolicy never select it.
    job_labels = job["spec"]["template"]["metadata"]["labels"]
    service = charts.only(objects, "Service")
    assert not set(service["spec"]["selector"].items()) <= set(job_labels.items())
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"
                and set(o["spec"]["podSelector"]["matchLabels"].items()) <= set(job_labels.items())]
    assert len(policies) == 1 and policies[0]["spec"]["ingress"] == []
    # Created as a hook before the Job (weight), so it exists even on the upgrade that adds it.
    policy_hook = policies[0]["metadata"]["annotations"]
    assert policy_hook["helm.sh/hook"] == annotations["helm.sh/hook"]
    assert int(policy_hook["helm.sh/hook-weight"]) < int(annotations["helm.sh/hook-weight"])
    web = charts.render("web", env)
    assert "initContainers" not in charts.only(web, "Deployment")["spec"]["template"]["spec"]
    assert not [o for o in web if o["kind"] == "Job"]


def _attributes(annotation: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in annotation.split(","))


def test_the_alb_logs_access_drops_invalid_headers_and_sends_hsts(charts, app, env):
    notes = charts.only(charts.render(app, env), "Ingress")["metadata"]["annotations"]
    attributes = _attributes(notes["alb.ingress.kubernetes.io/load-balancer-attributes"])
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == f"innovate-{env}-alb-logs-{ACCOUNTS[env]}"
    assert attributes["access_logs.s3.prefix"] == "innovate"
    assert attributes["deletion_protection.enabled"] == ("true" if env == "prod" else "false")
    hsts = notes["alb.ingress.kubernetes.io/listener-attributes.HTTPS-443"]
    assert hsts == "routing.http.response.strict_transport_security.header_value=max-age=31536000;includeSubDomains"


def test_dev_and_staging_albs_admit_only_the_configured_ranges_and_prod_the_internet(charts, app, env, platform):
    notes = charts.only(charts.render(app, env), "Ingress")["metadata"]["annotations"]
    cidrs = platform.env(env).edge.inbound_cidrs
    if env == "prod":
        assert cidrs == () and "alb.ingress.kubernetes.io/inbound-cidrs" not in notes
    else:
        assert cidrs and notes["alb.ingress.kubernetes.io/inbound-cidrs"] == ",".join(cidrs)


def test_the_api_and_the_web_state_the_same_alb_attributes(charts, env):
    """One ALB per group: differing load-balancer attributes would make the controller refuse the group."""
    notes = [charts.only(charts.render(app, env), "Ingress")["metadata"]["annotations"] for app in ("api", "web")]
    for key in ("alb.ingress.kubernetes.io/load-balancer-attributes", "alb.ingress.kubernetes.io/listener-attributes.HTTPS-443",
                "alb.ingress.kubernetes.io/wafv2-acl-arn", "alb.ingress.kubernetes.io/ssl-policy"):
        assert notes[0][key] == notes[1][key], key
    assert notes[0].get("alb.ingress.kubernetes.io/inbound-cidrs") == notes[1].get("alb.ingress.kubernetes.io/inbound-cidrs")
