"""Deterministic names shared by the AWS layer (CDK) and the cluster layer (GitOps).

IRSA trust policies name a namespace and service account; the GitOps tree annotates those
service accounts with the role ARN. Both sides read the names from here so they cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Environment, Platform


@dataclass(frozen=True)
class ServiceAccountRole:
    """An IRSA role and the one Kubernetes service account allowed to assume it."""

    key: str  # short name, also the cluster-vars key prefix
    namespace: str
    service_account: str

    def role_name(self, env: Environment) -> str:
        return f"{env.cluster_name}-{self.key}"

    def role_arn(self, env: Environment) -> str:
        return f"arn:aws:iam::{env.account}:role/{self.role_name(env)}"

    @property
    def var(self) -> str:
        """The cluster-vars key holding this role's ARN, e.g. `karpenter_role_arn`."""
        return f"{self.key.replace('-', '_')}_role_arn"


KARPENTER = ServiceAccountRole("karpenter", "kube-system", "karpenter")
LOAD_BALANCER_CONTROLLER = ServiceAccountRole(
    "aws-load-balancer-controller", "kube-system", "aws-load-balancer-controller"
)
CLUSTER_AUTOSCALER = ServiceAccountRole("cluster-autoscaler", "kube-system", "cluster-autoscaler")
KEDA = ServiceAccountRole("keda", "keda", "keda-operator")
EBS_CSI = ServiceAccountRole("ebs-csi", "kube-system", "ebs-csi-controller-sa")
# The amazon-cloudwatch-observability add-on's agent (CloudWatch user guide, add-on IRSA setup).
CLOUDWATCH_AGENT = ServiceAccountRole("cloudwatch-agent", "amazon-cloudwatch", "cloudwatch-agent")
EXTERNAL_DNS = ServiceAccountRole("external-dns", "kube-system", "external-dns")


def app_role(app_name: str, namespace: str) -> ServiceAccountRole:
    """The IRSA role of an application (its service account is named after the app)."""
    return ServiceAccountRole(app_name, namespace, app_name)


def migrator_role(app_name: str, namespace: str) -> ServiceAccountRole:
    """The IRSA role of a database app's migration Job (service account `<app>-migrator`): it
    may connect as the schema owner, which the app's own role may not."""
    return ServiceAccountRole(f"{app_name}-migrator", namespace, f"{app_name}-migrator")


def controller_roles(env: Environment) -> tuple[ServiceAccountRole, ...]:
    """The IRSA roles of the in-cluster controllers this environment runs."""
    roles = [LOAD_BALANCER_CONTROLLER, KEDA, EBS_CSI, EXTERNAL_DNS]
    roles.append(KARPENTER if env.uses_karpenter else CLUSTER_AUTOSCALER)
    return tuple(roles)


def workload_roles(platform: Platform, env: Environment) -> tuple[ServiceAccountRole, ...]:
    """Every IRSA role of the environment: controllers, then apps that need AWS access."""
    apps = tuple(app_role(a.name, a.namespace) for a in platform.apps if a.s3_bucket or a.database)
    migrators = tuple(migrator_role(a.name, a.namespace) for a in platform.apps if a.database)
    return controller_roles(env) + apps + migrators


# Set on the Auto Scaling group of the one node group Cluster Autoscaler may resize; its
# auto-discovery and IAM policy both require it (EKS puts the generic discovery tags on every
# managed group's ASG, so those alone would also select the system group).
CLUSTER_AUTOSCALER_GROUP_TAG = "innovate.io/cluster-autoscaler"


def karpenter_node_role_name(env: Environment) -> str:
    return f"{env.cluster_name}-karpenter-node"


def node_role_name(env: Environment) -> str:
    """The managed node groups' role (named, so the shared account's ECR policy can admit it)."""
    return f"{env.cluster_name}-node"


def node_role_arns(env: Environment) -> tuple[str, ...]:
    """Every role the environment's nodes run as: the ones that pull images."""
    names = [node_role_name(env)] + ([karpenter_node_role_name(env)] if env.uses_karpenter else [])
    return tuple(f"arn:aws:iam::{env.account}:role/{name}" for name in names)


def interruption_queue_name(env: Environment) -> str:
    return f"{env.cluster_name}-karpenter-interruption"


def app_bucket_name(platform: Platform, env: Environment, app_name: str) -> str:
    return f"{platform.organisation}-{env.name}-{app_name}-{env.account}"


def stack_name(env_name: str, concern: str) -> str:
    return f"innovate-{env_name}-{concern}"


def github_role_name(purpose: str, env_name: str | None = None) -> str:
    """CI roles: `innovate-github-ecr-push` (shared) or `innovate-<env>-github-<purpose>`."""
    return f"innovate-{env_name}-github-{purpose}" if env_name else f"innovate-github-{purpose}"


# GitHub environments carrying each environment's required reviewers (deploy roles trust these).
GITHUB_ENVIRONMENTS = {"dev": "dev", "staging": "staging", "prod": "production"}
# Stages whose diff may show what prod runs: a pull request's diff of them waits for the reviewers
# of the stage's own diff environment (diff_environment), which nothing that can deploy trusts.
PROTECTED_DIFF_STAGES = ("prod", "shared")


