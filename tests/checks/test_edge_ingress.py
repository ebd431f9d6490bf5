"""platform-security's Ingress rules: a correct internet-facing Ingress passes; each missing
protection, seeded one at a time, is named with its annotation. The charts as Flux renders them pass."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest

from innovate_platform.checks.edge_ingress import ingress_findings

P = "alb.ingress.kubernetes.io/"
GOOD = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "api", "namespace": "api", "annotations": {
    P + "scheme": "internet-facing",
    P + "listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
    P + "ssl-redirect": "443",
    P + "certificate-arn": "arn:aws:acm:us-east-1:333333333333:certificate/00000000-0000-4000-8000-000000000000",
    P + "ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    P + "wafv2-acl-arn": "arn:aws:wafv2:us-east-1:333333333333:regional/webacl/innovate-prod-edge/x",
    P + "load-balancer-attributes": "routing.http.drop_invalid_header_fields.enabled=true,deletion_protection.enabled=true,"
                                    "access_logs.s3.enabled=true,access_logs.s3.bucket=innovate-prod-alb-logs-333333333333",
    P + "auth-type": "cognito",
    P + "auth-idp-cognito": '{"userPoolARN":"arn:aws:cognito-idp:us-east-1:333333333333:userpool/us-east-1_Ab12Cd34E",'
                            '"userPoolClientID":"4n0ther3xampl3client1d2345","userPoolDomain":"innovate-prod-333333333333"}',
    P + "auth-on-unauthenticated-request": "deny",
}}}
OIDC = ('{"issuer":"https://login.example.com","authorizationEndpoint":"https://login.example.com/authorize",'
        '"tokenEndpoint":"https://login.example.com/token","userInfoEndpoint":"https://login.example.com/userinfo",'
        '"secretName":"oidc-client"}')


@dataclass
class File:
    path: str
    docs: list

    def objects(self):
        return self.docs


def findings_for(change) -> list:
    obj = copy.deepcopy(GOOD)
    change(obj["metadata"]["annotations"])
    return ingress_findings("prod", [File("charts/api (values-prod.yaml)", [obj])])


def test_a_hardened_ingress_passes():
    assert findings_for(lambda a: None) == []


def test_an_oidc_ingress_with_its_idp_passes():
    assert findings_for(lambda a: (a.pop(P + "auth-idp-cognito"), a.update({P + "auth-type": "oidc", P + "auth-idp-oidc": OIDC}))) == []


def test_an_internal_ingress_is_not_held_to_internet_rules():
    assert findings_for(lambda a: (a.update({P + "scheme": "internal"}), a.pop(P + "wafv2-acl-arn"))) == []


@pytest.mark.parametrize(("change", "field", "says"), [
    (lambda a: a.pop(P + "auth-type"), "auth-type", "auth-type none: the internet-facing ALB forwards requests without sign-in"),
    (lambda a: a.update({P + "auth-type": "none"}), "auth-type", "without sign-in"),
    (lambda a: a.update({P + "auth-on-unauthenticated-request": "allow"}), "auth-on-unauthenticated-request",
     "unauthenticated requests are allowed through"),
    (lambda a: a.pop(P + "auth-idp-cognito"), "auth-idp-cognito", "userPoolARN, userPoolClientID, userPoolDomain missing"),
    (lambda a: a.update({P + "auth-idp-cognito": '{"userPoolARN":"arn:aws:cognito-idp:us-east-1:1:userpool/x"}'}),
     "auth-idp-cognito", "userPoolClientID, userPoolDomain missing"),
    (lambda a: a.update({P + "auth-type": "oidc"}), "auth-idp-oidc", "issuer, authorizationEndpoint"),
    (lambda a: a.pop(P + "wafv2-acl-arn"), "wafv2-acl-arn", "no WAF web ACL"),
    (lambda a: a.update({P + "ssl-policy": "ELBSecurityPolicy-2016-08"}), "ssl-policy", "accepts TLS below 1.2"),
    (lambda a: a.pop(P + "ssl-policy"), "ssl-policy", "accepts TLS below 1.2"),
    (lambda a: a.pop(P + "ssl-redirect"), "ssl-redirect", "not redirected to HTTPS"),
    (lambda a: a.update({P + "listen-ports": '[{"HTTP": 80}]'}), "listen-ports", "does not serve HTTPS"),
    (lambda a: a.update({P + "load-balancer-attributes": "routing.http.drop_invalid_header_fields.enabled=true"}),
     "load-balancer-attributes", "writes no access logs"),
    (lambda a: a.update({P + "load-balancer-attributes": "access_logs.s3.enabled=true,access_logs.s3.bucket=b"}),
     "load-balancer-attributes", "forwards invalid HTTP header fields"),
])
def test_each_missing_protection_is_named(change, field, says):
    found = findings_for(change)
    assert [f for f in found if says in f.message and f.field == f"metadata.annotations.{P}{field}"], found
    assert found[0].resource == "charts/api (values-prod.yaml): Ingress api/api"


CLASS = [{"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "IngressClassParams", "metadata": {"name": "alb"},
          "spec": {"scheme": "internet-facing", "group": {"name": "innovate"}}},
         {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "alb"},
          "spec": {"controller": "ingress.k8s.aws/alb",
                   "parameters": {"apiGroup": "elbv2.k8s.aws", "kind": "IngressClassParams", "name": "alb"}}}]


def classed(annotations: dict) -> dict:
    obj = copy.deepcopy(GOOD)
    obj["metadata"]["annotations"] = annotations
    obj["spec"] = {"ingressClassName": "alb"}
    return obj


def test_the_class_parameters_make_an_ingress_internet_facing_without_the_annotation():
    notes = {k: v for k, v in GOOD["metadata"]["annotations"].items() if k not in (P + "scheme", P + "auth-type")}
    found = ingress_findings("prod", [File("gitops (ingress classes)", CLASS), File("charts/api", [classed(notes)])])
    assert [f.field for f in found] == [f"metadata.annotations.{P}auth-type"], found


def test_the_class_parameters_win_over_an_internal_annotation():
    notes = {**GOOD["metadata"]["annotations"], P + "scheme": "internal"}
    notes.pop(P + "wafv2-acl-arn")
    found = ingress_findings("prod", [File("gitops", CLASS), File("charts/api", [classed(notes)])])
    assert [f.field for f in found] == [f"metadata.annotations.{P}wafv2-acl-arn"], found


def test_without_a_scheme_anywhere_the_controller_default_internal_applies():
    notes = {k: v for k, v in GOOD["metadata"]["annotations"].items() if k != P + "scheme"}
    notes.pop(P + "auth-type")
    assert ingress_findings("prod", [File("charts/api", [classed(notes)])]) == []


def _shipped(platform, env):
    from pathlib import Path

    from innovate_platform.checks.inputs import CheckInputs

    inputs = CheckInputs(platform, Path(__file__).resolve().parents[2], ("dev", "staging", "prod"))
    return inputs.gitops().for_env(env) + inputs.charts().for_env(env)


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_the_charts_as_flux_renders_them_are_internet_facing_and_pass(platform, env):
    from innovate_platform.checks.edge_ingress import class_schemes, scheme

    files = _shipped(platform, env)
    objects = [o for f in files for o in f.objects()]
    ingresses = [o for o in objects if o.get("kind") == "Ingress"]
    assert ingresses and {scheme(o, class_schemes(objects)) for o in ingresses} == {"internet-facing"}
    assert ingress_findings(env, files) == []


def test_a_shipped_ingress_without_sign_in_is_named(platform):
    files = _shipped(platform, "prod")
    ingress = next(o for f in files for o in f.objects() if o.get("kind") == "Ingress")
    del ingress["metadata"]["annotations"][P + "auth-type"]
    found = ingress_findings("prod", files)
    assert [f.field for f in found] == [f"metadata.annotations.{P}auth-type"], found


def test_a_service_overriding_its_ingress_sign_in_is_named(platform):
    """The controller merges a backend Service's auth-* annotations over its Ingress's (Service wins)."""
    files = _shipped(platform, "prod")
    service = copy.deepcopy(next(o for f in files for o in f.objects()
                                 if o.get("kind") == "Service" and (o.get("metadata") or {}).get("namespace") == "web"))
    service["metadata"].setdefault("annotations", {})[P + "auth-type"] = "none"
    (finding,) = ingress_findings("prod", files + [File("seed (kubectl annotate svc)", [service])])
    assert finding.resource == f"seed (kubectl annotate svc): Service web/{service['metadata']['name']}"
    assert finding.field == f"metadata.annotations.{P}auth-type" and "overrides its Ingress's sign-in" in finding.message
