"""Each manifest validator accepts a valid object and catches a seeded error of its kind."""

from __future__ import annotations

import copy

import pytest

from innovate_platform.checks.manifests import (
    SubstitutionError,
    image_problem,
    strict_schema,
    substitute,
    validate_documents,
    validate_object,
)

K8S = "1.36"

NODE_POOL = {
    "apiVersion": "karpenter.sh/v1",
    "kind": "NodePool",
    "metadata": {"name": "burst"},
    "spec": {
        "template": {
            "spec": {
                "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
                "requirements": [
                    {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot", "on-demand"]},
                    {"key": "topology.kubernetes.io/zone", "operator": "Exists", "minValues": 2},
                ],
                "expireAfter": "336h",
            }
        },
        "disruption": {
            "consolidationPolicy": "WhenEmptyOrUnderutilized",
            "consolidateAfter": "5m",
            "budgets": [{"nodes": "10%"}, {"nodes": "0", "schedule": "0 8 * * mon-fri", "duration": "10h"}],
        },
        "limits": {"cpu": "64", "memory": "256Gi"},
    },
}

NODE_CLASS = {
    "apiVersion": "karpenter.k8s.aws/v1",
    "kind": "EC2NodeClass",
    "metadata": {"name": "default"},
    "spec": {
        "amiSelectorTerms": [{"alias": "al2023@v20261110"}],
        "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "innovate-dev"}}],
        "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "innovate-dev"}}],
        "role": "innovate-dev-karpenter-node",
    },
}

HELM_RELEASE = {
    "apiVersion": "helm.toolkit.fluxcd.io/v2",
    "kind": "HelmRelease",
    "metadata": {"name": "metrics-server", "namespace": "kube-system"},
    "spec": {
        "interval": "1h",
        "chart": {"spec": {"chart": "metrics-server", "version": "3.13.1", "sourceRef": {"kind": "HelmRepository", "name": "metrics-server"}}},
        "values": {"image": {"tag": "v0.8.1"}},
    },
}

SECURITY_GROUP_POLICY = {
    "apiVersion": "vpcresources.k8s.aws/v1beta1",
    "kind": "SecurityGroupPolicy",
    "metadata": {"name": "api", "namespace": "api"},
    "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "api"}}, "securityGroups": {"groupIds": ["sg-0123"]}},
}

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "api", "namespace": "api"},
    "spec": {
        "selector": {"matchLabels": {"app": "api"}},
        "template": {
            "metadata": {"labels": {"app": "api"}},
            "spec": {"containers": [{"name": "api", "image": "444444444444.dkr.ecr.us-east-1.amazonaws.com/api:0.1.0"}]},
        },
    },
}


def _with(obj: dict, path: str, value) -> dict:
    """A copy with `value` set at a dotted path (`-` deletes the key; [n] indexes lists)."""
    out = copy.deepcopy(obj)
    *parents, last = path.replace("]", "").replace("[", ".").split(".")
    node = out
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value == "-":
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return out


@pytest.mark.parametrize("obj", [NODE_POOL, NODE_CLASS, HELM_RELEASE, SECURITY_GROUP_POLICY, DEPLOYMENT])
def test_valid_objects_pass(obj):
    assert validate_object(obj, K8S) == []


@pytest.mark.parametrize(
    ("obj", "path", "value", "expected"),
    [
        (NODE_POOL, "spec.disruption.consolidationPolcy", "WhenEmpty", "'consolidationPolcy' was unexpected"),
        (NODE_CLASS, "spec.metadataOptions", {"httpPutResponseHopLimit": 1, "httpTokenz": "required"}, "'httpTokenz' was unexpected"),
        (HELM_RELEASE, "spec.install", {"crd": "CreateReplace"}, "'crd' was unexpected"),
        (SECURITY_GROUP_POLICY, "spec.securityGroups", {"groupId": ["sg-0123"]}, "'groupId' was unexpected"),
    ],
)
def test_crd_schema_rejects_unknown_fields(obj, path, value, expected):
    findings = validate_object(_with(obj, path, value), K8S)
    assert any(expected in f.message for f in findings), findings


@pytest.mark.parametrize(
    ("obj", "path", "value", "expected"),
    [
        # a budget window needs both schedule and duration (CEL, not expressible in the schema)
        (NODE_POOL, "spec.disruption.budgets[1].duration", "-", "'schedule' must be set with 'duration'"),
        # minValues larger than the listed values (CEL over the requirement list)
        (NODE_POOL, "spec.template.spec.requirements[0].minValues", 3, "minValues"),
        # restricted label domain: uses the registered `find` function
        (NODE_POOL, "spec.template.metadata", {"labels": {"karpenter.sh/custom": "x"}}, "restricted"),
        # exactly one of role / instanceProfile
        (NODE_CLASS, "spec.instanceProfile", "innovate-dev-profile", "exactly one of ['role', 'instanceProfile']"),
        # alias family: uses the registered `split` function
        (NODE_CLASS, "spec.amiSelectorTerms[0].alias", "ubuntu@v1", "family"),
    ],
)
def test_crd_cel_rules_are_evaluated(obj, path, value, expected):
    findings = validate_object(_with(obj, path, value), K8S)
    assert any(expected in f.message for f in findings), findings


