"""kubernetes, pod-security and tenancy rules on small in-memory objects, each broken in one place."""

from __future__ import annotations

import copy

import pytest

from innovate_platform.checks import kubernetes, pods, tenancy
from innovate_platform.checks.inputs import ManifestFile
from innovate_platform.checks.model import ERROR, NOTE

K8S = "1.36"
CONTAINER = {
    "name": "api", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:sha-1a2b3c4",
    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
    "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}},
    "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]},
                        "seccompProfile": {"type": "RuntimeDefault"}},
}
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "api"}, "spec": {
    "selector": {"matchLabels": {"app": "api"}},
    "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [CONTAINER]}}}}
DEFAULT_DENY = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny", "namespace": "api"},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}


def file(*objects, path="charts/api (values-prod.yaml)", env="prod") -> ManifestFile:
    return ManifestFile(env, path, "", tuple(copy.deepcopy(list(objects))))


def deployment(**container_changes) -> dict:
    obj = copy.deepcopy(DEPLOYMENT)
    obj["spec"]["template"]["spec"]["containers"][0].update(container_changes)
    return obj


# --- kubernetes ------------------------------------------------------------------------------


def test_a_valid_deployment_passes():
    assert kubernetes.manifest_findings("prod", [file(deployment())], K8S) == []


def test_a_latest_image():
    findings = kubernetes.manifest_findings("prod", [file(deployment(image="nginx:latest"))], K8S)
    assert [(f.env, f.resource, f.field) for f in findings] == [
        ("prod", "charts/api (values-prod.yaml): Deployment api/api", "spec.template.spec.containers[0].image")]
    assert "latest" in findings[0].message and "pin" in findings[0].fix


def test_an_untagged_image():
    findings = kubernetes.manifest_findings("prod", [file(deployment(image="nginx"))], K8S)
    assert len(findings) == 1 and "no tag" in findings[0].message


def test_a_removed_api_version():
    hpa = {"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "api", "namespace": "api"},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}, "maxReplicas": 3}}
    findings = kubernetes.manifest_findings("staging", [file(hpa, env="staging")], K8S)
    assert len(findings) == 1
    assert (findings[0].env, findings[0].field) == ("staging", "apiVersion")
    assert "removed in Kubernetes 1.26" in findings[0].message and findings[0].fix == "use autoscaling/v2"


def test_a_deprecated_api_version_still_served():
    endpoints = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "legacy", "namespace": "api"}, "subsets": []}
    findings = kubernetes.manifest_findings("dev", [file(endpoints, env="dev")], K8S)
    assert [f.field for f in findings] == ["apiVersion"] and "deprecated since Kubernetes 1.33" in findings[0].message


def test_an_unknown_field_names_its_path():
    findings = kubernetes.manifest_findings("prod", [file(deployment(imagePullPolcy="Always"))], K8S)
    assert len(findings) == 1 and findings[0].field.startswith("spec.template.spec.containers.0")


def test_a_crd_object_breaking_a_cel_rule():
    node_pool = {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "burst"}, "spec": {"template": {"spec": {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
        "requirements": [{"key": "karpenter.sh/nodepool", "operator": "In", "values": ["x"]}]}}}}
    findings = kubernetes.manifest_findings("prod", [file(node_pool, path="gitops/infrastructure/configs/prod/node-pools.yaml")], K8S)
    assert findings and findings[0].resource == "gitops/infrastructure/configs/prod/node-pools.yaml: NodePool burst"
    assert "requirements" in findings[0].field


