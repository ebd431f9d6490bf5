"""Offline proof of the rendered tree, for `innovate check`: every object valid once cluster-vars is in."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml

from ..checks.flux_crds import is_notification, notification_crd_root
from ..checks.inputs import PROJECT_ROOT
from ..checks.manifests import Finding, SubstitutionError, substitute, validate_documents
from ..config import Environment, Platform
from ..upstream.cache import find_helm
from ..naming import (ALB_LOG_BUCKET_VAR, CERTIFICATE_ARN_VAR, USER_POOL_ARN_VAR, USER_POOL_CLIENT_ID_VAR, USER_POOL_DOMAIN_VAR,
                      USER_POOL_ISSUER_VAR, WAF_ACL_ARN_VAR, alb_log_bucket_name, cluster_var_names, host_var,
                      interruption_queue_name, user_pool_domain_prefix, user_pool_issuer, web_acl_name, workload_roles)
from .tree import render_tree


def placeholder_cluster_vars(platform: Platform, env: Environment) -> dict[str, str]:
    """Values shaped like the ones CDK writes, for every cluster-vars key (IDs are placeholders)."""
    values = {key: f"placeholder-{key.replace('_', '-')}" for key in cluster_var_names(platform, env)}
    values |= {
        "cluster_name": env.cluster_name,
        "aws_region": platform.region,
        "aws_account_id": env.account,
        "vpc_id": "vpc-00000000000000000",
        "vpc_cidr": env.vpc_cidr,
        "db_port": "5432",
    }
    values |= {role.var: role.role_arn(env) for role in workload_roles(platform, env)}
    if env.uses_karpenter:
        values["karpenter_interruption_queue"] = interruption_queue_name(env)
    values |= {k: "sg-00000000000000000" for k in values if k.endswith("_pod_security_group_id")}
    values[CERTIFICATE_ARN_VAR] = sample_certificate_arn(platform, env)
    values[WAF_ACL_ARN_VAR] = sample_waf_acl_arn(platform, env)
    values[ALB_LOG_BUCKET_VAR] = alb_log_bucket_name(env)
    values |= {host_var(app): host for app, host in env.dns.hosts.items()}
    if env.edge.auth.provider == "cognito":  # aws/constructs/user_pool.py; ids are Cognito's to choose
        values |= {USER_POOL_ARN_VAR: f"arn:aws:cognito-idp:{platform.region}:{env.account}:userpool/"
                                      f"{platform.region}_AbCdEfGhI",
                   USER_POOL_CLIENT_ID_VAR: "1example23456789abcdefghij",
                   USER_POOL_DOMAIN_VAR: user_pool_domain_prefix(platform, env),
                   USER_POOL_ISSUER_VAR: user_pool_issuer(platform.region, f"{platform.region}_AbCdEfGhI")}
    return values


def sample_waf_acl_arn(platform: Platform, env: Environment) -> str:
    """A regional WAFv2 web ACL ARN of the environment (name from aws/constructs/waf.py, id WAF's)."""
    return (f"arn:aws:wafv2:{platform.region}:{env.account}:regional/webacl/{web_acl_name(env)}/"
            "00000000-0000-4000-8000-000000000000")


def sample_certificate_arn(platform: Platform, env: Environment) -> str:
    """An ACM ARN of the environment's account and region (the UUID is ACM's to choose)."""
    return f"arn:aws:acm:{platform.region}:{env.account}:certificate/00000000-0000-4000-8000-000000000000"


def verify_tree(platform: Platform, root: str | os.PathLike[str] = ".") -> list[Finding]:
    """Findings for every rendered file: unknown `${var}`s, then schema, CEL and pin problems."""
    findings: list[Finding] = []
    notification_root: Path | None = None
    for path, text in render_tree(platform, root).items():
        env = platform.env(path.split("/")[-2])  # gitops/<layer dir>/<env>/<file>
        try:
            docs = [d for d in yaml.safe_load_all(substitute(text, placeholder_cluster_vars(platform, env))) if d]
        except SubstitutionError as exc:
            findings.append(Finding(path, str(exc.args[0])))
            continue
        flux_notifications = [d for d in docs if is_notification(d)]
        if flux_notifications and notification_root is None:
            try:
                notification_root = _notification_root(platform)
            except FileNotFoundError as exc:
                findings.append(Finding(path, str(exc)))
                continue
        findings += [Finding(f"{path}: {f.where}", f.message) for f in
                     validate_documents([d for d in docs if not is_notification(d)], platform.versions.kubernetes)
                     + validate_documents(flux_notifications, platform.versions.kubernetes, notification_root)]
    return findings


def _notification_root(platform: Platform) -> Path:
    """The pinned flux2 chart's notification CRDs (checks/flux_crds.py), rendered once per process."""
    found = find_helm(PROJECT_ROOT)
    if found is None:
        raise FileNotFoundError("helm is not installed (.tools/bin/helm): the Flux notification CRDs cannot be rendered; run `make setup`")
    workdir = Path(tempfile.gettempdir()) / f"innovate-flux-crds-{os.getpid()}"
    return notification_crd_root(platform.versions.charts["flux2"], found, workdir)
