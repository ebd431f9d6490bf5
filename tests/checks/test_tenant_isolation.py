"""Tenant isolation through the `tenancy` check: the rendered admission policies' CEL denies every
hostile object in every environment and admits the platform's own charts; RBAC reach per team and
per app reconciler matches platform.yaml. Each seeded failure is named."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from innovate_platform.checks import tenancy
from innovate_platform.checks.admission import admission_denials, bound_policies
from innovate_platform.checks.inputs import CheckInputs, ManifestFile
from innovate_platform.checks.quota_fit import quota_findings
from innovate_platform.checks.rbac_reach import release_findings, team_findings
from innovate_platform.checks.tenant_admission import admission_findings, hostile_corpus

ROOT = Path(__file__).resolve().parents[2]
ENVS = ("dev", "staging", "prod")


@pytest.fixture(scope="module")
def inputs(platform):
    """The committed platform's GitOps tree and Helm-rendered charts, as `innovate check` reads them."""
    shared = CheckInputs(platform, ROOT, ENVS)
    yield shared
    shared.close()


@pytest.fixture(scope="module")
def located(inputs):
    return {env: tenancy.locate(inputs.gitops().for_env(env) + inputs.charts().for_env(env)) for env in ENVS}


def tenants(platform, env):
    return tenancy.tenant_namespaces(platform, platform.env(env))


def namespace_obj(objects, name):
    return next(o.obj for o in objects if o.kind == "Namespace" and o.name == name)


def policies(objects):
    return bound_policies([o.obj for o in objects])


@pytest.mark.parametrize("env", ENVS)
def test_the_tenancy_check_passes_the_committed_platform(platform, inputs, env):
    assert tenancy.run(inputs, env) == []


@pytest.mark.parametrize("env", ENVS)
def test_a_team_ingress_joining_the_shared_group_is_denied(platform, located, env):
    objects = located[env]
    for ns in sorted(tenants(platform, env)):
        ingress = next(h.obj for h in hostile_corpus(platform, platform.env(env), ns) if h.case == "an Ingress joining the shared group")
        assert ingress["metadata"]["annotations"] == {"alb.ingress.kubernetes.io/group.name": platform.organisation}
        denied = admission_denials(policies(objects), ingress, namespace_obj(objects, ns))
        assert any("IngressGroup annotations" in d for d in denied), (env, ns, denied)


@pytest.mark.parametrize("env", ENVS)
def test_a_team_pod_at_a_platform_priority_class_is_denied(platform, located, env):
    objects = located[env]
    for ns in sorted(tenants(platform, env)):
        for priority in ("system-node-critical", "system-cluster-critical", "innovate-critical"):
            pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": ns},
                   "spec": {"priorityClassName": priority, "containers": [{"name": "c", "image": "busybox:1.37.0"}]}}
            denied = admission_denials(policies(objects), pod, namespace_obj(objects, ns))
            assert any("priorityClassName must be one of innovate-app" in d for d in denied), (env, ns, priority)
        quota = next(o.obj for o in objects if o.kind == "ResourceQuota" and o.namespace == ns and o.name == "platform-priority-classes")
        assert quota["spec"]["hard"] == {"pods": "0"}
        (scope,) = quota["spec"]["scopeSelector"]["matchExpressions"]
        assert scope["scopeName"] == "PriorityClass" and "system-node-critical" in scope["values"]


@pytest.mark.parametrize("env", ENVS)
def test_an_app_release_reconciled_as_cluster_admin_is_a_finding(platform, located, env):
    objects = located[env]
    assert list(release_findings(platform, env, objects)) == []
    releases = [o for o in objects if o.kind == "HelmRelease" and o.name in {a.name for a in platform.apps}]
    assert releases and all(r.obj["spec"]["serviceAccountName"] == f"{r.name}-reconciler" for r in releases)
    seeded = []
    for o in objects:
        if o.kind == "HelmRelease" and o.name == "api":
            obj = copy.deepcopy(o.obj)
            del obj["spec"]["serviceAccountName"]
            o = tenancy.Located(o.path, obj, o.default_namespace)
        seeded.append(o)
    (finding,) = release_findings(platform, env, seeded)
    assert finding.field == "spec.serviceAccountName" and "HelmRelease flux-system/api" in finding.resource
    assert "cluster-admin" in finding.message