def test_a_deployment_without_probes():
    obj = deployment()
    del obj["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    findings = kubernetes.manifest_findings("prod", [file(obj)], K8S)
    assert [f.field for f in findings] == ["spec.template.spec.containers[0].readinessProbe"]


# --- pod-security ----------------------------------------------------------------------------


def test_a_privileged_pod_fails_in_prod_and_is_reported_in_dev():
    privileged = deployment(securityContext={**CONTAINER["securityContext"], "privileged": True})
    prod = pods.pod_findings("prod", [file(privileged)])
    assert [(f.env, f.resource, f.field, f.severity) for f in prod] == [
        ("prod", "charts/api (values-prod.yaml): Deployment api/api", "spec.template.spec.containers[0].securityContext.privileged", ERROR)]
    assert "privileged" in prod[0].message and "set it to false" in prod[0].fix
    dev = pods.pod_findings("dev", [file(privileged, env="dev")])
    assert [f.severity for f in dev] == [NOTE]


def test_in_dev_a_violation_of_the_namespace_enforced_level_fails():
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": "api", "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}
    levels = pods.namespace_levels([file(namespace, env="dev")])
    assert levels == {"api": "baseline"}
    privileged = deployment(securityContext={"privileged": True})
    findings = pods.pod_findings("dev", [file(privileged, env="dev")], levels)
    errors = [f for f in findings if f.severity == ERROR]
    assert [(f.field, f.message.split(":")[0]) for f in errors] == [
        ("spec.template.spec.containers[0].securityContext.privileged", "baseline/privileged")]
    assert {f.severity for f in findings} == {ERROR, NOTE}  # the rest of restricted is reported


def test_a_restricted_pod_passes_and_sleep_cronjobs_are_checked():
    cronjob = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "down", "namespace": "innovate-sleep"}, "spec": {
        "schedule": "0 20 * * 1-5", "jobTemplate": {"spec": {"template": {"spec": {"containers": [
            {**CONTAINER, "securityContext": {}}]}}}}}}
    assert pods.pod_findings("prod", [file(deployment())]) == []
    findings = pods.pod_findings("prod", [file(cronjob, path="gitops/infrastructure/configs/prod/sleep.yaml")])
    assert findings and all(f.field.startswith("spec.jobTemplate.spec.template.spec") for f in findings)


# --- tenancy ---------------------------------------------------------------------------------


def rbac(kind: str, name: str, namespace: str | None, role_kind: str, role: str, group: str) -> dict:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}]}


def team_role(namespace: str) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "team", "namespace": namespace},
            "rules": [{"apiGroups": [""], "resources": ["secrets", "configmaps"], "verbs": ["get", "list"]}]}


def tenant_objects(*extra) -> list[tenancy.Located]:
    """api, web (team core) and analytics (team data): each with the team's Role, binding and default-deny."""
    objs = []
    for ns, team in (("api", "core"), ("web", "core"), ("analytics", "data")):
        labels = {"pod-security.kubernetes.io/enforce": "restricted"}
        objs += [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}}, team_role(ns),
                 rbac("RoleBinding", "team", ns, "Role", "team", f"innovate:team:{team}"),
                 {**copy.deepcopy(DEFAULT_DENY), "metadata": {"name": "default-deny", "namespace": ns}}]
    objs += [deployment(), *extra]
    return tenancy.locate([file(*objs, path="gitops/infrastructure/configs/prod/tenancy.yaml")])


def test_the_tenant_baseline_passes(platform):
    assert tenancy.tenancy_findings(platform, "prod", tenant_objects()) == []


def test_a_rolebinding_leaking_a_team_into_another_namespace(platform):
    leak = rbac("RoleBinding", "data-in-api", "api", "Role", "team", "innovate:team:data")
    findings = tenancy.tenancy_findings(platform, "prod", tenant_objects(leak))
    assert [(f.env, f.resource, f.field) for f in findings] == [
        ("prod", "gitops/infrastructure/configs/prod/tenancy.yaml: RoleBinding api/data-in-api", "subjects[0]"),
        ("prod", "gitops/infrastructure/configs/prod/tenancy.yaml: RoleBinding api/data-in-api", "roleRef"),
    ]
    assert "outside its namespaces (analytics)" in findings[0].message and "Secrets in api" in findings[1].message


def test_a_clusterrolebinding_to_cluster_admin(platform):
    admin = rbac("ClusterRoleBinding", "oops", None, "ClusterRole", "cluster-admin", "some-operators")
    findings = tenancy.tenancy_findings(platform, "prod", tenant_objects(admin))
    assert [(f.resource, f.field) for f in findings] == [
        ("gitops/infrastructure/configs/prod/tenancy.yaml: ClusterRoleBinding oops", "roleRef.name")]


