"""platform-security rules over the rendered Ingresses: every internet-facing ALB Ingress
authenticates users (auth-type cognito or oidc with its complete IdP configuration, and never
`allow`s an unauthenticated request through), has a WAF web ACL, HTTPS with a TLS 1.2+ policy
(HTTP only as a redirect), access logs and invalid-header dropping. Registered in
platform_security.run over the charts as Flux renders them. "Internet-facing" is decided as the
controller decides it: the IngressClassParams of the Ingress's class, else its scheme annotation,
else internal (the platform's Ingresses carry no scheme annotation: the shared class pins it).
No Service carries auth-* annotations, which would override its Ingress's sign-in.
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator

from .model import Finding

PREFIX = "alb.ingress.kubernetes.io/"
# The controller's auth-idp-cognito / auth-idp-oidc JSON keys (pkg/ingress/config_types.go).
IDP_KEYS = {"cognito": ("userPoolARN", "userPoolClientID", "userPoolDomain"),
            "oidc": ("issuer", "authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint", "secretName")}
# Elastic Load Balancing policies that refuse TLS 1.0 and 1.1 (name families per the ELB docs).
TLS12_POLICY_MARKS = ("TLS13-1-2", "TLS13-1-3", "TLS-1-2", "FS-1-2")


def _attributes(value: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in value.split(",") if "=" in pair)


def _listen_ports(value: str) -> list[str]:
    try:
        return [protocol for entry in json.loads(value) for protocol in entry]
    except (ValueError, TypeError, AttributeError):
        return []


def _idp(value: str) -> dict:
    try:
        parsed = json.loads(value)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def auth_problems(notes: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    """(field, message, fix) when the ALB would forward a request nobody signed in for."""
    field = "metadata.annotations"
    auth_type = notes.get(PREFIX + "auth-type", "none")  # the controller's default
    if auth_type not in IDP_KEYS:
        yield (f"{field}.{PREFIX}auth-type", f"auth-type {auth_type}: the internet-facing ALB forwards requests "
               "without sign-in", "set ingress.auth from platform.yaml edge.auth (gitops/edge.py): cognito or oidc")
        return
    idp = _idp(notes.get(f"{PREFIX}auth-idp-{auth_type}", ""))
    missing = [key for key in IDP_KEYS[auth_type] if not idp.get(key)]
    if missing:
        yield (f"{field}.{PREFIX}auth-idp-{auth_type}", f"auth-type {auth_type} without its IdP ({', '.join(missing)} "
               "missing): the controller cannot build the authenticate action", f"set auth-idp-{auth_type} with "
               f"{', '.join(IDP_KEYS[auth_type])} (from cluster-vars or platform.yaml edge.auth.oidc)")
    if notes.get(PREFIX + "auth-on-unauthenticated-request", "authenticate") not in ("authenticate", "deny"):
        yield (f"{field}.{PREFIX}auth-on-unauthenticated-request", "unauthenticated requests are allowed through",
               "use authenticate (pages: redirect to sign-in) or deny (APIs: 401)")


def class_schemes(objects: Iterable[dict]) -> dict[str, str]:
    """IngressClass name -> the scheme its IngressClassParams pin (classes without one are absent)."""
    params = {(o.get("metadata") or {}).get("name"): (o.get("spec") or {}).get("scheme")
              for o in objects if o.get("kind") == "IngressClassParams"}
    out: dict[str, str] = {}
    for o in objects:
        ref = (o.get("spec") or {}).get("parameters") or {}
        if o.get("kind") == "IngressClass" and ref.get("kind") == "IngressClassParams" and params.get(ref.get("name")):
            out[(o.get("metadata") or {}).get("name")] = params[ref.get("name")]
    return out


def scheme(obj: dict, schemes: dict[str, str]) -> str:
    """The scheme the controller builds: the class's IngressClassParams win over the annotation,
    whose absence means the controller's default, internal (ingress/model_build_load_balancer.go)."""
    notes = (obj.get("metadata") or {}).get("annotations") or {}
    ingress_class = (obj.get("spec") or {}).get("ingressClassName") or notes.get("kubernetes.io/ingress.class")
    return schemes.get(ingress_class) or notes.get(PREFIX + "scheme") or "internal"