def test_a_reconciler_bound_cluster_wide_or_missing_a_chart_kind_is_named(platform, located):
    objects = list(located["prod"])
    crb = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "oops"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
           "subjects": [{"kind": "ServiceAccount", "name": "web-reconciler", "namespace": "flux-system"}]}
    findings = list(release_findings(platform, "prod", objects + tenancy.locate([ManifestFile("prod", "seed.yaml", "", (crb,))])))
    assert [f.resource for f in findings] == ["gitops/apps/prod/web.yaml: HelmRelease flux-system/web"]
    assert "reaches beyond namespace web" in findings[0].message and "in *" in findings[0].message

    trimmed = []
    for o in objects:
        if o.kind == "Role" and o.name == "flux-web-reconciler":
            obj = copy.deepcopy(o.obj)
            obj["rules"] = [r for r in obj["rules"] if "ingresses" not in r["resources"]]
            o = tenancy.Located(o.path, obj, o.default_namespace)
        trimmed.append(o)
    messages = sorted(f.message for f in release_findings(platform, "prod", trimmed))
    assert messages == [f"reconciler web-reconciler cannot create the chart's {kind} objects in web"
                        for kind in ("Ingress", "NetworkPolicy")]


def test_a_team_reaching_beyond_its_grant_is_named(platform, located):
    objects = located["dev"]
    assert list(team_findings(platform, "dev", objects)) == []
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "extra", "namespace": "analytics"},
            "rules": [{"apiGroups": ["networking.k8s.io"], "resources": ["ingresses"], "verbs": ["create"]}]}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "extra", "namespace": "analytics"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "extra"},
               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "innovate:team:data"}]}
    (finding,) = team_findings(platform, "dev", objects + tenancy.locate([ManifestFile("dev", "seed.yaml", "", (role, binding))]))
    assert finding.resource == "team data (group innovate:team:data)"
    assert finding.message.endswith("create networking.k8s.io/ingresses in analytics")


def test_without_the_policies_every_hostile_object_is_admitted_and_named(platform, located):
    objects = [o for o in located["staging"] if o.kind != "ValidatingAdmissionPolicyBinding"]
    findings = admission_findings(platform, "staging", objects, tenants(platform, "staging"))
    cases = {f.resource for f in findings}
    for ns in ("api", "web", "analytics"):
        for case in ("a pod at PriorityClass system-node-critical", "a pod tolerating the system taint",
                     "an Ingress joining the shared group", "an Ingress with a redirect action", "a privileged pod"):
            assert f"admission: {case} in namespace {ns}" in cases
    assert all(f.message == "is admitted: no rendered policy denies it" for f in findings)


def test_a_policy_missing_one_rule_names_the_objects_only_that_rule_stops(platform, located):
    objects = []
    for o in located["prod"]:
        if o.kind == "ValidatingAdmissionPolicy" and o.name == "innovate-tenant-pods":
            obj = copy.deepcopy(o.obj)
            obj["spec"]["validations"] = [v for v in obj["spec"]["validations"] if "hostPath" not in v["message"]]
            o = tenancy.Located(o.path, obj, o.default_namespace)
        objects.append(o)
    findings = admission_findings(platform, "prod", objects, tenants(platform, "prod"))
    assert {f.resource for f in findings} == {f"admission: a pod mounting a hostPath in namespace {ns}" for ns in ("analytics", "api", "web")}


def test_a_platform_chart_object_the_policies_deny_is_named(platform, located):
    objects = list(located["dev"])
    deployment = next(o for o in objects if o.kind == "Deployment" and o.namespace == "api")
    bad = copy.deepcopy(deployment.obj)
    bad["spec"]["template"]["spec"]["priorityClassName"] = "innovate-critical"
    objects.append(tenancy.Located(deployment.path, bad, deployment.default_namespace))
    (finding,) = admission_findings(platform, "dev", objects, tenants(platform, "dev"))
    assert finding.resource == deployment.where and "the platform's own object is denied" in finding.message
    assert "priorityClassName" in finding.message


def test_an_internet_facing_ingress_is_admitted_only_for_a_granted_team(platform, located):
    objects = located["prod"]
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "i", "namespace": "analytics", "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing"}},
               "spec": {"ingressClassName": "team-data"}}
    denied = admission_denials(policies(objects), ingress, namespace_obj(objects, "analytics"))
    assert any("internet-facing ALB needs" in d for d in denied) and any("ingressClassName" in d for d in denied)