def test_a_team_bound_cluster_wide_to_view_cannot_read_secrets_but_is_still_flagged(platform):
    wide = rbac("ClusterRoleBinding", "core-view", None, "ClusterRole", "view", "innovate:team:core")
    findings = tenancy.tenancy_findings(platform, "prod", tenant_objects(wide))
    assert [f.field for f in findings] == ["subjects[0]"] and "cluster-wide" in findings[0].message


def test_wildcard_verbs_on_secrets(platform):
    role = team_role("api")
    role["metadata"]["name"] = "wide"
    role["rules"] = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["*"]}]
    findings = tenancy.tenancy_findings(platform, "prod", tenant_objects(role))
    assert [(f.resource, f.field) for f in findings] == [
        ("gitops/infrastructure/configs/prod/tenancy.yaml: Role api/wide", "rules[0].verbs")]


def test_a_namespace_without_default_deny(platform):
    objs = [o for o in tenant_objects() if not (o.kind == "NetworkPolicy" and o.namespace == "analytics")]
    findings = tenancy.tenancy_findings(platform, "prod", objs)
    assert [(f.env, f.resource, f.field) for f in findings] == [("prod", "Namespace analytics", "NetworkPolicy")]


def test_a_policy_with_rules_is_not_default_deny():
    allow = copy.deepcopy(DEFAULT_DENY)
    allow["spec"]["ingress"] = [{}]
    assert tenancy.is_default_deny(DEFAULT_DENY) and not tenancy.is_default_deny(allow)
    ingress_only = copy.deepcopy(DEFAULT_DENY)
    ingress_only["spec"]["policyTypes"] = ["Ingress"]
    assert not tenancy.is_default_deny(ingress_only)


def test_a_container_without_limits(platform):
    bare = deployment(resources={"requests": {"cpu": "100m", "memory": "128Mi"}})
    bare["metadata"]["name"] = "bare"
    findings = tenancy.tenancy_findings(platform, "prod", tenant_objects(bare))
    assert [(f.resource, f.field) for f in findings] == [
        ("gitops/infrastructure/configs/prod/tenancy.yaml: Deployment api/bare", "spec.template.spec.containers[0].resources")]
    assert "limits.cpu, limits.memory" in findings[0].message


def test_a_prod_tenant_namespace_enforcing_only_baseline(platform):
    objs = tenant_objects()
    web = next(o for o in objs if o.kind == "Namespace" and o.name == "web")
    web.obj["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "baseline"
    findings = tenancy.tenancy_findings(platform, "prod", objs)
    assert [(f.resource, f.field) for f in findings] == [
        ("gitops/infrastructure/configs/prod/tenancy.yaml: Namespace web", "metadata.labels['pod-security.kubernetes.io/enforce']")]
    assert tenancy.tenancy_findings(platform, "dev", objs) == []


def test_a_hand_edited_gitops_file_is_stale(platform, tmp_path):
    import shutil
    from pathlib import Path

    from innovate_platform.checks.inputs import CheckInputs

    root = Path(__file__).resolve().parents[2]
    for name in ("gitops", "charts"):
        shutil.copytree(root / name, tmp_path / name)
    edited = tmp_path / "gitops" / "infrastructure" / "configs" / "prod" / "namespace-api.yaml"
    edited.write_text(edited.read_text().replace("enforce: restricted", "enforce: privileged", 1))
    (tmp_path / "gitops" / "apps" / "prod" / "extra.yaml").write_text("# left behind\n")
    inputs = CheckInputs(platform, tmp_path, ("prod",))
    try:
        findings = kubernetes.run(inputs, "prod")
    finally:
        inputs.close()
    stale = [(f.resource, f.fix) for f in findings if "differs" in f.message]
    assert [r for r, _ in stale] == ["gitops/apps/prod/extra.yaml", "gitops/infrastructure/configs/prod/namespace-api.yaml"]
    assert all(fix == "run `innovate gitops` and commit the result" for _, fix in stale)