def ingress_problems(obj: dict, schemes: dict[str, str] | None = None) -> Iterator[tuple[str, str, str]]:
    """(field, message, fix) for one Ingress; nothing unless it is an internet-facing ALB.
    `schemes`: class_schemes of the environment's IngressClasses."""
    notes = (obj.get("metadata") or {}).get("annotations") or {}
    if scheme(obj, schemes or {}) != "internet-facing":
        return
    field = "metadata.annotations"
    yield from auth_problems(notes)
    if not notes.get(PREFIX + "wafv2-acl-arn"):
        yield (f"{field}.{PREFIX}wafv2-acl-arn", "the internet-facing ALB has no WAF web ACL",
               "set ingress.wafAclArn from cluster-vars (aws/constructs/waf.py)")
    ports = _listen_ports(notes.get(PREFIX + "listen-ports", '[{"HTTP": 80}]'))
    if "HTTPS" not in ports or not notes.get(PREFIX + "certificate-arn"):
        yield (f"{field}.{PREFIX}listen-ports", "the ALB does not serve HTTPS with a certificate",
               "listen on HTTPS 443 with the environment's ACM certificate")
    if "HTTP" in ports and notes.get(PREFIX + "ssl-redirect") != "443":
        yield (f"{field}.{PREFIX}ssl-redirect", "plain HTTP is served, not redirected to HTTPS", "set ssl-redirect: '443'")
    policy = notes.get(PREFIX + "ssl-policy", "ELBSecurityPolicy-2016-08")  # the controller's default allows TLS 1.0
    if not any(mark in policy for mark in TLS12_POLICY_MARKS):
        yield (f"{field}.{PREFIX}ssl-policy", f"{policy} accepts TLS below 1.2",
               "use ELBSecurityPolicy-TLS13-1-2-2021-06 (or another TLS 1.2+ policy)")
    attributes = _attributes(notes.get(PREFIX + "load-balancer-attributes", ""))
    if attributes.get("access_logs.s3.enabled") != "true" or not attributes.get("access_logs.s3.bucket"):
        yield (f"{field}.{PREFIX}load-balancer-attributes", "the ALB writes no access logs",
               "set access_logs.s3.enabled=true and access_logs.s3.bucket (ingress.accessLogBucket from cluster-vars)")
    if attributes.get("routing.http.drop_invalid_header_fields.enabled") != "true":
        yield (f"{field}.{PREFIX}load-balancer-attributes", "the ALB forwards invalid HTTP header fields",
               "set routing.http.drop_invalid_header_fields.enabled=true")


def service_problems(obj: dict) -> Iterator[tuple[str, str, str]]:
    """auth-* annotations on a Service: the controller merges the backend Service's annotations over
    its Ingress's when it builds the authenticate action (enhanced_backend_builder.go buildAuthConfig),
    so they would override the Ingress's sign-in."""
    notes = (obj.get("metadata") or {}).get("annotations") or {}
    for key in sorted(k for k in notes if k.startswith(PREFIX + "auth-")):
        yield (f"metadata.annotations.{key}", f"{key}: {notes[key]} on a Service overrides its Ingress's sign-in "
               "(the controller merges a backend Service's auth annotations over the Ingress's)",
               "remove it: sign-in is set on the Ingress only (ingress.auth from platform.yaml edge.auth)")


def _name(file: object, obj: dict) -> str:
    meta = obj.get("metadata") or {}
    return f"{getattr(file, 'path')}: {obj.get('kind')} {meta.get('namespace', '')}/{meta.get('name', '?')}"


def ingress_findings(env: str, files: Iterable) -> list[Finding]:
    """Findings for every Ingress and Service in the rendered files (ManifestFile: path, objects());
    the files also carry the environment's IngressClasses and IngressClassParams, which decide the scheme."""
    files = list(files)
    schemes = class_schemes([obj for file in files for obj in file.objects()])
    return [Finding(env, _name(file, obj), field, message, fix)
            for file in files for obj in file.objects() if obj.get("kind") in ("Ingress", "Service")
            for field, message, fix in (ingress_problems(obj, schemes) if obj.get("kind") == "Ingress"
                                        else service_problems(obj))]