def test_an_app_that_outgrows_its_namespace_quota_is_named(platform, located):
    objects = []
    for o in located["staging"]:
        if o.kind == "ResourceQuota" and o.name == "tenant-quota" and o.namespace == "api":
            obj = copy.deepcopy(o.obj)
            obj["spec"]["hard"]["requests.cpu"] = "1000m"  # api: 4 replicas + 1 surge x 250m = 1250m
            o = tenancy.Located(o.path, obj, o.default_namespace)
        objects.append(o)
    (finding,) = quota_findings("staging", objects, tenants(platform, "staging"))
    assert finding.resource == "ResourceQuota api/tenant-quota"
    assert "request 1250m CPU and 1280Mi, more than the quota (1000m" in finding.message


def test_a_policy_without_the_sign_in_rules_names_the_anonymous_ingresses(platform, located):
    objects = []
    for o in located["prod"]:
        if o.kind == "ValidatingAdmissionPolicy" and o.name == "innovate-tenant-ingresses":
            obj = copy.deepcopy(o.obj)
            obj["spec"]["validations"] = [v for v in obj["spec"]["validations"]
                                          if "authenticate users" not in v["message"] and "anonymous" not in v["message"]]
            o = tenancy.Located(o.path, obj, o.default_namespace)
        objects.append(o)
    findings = admission_findings(platform, "prod", objects, tenants(platform, "prod"))
    cases = ("an internet-facing Ingress without sign-in", "an internet-facing Ingress with auth-type none",
             "an Ingress letting unauthenticated requests through")
    # api and web use the shared internet-facing class; analytics has no class granted in prod.
    assert {f.resource for f in findings} == {f"admission: {case} in namespace {ns}" for case in cases for ns in ("api", "web")}


def test_without_the_service_policy_a_service_overriding_sign_in_is_named(platform, located):
    objects = [o for o in located["prod"] if o.name != "innovate-tenant-services"]
    findings = admission_findings(platform, "prod", objects, tenants(platform, "prod"))
    cases = ("a Service with auth-type none", "a Service letting unauthenticated requests through")
    assert {f.resource for f in findings} == {f"admission: {case} in namespace {ns}" for case in cases
                                              for ns in ("analytics", "api", "web")}
    assert all(f.message == "is admitted: no rendered policy denies it" for f in findings)


def test_an_ingress_naming_the_trusted_alb_is_refused(platform, located):
    objects = located["prod"]
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "i", "namespace": "web", "annotations": {
                   "alb.ingress.kubernetes.io/load-balancer-name": "innovate-prod",
                   "alb.ingress.kubernetes.io/auth-type": "cognito"}},
               "spec": {"ingressClassName": "alb"}}
    denied = admission_denials(policies(objects), ingress, namespace_obj(objects, "web"))
    assert [d for d in denied if "load-balancer-name is the platform's" in d], denied


def _web_ingress(located, env):
    return next(o for o in located[env] if o.kind == "Ingress" and o.namespace == "web")


@pytest.mark.parametrize("env", ENVS)
def test_the_catch_all_group_order_is_admitted_and_no_other_order(platform, located, env):
    """web's Ingress carries group.order 1000 (last in the shared group, gitops/edge.py): the tenant
    policy admits it, and refuses any other order (a tenant moving its Ingress ahead)."""
    objects, web = located[env], _web_ingress(located, env)
    assert web.obj["metadata"]["annotations"]["alb.ingress.kubernetes.io/group.order"] == "1000"
    assert admission_denials(policies(objects), web.obj, namespace_obj(objects, "web")) == []
    for order in ("999", "0", "-1000"):
        ahead = copy.deepcopy(web.obj)
        ahead["metadata"]["annotations"]["alb.ingress.kubernetes.io/group.order"] = order
        denied = admission_denials(policies(objects), ahead, namespace_obj(objects, "web"))
        assert any("IngressGroup annotations" in d for d in denied), (order, denied)


def test_a_policy_refusing_every_group_order_names_the_platform_web_ingress(platform, located):
    """The seeded failure: without the catch-all exception the platform's own web Ingress is denied."""
    objects, web = [], _web_ingress(located, "dev")
    for o in located["dev"]:
        if o.kind == "ValidatingAdmissionPolicy" and o.name == "innovate-tenant-ingresses":
            strict = copy.deepcopy(o.obj)
            for v in strict["spec"]["validations"]:
                if "group." in v["expression"]:
                    v["expression"] = "!variables.annotations.exists(k, k.startsWith('alb.ingress.kubernetes.io/group.'))"
            o = tenancy.Located(o.path, strict, o.default_namespace)
        objects.append(o)
    findings = admission_findings(platform, "dev", objects, tenants(platform, "dev"))
    assert [f.resource for f in findings] == [web.where], findings
    assert "the platform's own object is denied" in findings[0].message and "IngressGroup" in findings[0].message