def github_subject(platform: Platform, environment: str) -> str:
    """The OIDC token subject of a job running in GitHub environment `environment`."""
    return f"repo:{platform.github.repository}:environment:{environment}"


def diff_environment(stage: str) -> str:
    """GitHub environment of a protected stage's pull-request diff: `production-diff` (prod),
    `shared-diff` (shared). Required reviewers, deployment branches open to pull requests."""
    return f"{GITHUB_ENVIRONMENTS.get(stage, stage)}-diff"


def diff_role_subjects(platform: Platform, stage: str) -> tuple[str, ...]:
    """Who may assume `innovate-<stage>-github-diff`: any same-repository pull request for dev and
    staging; for prod and shared only a job in the stage's diff environment (never the deploy one)."""
    if stage in PROTECTED_DIFF_STAGES:
        return (github_subject(platform, diff_environment(stage)),)
    return (f"repo:{platform.github.repository}:pull_request",)


def cluster_var_names(platform: Platform, env: Environment) -> tuple[str, ...]:
    """Keys of the `cluster-vars` ConfigMap CDK writes into flux-system (values known only
    after deployment). Flux Kustomizations substitute `${key}` from it."""
    keys = ["cluster_name", "aws_region", "aws_account_id", "vpc_id", "vpc_cidr"]
    keys += [role.var for role in workload_roles(platform, env)]
    if env.uses_karpenter:
        keys += ["karpenter_interruption_queue", "karpenter_node_role"]
    keys += [f"{a.name}_bucket" for a in platform.apps if a.s3_bucket]
    keys += ["db_host", "db_port", "db_name", "db_user"]
    if env.pod_security_groups:
        keys += [f"{a.name}_pod_security_group_id" for a in platform.apps if a.database]
    keys += edge_var_names(env)
    return tuple(keys)


# cluster-vars keys of the edge: the environment's ACM certificate, WAF web ACL and each app's hostname.
CERTIFICATE_ARN_VAR = "certificate_arn"
WAF_ACL_ARN_VAR = "waf_acl_arn"
ALB_LOG_BUCKET_VAR = "alb_log_bucket"


def host_var(app_name: str) -> str:
    return f"{app_name.replace('-', '_')}_host"


def edge_var_names(env: Environment) -> tuple[str, ...]:
    keys = (CERTIFICATE_ARN_VAR, WAF_ACL_ARN_VAR, ALB_LOG_BUCKET_VAR, *(host_var(app) for app in env.dns.hosts))
    return keys + ((*USER_POOL_VARS, USER_POOL_ISSUER_VAR) if env.edge.auth.provider == "cognito" else ())


# cluster-vars keys of the Cognito sign-in (aws/constructs/user_pool.py), in the order of the
# controller's auth-idp-cognito JSON: userPoolARN, userPoolClientID, userPoolDomain.
USER_POOL_ARN_VAR = "user_pool_arn"
USER_POOL_CLIENT_ID_VAR = "user_pool_client_id"
USER_POOL_DOMAIN_VAR = "user_pool_domain"
USER_POOL_VARS = (USER_POOL_ARN_VAR, USER_POOL_CLIENT_ID_VAR, USER_POOL_DOMAIN_VAR)
# The pool's issuer URL (https://cognito-idp.<region>.amazonaws.com/<pool id>): the `iss` the ALB
# names in x-amzn-oidc-data, which the API checks (AUTH_ISSUER).
USER_POOL_ISSUER_VAR = "user_pool_issuer"


def user_pool_issuer(region: str, pool_id: str) -> str:
    """The OIDC issuer of a Cognito user pool (its id may be a CloudFormation token)."""
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def alb_log_bucket_name(env: Environment) -> str:
    """The bucket the environment's ALB writes access logs to (aws/constructs/alb_logs.py)."""
    return f"{env.cluster_name}-alb-logs-{env.account}"


def web_acl_name(env: Environment) -> str:
    """The environment's WAFv2 web ACL (aws/constructs/waf.py)."""
    return f"{env.cluster_name}-edge"


def alb_name(platform: Platform, env: Environment) -> str:
    """The shared ALB's name (IngressClassParams loadBalancerName): fixed, so the API can know its
    ARN before the ALB exists. config/rules/names.py refuses one ELB would refuse."""
    return f"{platform.organisation}-{env.name}"


def alb_arn_prefix(platform: Platform, env: Environment) -> str:
    """The shared ALB's ARN up to its id (`.../app/<name>/`): the only signer of x-amzn-oidc-data
    the API trusts (env AUTH_ALB_ARN, apps/api/innovate_api/identity.py); ELB picks the id."""
    return f"arn:aws:elasticloadbalancing:{platform.region}:{env.account}:loadbalancer/app/{alb_name(platform, env)}/"


def user_pool_domain_prefix(platform: Platform, env: Environment) -> str:
    """The Cognito hosted domain's prefix (<prefix>.auth.<region>.amazoncognito.com); prefixes are
    shared by all accounts of a region, so the account id makes it ours."""
    return f"{platform.organisation}-{env.name}-{env.account}"


def auth_session_cookie(env: Environment) -> str:
    """The ALB's session cookie: one name for every Ingress of the shared listener."""
    return f"{env.cluster_name}-session"