def test_crd_patterns_catch_an_invalid_duration():
    findings = validate_object(_with(NODE_POOL, "spec.disruption.consolidateAfter", "5 minutes"), K8S)
    assert [f.where for f in findings] == ["NodePool burst .spec.disruption.consolidateAfter"]


def test_cel_rules_on_old_self_are_skipped():
    # nodeClassRef.group has `self.group == oldSelf.group`; a create has no oldSelf and must pass
    assert validate_object(_with(NODE_POOL, "spec.template.spec.nodeClassRef.group", "karpenter.k8s.aws"), K8S) == []


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [("policy/v1beta1", "PodSecurityPolicy"), ("autoscaling/v2beta2", "HorizontalPodAutoscaler"), ("batch/v1beta1", "CronJob")],
)
def test_removed_api_versions_fail(api_version, kind):
    findings = validate_object({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}, "spec": {}}, K8S)
    assert findings and "not served by Kubernetes 1.36" in findings[0].message


def test_removed_flux_api_versions_fail():
    old = _with(HELM_RELEASE, "apiVersion", "helm.toolkit.fluxcd.io/v2beta1")
    assert "not a served version" in validate_object(old, K8S)[0].message


def test_core_kinds_are_strict():
    findings = validate_object(_with(DEPLOYMENT, "spec.replica", 2), K8S)
    assert any("'replica' was unexpected" in f.message for f in findings), findings
    wrong_type = validate_object(_with(DEPLOYMENT, "spec.replicas", "two"), K8S)
    assert wrong_type and wrong_type[0].where == "Deployment api/api .spec.replicas"


@pytest.mark.parametrize(
    ("path", "image"),
    [
        ("spec.template.spec.containers[0].image", "nginx:latest"),
        ("spec.template.spec.containers[0].image", "nginx"),
        ("spec.template.spec.containers[0].image", "registry.local:5000/nginx"),
    ],
)
def test_images_must_be_pinned(path, image):
    findings = validate_object(_with(DEPLOYMENT, path, image), K8S)
    assert any("pin a version" in f.message for f in findings), findings


def test_image_pins_accept_tags_and_digests():
    assert image_problem("registry.local:5000/nginx:1.27.0") is None
    assert image_problem("nginx@sha256:" + "a" * 64) is None


def test_helm_values_and_chart_versions_must_be_pinned():
    latest = validate_object(_with(HELM_RELEASE, "spec.values.image.tag", "latest"), K8S)
    assert any("latest" in f.message for f in latest)
    star = validate_object(_with(HELM_RELEASE, "spec.chart.spec.version", "*"), K8S)
    assert any("not an exact version" in f.message for f in star)
    oci = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "OCIRepository",
        "metadata": {"name": "karpenter", "namespace": "kube-system"},
        "spec": {"interval": "24h", "url": "oci://public.ecr.aws/karpenter/karpenter", "ref": {"semver": ">=1.0.0"}},
    }
    assert any("not an exact tag" in f.message for f in validate_object(oci, K8S))
    assert validate_object(_with(oci, "spec.ref", {"tag": "1.14.1"}), K8S) == []


def test_build_files_are_skipped_and_non_objects_reported():
    build = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": ["a.yaml"]}
    assert validate_documents([build, None], K8S) == []
    assert "not a Kubernetes object" in validate_documents([{"kind": "x"}], K8S)[0].message


def test_strict_schema_leaves_preserved_fields_open():
    schema = {
        "type": "object",
        "properties": {
            "values": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"a": {}}},
            "spec": {"type": "object", "properties": {"a": {"type": "string"}}},
        },
    }
    strict = strict_schema(schema)
    assert strict["additionalProperties"] is False and strict["properties"]["spec"]["additionalProperties"] is False
    assert "additionalProperties" not in strict["properties"]["values"]
    assert "additionalProperties" not in schema  # the original is untouched


def test_substitution_needs_every_variable():
    assert substitute("name: ${cluster_name}", {"cluster_name": "innovate-dev"}) == "name: innovate-dev"
    with pytest.raises(SubstitutionError, match="vpc_id"):
        substitute("vpcId: ${vpc_id}", {"cluster_name": "innovate-dev"})
