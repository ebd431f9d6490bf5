"""`platform-security`: the platform's own security rules over the synthesized templates and the
GitOps EC2NodeClasses (cdk-nag's EKS rules do not see `aws_eks_v2`).

Each rule is a function `(env, templates, platform) -> findings` (or over Kubernetes objects for
EC2NodeClasses), so tests feed it a small in-memory template.
"""

from __future__ import annotations

import fnmatch
from typing import Callable, Iterable, Iterator

from ..config import Platform
from ..naming import GITHUB_ENVIRONMENTS, diff_role_subjects, github_role_name, github_subject
from .ci_access import ecr_no_account_principals, pull_request_roles_read_no_data
from .edge_ingress import ingress_findings
from .image_digests import cluster_image_findings, repository_image_findings
from .local_dev_auth import cluster_local_dev_findings
from .cfn import (Resource, Templates, as_list, flatten, managed_policy_name, policy_documents, ref_target, resolve_import,
                  resources, statements)
from .inputs import CheckInputs
from .model import Check, CheckUnavailable, Finding

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
GITHUB_ISSUER = "token.actions.githubusercontent.com"
WEB_PORTS = (80, 443)
# The one mark that lets a security group take 80/443 from the internet (docs/checks.md).
EXPOSURE_TAG = ("innovate:exposure", "internet-alb")
IMMUTABLE_TAG_FILTERS = ("sha-*", "*.*.*")  # docs/adr/0006
ADMIN_POLICIES = ("AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy")
OPEN_CIDRS = {"CidrIp": "0.0.0.0/0", "CidrIpv6": "::/0"}
# AWS managed policies that amount to account admin, and what each grants.
ADMIN_MANAGED_POLICIES = {
    "AdministratorAccess": "every action on every resource",
    "PowerUserAccess": "every action outside IAM and Organizations on every resource",
    "IAMFullAccess": "every IAM action, so the principal can grant itself anything",
}

Rule = Callable[[str, Templates, Platform], Iterable[Finding]]


def _finding(env: str, res: Resource, field: str, message: str, fix: str) -> Finding:
    return Finding(env, res.label, field, message, fix)


# --- EKS cluster -----------------------------------------------------------------------------


def endpoint_access(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    """prod: private endpoint only. Elsewhere a public endpoint is limited to listed CIDRs."""
    for res in resources(templates, "AWS::EKS::Cluster"):
        vpc = res.props.get("ResourcesVpcConfig") or {}
        if vpc.get("EndpointPrivateAccess") is not True:
            yield _finding(env, res, "Properties.ResourcesVpcConfig.EndpointPrivateAccess",
                           "the private API endpoint is off: nodes reach the API over the internet",
                           "set EndpointPrivateAccess: true (aws_eks_v2 EndpointAccess.PRIVATE or PUBLIC_AND_PRIVATE)")
        public = vpc.get("EndpointPublicAccess", True) is not False  # EKS default: public
        if env == "prod" and public:
            yield _finding(env, res, "Properties.ResourcesVpcConfig.EndpointPublicAccess",
                           "the prod API endpoint is public", "set environments.prod.endpoint.public: false in platform.yaml")
        elif public:
            cidrs = as_list(vpc.get("PublicAccessCidrs")) or ["0.0.0.0/0"]
            if any(c in ("0.0.0.0/0", "::/0") for c in cidrs):
                yield _finding(env, res, "Properties.ResourcesVpcConfig.PublicAccessCidrs",
                               f"the public API endpoint is open to the internet ({', '.join(map(str, cidrs))})",
                               f"list office/VPN CIDRs in environments.{env}.endpoint.public_cidrs")


def control_plane_logs(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    for res in resources(templates, "AWS::EKS::Cluster"):
        enabled = {t.get("Type") for t in as_list(((res.props.get("Logging") or {}).get("ClusterLogging") or {}).get("EnabledTypes"))
                   if isinstance(t, dict)}
        missing = [t for t in LOG_TYPES if t not in enabled]
        if missing:
            yield _finding(env, res, "Properties.Logging.ClusterLogging.EnabledTypes",
                           f"control-plane log types not enabled: {', '.join(missing)}",
                           "enable all five cluster logging types (api, audit, authenticator, controllerManager, scheduler)")


def secrets_encryption(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    for res in resources(templates, "AWS::EKS::Cluster"):
        configs = [c for c in as_list(res.props.get("EncryptionConfig")) if "secrets" in as_list((c or {}).get("Resources"))]
        if not configs:
            yield _finding(env, res, "Properties.EncryptionConfig", "Kubernetes secrets are not envelope-encrypted",
                           "set secrets_encryption_key to a KMS key with rotation on the cluster")
            continue
        key_ref = (configs[0].get("Provider") or {}).get("KeyArn")
        key = (res.template.get("Resources") or {}).get(ref_target(key_ref) or "", {})
        if key.get("Type") != "AWS::KMS::Key":
            yield _finding(env, res, "Properties.EncryptionConfig[0].Provider.KeyArn",
                           f"the secrets key {flatten(key_ref)} is not a KMS key of this stack, so its rotation cannot be proven",
                           "create the key in the platform stack with enable_key_rotation=True")
        elif (key.get("Properties") or {}).get("EnableKeyRotation") is not True:
            yield Finding(env, f"{res.stack}/{ref_target(key_ref)} (AWS::KMS::Key)", "Properties.EnableKeyRotation",
                          "the KMS key encrypting Kubernetes secrets does not rotate", "set enable_key_rotation=True")


def cluster_admins(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    """Cluster admin access goes to platform.yaml's admin roles (and CDK's own kubectl handler) only."""
    admins = set(platform.env(env).admin_role_arns) if env in platform.environments else set()
    for res in resources(templates, "AWS::EKS::AccessEntry"):
        if "system:masters" in as_list(res.props.get("KubernetesGroups")):
            yield _finding(env, res, "Properties.KubernetesGroups", "the principal is put in system:masters",
                           "grant access with an EKS access policy or namespaced RBAC, never system:masters")
        policies = [flatten(p.get("PolicyArn")) for p in as_list(res.props.get("AccessPolicies")) if isinstance(p, dict)]
        if not any(p.endswith(f"/{name}") for p in policies for name in ADMIN_POLICIES):
            continue
        principal = res.props.get("PrincipalArn")
        if (isinstance(principal, str) and principal in admins) or _is_kubectl_handler_role(res, principal):
            continue
        yield _finding(env, res, "Properties.AccessPolicies",
                       f"{flatten(principal)} gets cluster admin but is not one of environments.{env}.admin_role_arns",
                       "give teams namespaced RBAC (teams[].namespaces); only platform admins get cluster admin")


def team_access_entries(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    """Teams get Kubernetes groups (RBAC in their namespaces), never a cluster-wide EKS access
    policy, and namespaced access policies only in their own namespaces."""
    teams = {t.role_arn: t for t in platform.env(env).teams} if env in platform.environments else {}
    for res in resources(templates, "AWS::EKS::AccessEntry"):
        team = teams.get(res.props.get("PrincipalArn")) if isinstance(res.props.get("PrincipalArn"), str) else None
        if team is None:
            continue
        for i, policy in enumerate(as_list(res.props.get("AccessPolicies"))):
            scope = (policy or {}).get("AccessScope") or {}
            outside = sorted(set(as_list(scope.get("Namespaces"))) - set(team.namespaces))
            if scope.get("Type") == "cluster" or outside:
                where = "every namespace" if scope.get("Type") == "cluster" else ", ".join(outside)
                yield _finding(env, res, f"Properties.AccessPolicies[{i}].AccessScope",
                               f"team {team.name} gets {flatten(policy.get('PolicyArn')).rsplit('/', 1)[-1]} in {where}",
                               f"remove the access policy; team {team.name} gets RBAC in {', '.join(team.namespaces)} only")


def _is_kubectl_handler_role(res: Resource, principal) -> bool:
    """The role aws_eks_v2's kubectl handler Lambda runs as (it installs Flux)."""
    role = ref_target(principal)
    for logical_id, other in (res.template.get("Resources") or {}).items():
        if other.get("Type") == "AWS::Lambda::Function" and "KubectlProvider" in logical_id:
            if ref_target((other.get("Properties") or {}).get("Role")) == role:
                return True
    return False


# --- nodes -----------------------------------------------------------------------------------


def launch_template_imds(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    """IMDSv2 with hop limit 1 (pods cannot reach the node's credentials) on every launch template."""
    for res in resources(templates, "AWS::EC2::LaunchTemplate"):
        options = (res.props.get("LaunchTemplateData") or {}).get("MetadataOptions") or {}
        field = "Properties.LaunchTemplateData.MetadataOptions"
        if options.get("HttpTokens") != "required":
            yield _finding(env, res, f"{field}.HttpTokens", f"IMDSv2 is not required (HttpTokens: {options.get('HttpTokens')})",
                           "set HttpTokens: required")
        if options.get("HttpPutResponseHopLimit") != 1:
            yield _finding(env, res, f"{field}.HttpPutResponseHopLimit",
                           f"hop limit is {options.get('HttpPutResponseHopLimit')}: pods can reach the node's instance credentials",
                           "set HttpPutResponseHopLimit: 1")
    for res in resources(templates, "AWS::EKS::Nodegroup"):
        if not res.props.get("LaunchTemplate"):
            yield _finding(env, res, "Properties.LaunchTemplate",
                           "the node group has no launch template, so IMDSv2 and hop limit 1 are not enforced",
                           "give every node group a launch template with MetadataOptions (NodeCapacity)")


def node_class_imds(env: str, objects: Iterable[tuple[str, dict]]) -> Iterator[Finding]:
    """The same for Karpenter's EC2NodeClasses (`spec.metadataOptions`)."""
    for path, obj in objects:
        if obj.get("kind") != "EC2NodeClass":
            continue
        options = (obj.get("spec") or {}).get("metadataOptions") or {}
        where = f"{path}: EC2NodeClass {obj.get('metadata', {}).get('name')}"
        if options.get("httpTokens") != "required":
            yield Finding(env, where, "spec.metadataOptions.httpTokens", f"IMDSv2 is not required (httpTokens: {options.get('httpTokens')})",
                          "set metadataOptions.httpTokens: required (gitops/node_pools.py)")
        if options.get("httpPutResponseHopLimit") != 1:
            yield Finding(env, where, "spec.metadataOptions.httpPutResponseHopLimit",
                          f"hop limit is {options.get('httpPutResponseHopLimit')}: pods can reach the node's instance credentials",
                          "set metadataOptions.httpPutResponseHopLimit: 1 (gitops/node_pools.py)")


def _public_subnets(templates: Templates) -> set[tuple[str, str]]:
    """(stack, logical id) of subnets that assign public IPs or route 0.0.0.0/0 to an internet gateway."""
    public = {(r.stack, r.logical_id) for r in resources(templates, "AWS::EC2::Subnet") if r.props.get("MapPublicIpOnLaunch") is True}
    igw_tables = {(r.stack, ref_target(r.props.get("RouteTableId"))) for r in resources(templates, "AWS::EC2::Route")
                  if r.props.get("GatewayId") and r.props.get("DestinationCidrBlock", r.props.get("DestinationIpv6CidrBlock")) in ("0.0.0.0/0", "::/0")}
    for assoc in resources(templates, "AWS::EC2::SubnetRouteTableAssociation"):
        if (assoc.stack, ref_target(assoc.props.get("RouteTableId"))) in igw_tables:
            public.add((assoc.stack, ref_target(assoc.props.get("SubnetId"))))
    return public


def _subnet_of(templates: Templates, res: Resource, value) -> tuple[str, str] | None:
    if isinstance(value, dict) and "Ref" in value:
        return res.stack, value["Ref"]
    return resolve_import(templates, value)


def node_groups_private(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    public = _public_subnets(templates)
    for res in resources(templates, "AWS::EKS::Nodegroup"):
        for i, value in enumerate(as_list(res.props.get("Subnets"))):
            subnet = _subnet_of(templates, res, value)
            if subnet is None:
                yield _finding(env, res, f"Properties.Subnets[{i}]", f"subnet {flatten(value)} is not a subnet of this stage, "
                               "so it cannot be proven private", "place node groups in the VPC's private subnets (PlatformNetwork)")
            elif subnet in public:
                yield _finding(env, res, f"Properties.Subnets[{i}]", f"node group in public subnet {subnet[1]}",
                               "use vpc_subnets=SubnetSelection(subnet_type=PRIVATE_WITH_EGRESS)")


def node_class_subnets(env: str, templates: Templates, objects: Iterable[tuple[str, dict]]) -> Iterator[Finding]:
    """EC2NodeClass subnet selectors match only private subnets (by their tags in the network stack)."""
    public = _public_subnets(templates)
    subnets = [(r, {t.get("Key"): t.get("Value") for t in as_list(r.props.get("Tags")) if isinstance(t, dict)})
               for r in resources(templates, "AWS::EC2::Subnet")]
    for path, obj in objects:
        if obj.get("kind") != "EC2NodeClass":
            continue
        where = f"{path}: EC2NodeClass {obj.get('metadata', {}).get('name')}"
        for i, term in enumerate(as_list((obj.get("spec") or {}).get("subnetSelectorTerms"))):
            wanted = (term or {}).get("tags") or {}
            if not wanted:
                continue
            matched = [r for r, tags in subnets if all(fnmatch.fnmatchcase(str(tags.get(k, "")), str(v)) if v != "*" else k in tags
                                                       for k, v in wanted.items())]
            for r in matched:
                if (r.stack, r.logical_id) in public:
                    yield Finding(env, where, f"spec.subnetSelectorTerms[{i}].tags",
                                  f"selects public subnet {r.logical_id}", "tag only private subnets with karpenter.sh/discovery")
            if not matched:
                yield Finding(env, where, f"spec.subnetSelectorTerms[{i}].tags", f"selects no subnet of the VPC ({wanted})",
                              "tag the private subnets with the selector's tags (PlatformNetwork)")


# --- network ---------------------------------------------------------------------------------


def _open_cidr(rule: dict) -> str | None:
    """The internet-wide CIDR (any /0, IPv4 or IPv6) a rule admits, if any."""
    for key in OPEN_CIDRS:
        cidr = rule.get(key)
        if isinstance(cidr, str) and cidr.strip().endswith("/0"):
            return cidr
    return None


def _is_web(rule: dict) -> bool:
    port = rule.get("FromPort")
    return str(rule.get("IpProtocol")).lower() in ("tcp", "6") and port == rule.get("ToPort") and port in WEB_PORTS


def _ports(rule: dict) -> str:
    protocol = str(rule.get("IpProtocol")).lower()
    return "all ports" if protocol in ("-1", "all") else f"{protocol} {rule.get('FromPort')}-{rule.get('ToPort')}"


def _is_internet_alb(group: dict | None) -> bool:
    """A security group resource explicitly tagged `innovate:exposure=internet-alb`."""
    tags = as_list(((group or {}).get("Properties") or {}).get("Tags"))
    return any(isinstance(t, dict) and (t.get("Key"), t.get("Value")) == EXPOSURE_TAG for t in tags)


def _group_of(templates: Templates, res: Resource) -> dict | None:
    """The AWS::EC2::SecurityGroup a SecurityGroupIngress resource's GroupId names, if it is in this stage."""
    value = res.props.get("GroupId")
    target = resolve_import(templates, value) or ((res.stack, ref_target(value)) if ref_target(value) else None)
    if target is None:
        return None
    group = ((templates.get(target[0]) or {}).get("Resources") or {}).get(target[1])
    return group if (group or {}).get("Type") == "AWS::EC2::SecurityGroup" else None


def _open_ingress(rule: dict, internet_alb: bool) -> tuple[str, str] | None:
    """(problem, fix) for a rule admitting the internet, unless it is 80/443 on a marked ALB group."""
    cidr = _open_cidr(rule)
    if cidr is None or (internet_alb and _is_web(rule)):
        return None
    problem = f"ingress from {cidr} on {_ports(rule)}"
    if internet_alb:
        return (f"{problem}: an internet-facing load balancer group takes only TCP 80 and 443 from the internet",
                "open only TCP 80 and 443 from the internet on the ALB group; reach anything else from a security group")
    tag = "=".join(EXPOSURE_TAG)
    return (f"{problem}: the group is not an internet-facing load balancer group (tag {tag})",
            "reach it from the ALB's security group or the VPC CIDR; only a group tagged "
            f"{tag} may take TCP 80/443 from the internet")


def security_group_ingress(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    """Nothing is open to 0.0.0.0/0 or ::/0, except TCP 80/443 on a group tagged innovate:exposure=internet-alb."""
    for res in resources(templates, "AWS::EC2::SecurityGroup"):
        marked = _is_internet_alb({"Properties": res.props})
        for i, rule in enumerate(as_list(res.props.get("SecurityGroupIngress"))):
            problem = _open_ingress(rule or {}, marked)
            if problem:
                yield _finding(env, res, f"Properties.SecurityGroupIngress[{i}]", *problem)
    for res in resources(templates, "AWS::EC2::SecurityGroupIngress"):
        problem = _open_ingress(res.props, _is_internet_alb(_group_of(templates, res)))
        if problem:
            yield _finding(env, res, "Properties", *problem)


# --- IAM -------------------------------------------------------------------------------------


def _actions_match(statement: dict, action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), str(a).lower()) for a in as_list(statement.get("Action")))


def _every_action(statement: dict) -> str | None:
    """How an Allow statement grants every action: `*`, `*:*`, or NotAction (all but a few)."""
    if "NotAction" in statement:
        return f"every action except {', '.join(map(flatten, as_list(statement['NotAction'])))} (NotAction)"
    wild = [a for a in as_list(statement.get("Action")) if isinstance(a, str) and a.strip() in ("*", "*:*")]
    return f"every action ({wild[0].strip()})" if wild else None


def _every_resource(statement: dict) -> str | None:
    if "*" in [flatten(r) for r in as_list(statement.get("Resource"))]:
        return "every resource (*)"
    if "NotResource" in statement:
        return f"every resource except {', '.join(map(flatten, as_list(statement['NotResource'])))} (NotResource)"
    return None


def _admin_managed_policy(value) -> str | None:
    """The name of an admin-grade AWS managed policy an ARN (literal, Fn::Join or Fn::Sub) names."""
    name = managed_policy_name(value)
    return name if name in ADMIN_MANAGED_POLICIES else None


def iam_admin_statements(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    """No identity policy allows every action on every resource (`*`, `*:*`, NotAction), and no
    role, user or group gets AdministratorAccess, PowerUserAccess or IAMFullAccess."""
    for res, field, document in policy_documents(templates):
        for i, st in statements(document):
            actions, targets = _every_action(st), _every_resource(st)
            if st.get("Effect") == "Allow" and actions and targets:
                fix = ("replace NotAction with an Action list of what the principal needs" if "NotAction" in st
                       else "list the actions and resources the principal needs")
                yield _finding(env, res, f"{field}.Statement[{i}]", f"allows {actions} on {targets}", fix)
    for res in resources(templates, "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
        for i, arn in enumerate(as_list(res.props.get("ManagedPolicyArns"))):
            name = _admin_managed_policy(arn)
            if name:
                yield _finding(env, res, f"Properties.ManagedPolicyArns[{i}]",
                               f"attaches the AWS managed policy {name}: {ADMIN_MANAGED_POLICIES[name]}",
                               f"detach {name}; attach a policy listing the actions and resources the principal needs")


def iam_pass_role(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    for res, field, document in policy_documents(templates):
        for i, st in statements(document):
            if st.get("Effect") != "Allow" or not _actions_match(st, "iam:PassRole"):
                continue
            wild = [flatten(r) for r in as_list(st.get("Resource")) if "*" in flatten(r)]
            if wild or not as_list(st.get("Resource")):
                yield _finding(env, res, f"{field}.Statement[{i}].Resource",
                               f"iam:PassRole on {', '.join(wild) or 'no resource'}: the principal can hand any role to a service",
                               "scope iam:PassRole to the named role ARNs it passes (for example the Karpenter node role)")


def _expected_subjects(role_name: str, env: str, platform: Platform) -> tuple[str, set[str]] | None:
    repo = platform.github.repository
    if role_name == github_role_name("ecr-push"):
        return "image push", {f"repo:{repo}:ref:refs/heads/{platform.github.branch}", f"repo:{repo}:ref:refs/tags/v*"}
    if role_name == github_role_name("diff", env):
        return "diff", set(diff_role_subjects(platform, env))
    if env in GITHUB_ENVIRONMENTS and role_name == github_role_name("deploy", env):
        return "deploy", {github_subject(platform, GITHUB_ENVIRONMENTS[env])}
    return None


def _is_github_trust(st: dict) -> bool:
    conditions = st.get("Condition") or {}
    keys = {k for block in conditions.values() if isinstance(block, dict) for k in block}
    return "Federated" in (st.get("Principal") or {}) and (
        any(k.startswith(GITHUB_ISSUER) for k in keys) or GITHUB_ISSUER in flatten((st.get("Principal") or {}).get("Federated")))


def github_oidc_trust(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    """GitHub roles trust only this repository: main and v* tags (push), pull requests (diff), or the
    environment's GitHub environment (deploy); the audience is STS."""
    for res in resources(templates, "AWS::IAM::Role"):
        document = res.props.get("AssumeRolePolicyDocument") or {}
        for i, st in statements(document):
            if st.get("Effect") != "Allow" or not _is_github_trust(st):
                continue
            field = f"Properties.AssumeRolePolicyDocument.Statement[{i}].Condition"
            conditions = st.get("Condition") or {}
            aud = [v for op in ("StringEquals",) for v in as_list((conditions.get(op) or {}).get(f"{GITHUB_ISSUER}:aud"))]
            if aud != ["sts.amazonaws.com"]:
                yield _finding(env, res, f"{field}.StringEquals", f"the token audience is not pinned to sts.amazonaws.com ({aud})",
                               f"add StringEquals {GITHUB_ISSUER}:aud: sts.amazonaws.com")
            subjects = {str(v) for op in ("StringEquals", "StringLike") for v in as_list((conditions.get(op) or {}).get(f"{GITHUB_ISSUER}:sub"))}
            expected = _expected_subjects(str(res.props.get("RoleName")), env, platform)
            if expected is None:
                yield _finding(env, res, "Properties.RoleName",
                               f"role {res.props.get('RoleName')} trusts GitHub but is not one of the platform's CI roles",
                               "use naming.github_role_name roles (ecr-push, diff, deploy) or remove the GitHub trust")
                continue
            purpose, allowed = expected
            extra = sorted(subjects - allowed)
            if extra or not subjects:
                yield _finding(env, res, f"{field}.StringLike", f"the {purpose} role trusts "
                               f"{', '.join(extra) or 'any subject'}; only {', '.join(sorted(allowed))} may assume it",
                               f"limit {GITHUB_ISSUER}:sub to {', '.join(sorted(allowed))}")


# --- data ------------------------------------------------------------------------------------


def s3_buckets(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    """Encrypted, every public access block on, and a bucket policy denying requests without TLS."""
    policies = {}
    for res in resources(templates, "AWS::S3::BucketPolicy"):
        policies.setdefault((res.stack, ref_target(res.props.get("Bucket"))), []).append(res.props.get("PolicyDocument") or {})
    for res in resources(templates, "AWS::S3::Bucket"):
        rules = as_list((res.props.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration"))
        if not any(((r or {}).get("ServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") for r in rules):
            yield _finding(env, res, "Properties.BucketEncryption", "the bucket has no default encryption",
                           "set encryption=BucketEncryption.S3_MANAGED or KMS")
        block = res.props.get("PublicAccessBlockConfiguration") or {}
        off = [k for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets") if block.get(k) is not True]
        if off:
            yield _finding(env, res, "Properties.PublicAccessBlockConfiguration", f"public access not blocked: {', '.join(off)}",
                           "set block_public_access=BlockPublicAccess.BLOCK_ALL")
        documents = policies.get((res.stack, res.logical_id), [])
        if not any(_denies_plain_http(d) for d in documents):
            yield _finding(env, res, "AWS::S3::BucketPolicy", "no bucket policy denies requests without TLS (aws:SecureTransport false)",
                           "set enforce_ssl=True on the bucket")


def _denies_plain_http(document: dict) -> bool:
    for _, st in statements(document):
        condition = ((st.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")
        principal = st.get("Principal")
        everyone = principal == "*" or (isinstance(principal, dict) and "*" in as_list(principal.get("AWS")))
        if st.get("Effect") == "Deny" and str(condition).lower() == "false" and everyone:
            return True
    return False


def ecr_repositories(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    """Scan on push; commit (sha-*) and release (*.*.*) tags immutable (docs/adr/0006)."""
    for res in resources(templates, "AWS::ECR::Repository"):
        if (res.props.get("ImageScanningConfiguration") or {}).get("ScanOnPush") is not True:
            yield _finding(env, res, "Properties.ImageScanningConfiguration.ScanOnPush", "images are not scanned on push",
                           "set image_scan_on_push=True")
        mutability = res.props.get("ImageTagMutability", "MUTABLE")
        if mutability == "IMMUTABLE":
            continue
        filters = {f.get("ImageTagMutabilityExclusionFilterValue") for f in as_list(res.props.get("ImageTagMutabilityExclusionFilters"))
                   if isinstance(f, dict) and f.get("ImageTagMutabilityExclusionFilterType") == "WILDCARD"}
        missing = [f for f in IMMUTABLE_TAG_FILTERS if f not in filters]
        if mutability != "MUTABLE_WITH_EXCLUSION" or missing:
            yield _finding(env, res, "Properties.ImageTagMutability",
                           f"tags are {mutability}" + (f" without immutable filters {', '.join(missing)}" if missing else "")
                           + ": a commit or release tag could be re-pointed",
                           "use IMMUTABLE, or MUTABLE_WITH_EXCLUSION with WILDCARD filters sha-* and *.*.* (docs/adr/0006)")


def rds_instances(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    for res in resources(templates, "AWS::RDS::DBInstance", "AWS::RDS::DBCluster"):
        if res.props.get("StorageEncrypted") is not True:
            yield _finding(env, res, "Properties.StorageEncrypted", "storage is not encrypted", "set storage_encrypted=True with a KMS key")
        if res.props.get("EnableIAMDatabaseAuthentication") is not True:
            yield _finding(env, res, "Properties.EnableIAMDatabaseAuthentication", "IAM database authentication is off",
                           "set iam_authentication=True (the API connects with rds-db:connect)")
        if res.props.get("PubliclyAccessible") is True:
            yield _finding(env, res, "Properties.PubliclyAccessible", "the database is publicly accessible",
                           "set publicly_accessible=False and keep it in isolated/private subnets")


TEMPLATE_RULES: tuple[Rule, ...] = (
    endpoint_access, control_plane_logs, secrets_encryption, cluster_admins, team_access_entries, launch_template_imds, node_groups_private,
    security_group_ingress, iam_admin_statements, iam_pass_role, github_oidc_trust, s3_buckets, ecr_repositories,
    rds_instances, ecr_no_account_principals,
)


def template_findings(env: str, templates: Templates, platform: Platform) -> list[Finding]:
    return [f for rule in TEMPLATE_RULES for f in rule(env, templates, platform)]


def node_class_findings(env: str, templates: Templates, objects: list[tuple[str, dict]]) -> list[Finding]:
    return list(node_class_imds(env, objects)) + list(node_class_subnets(env, templates, objects))


def run(inputs: CheckInputs, env: str) -> list[Finding]:
    synthesis = inputs.synthesis()
    templates = synthesis.templates(env)
    findings = template_findings(env, templates, inputs.platform)
    findings += pull_request_roles_read_no_data(env, templates, inputs.platform, inputs.pull_request_subjects())
    if env != "shared":
        try:
            gitops = inputs.gitops()
        except CheckUnavailable as exc:
            return findings + [Finding(env, "gitops/", "", str(exc), "fix the GitOps render (innovate gitops)")]
        objects = [(f.path, o) for f in gitops.for_env(env) for o in f.objects()]
        findings += node_class_findings(env, templates, objects)
        try:
            charts = inputs.charts()
        except CheckUnavailable as exc:
            return findings + [Finding(env, "charts/", "", str(exc), "fix the charts' render (helm template)")]
        findings += ingress_findings(env, gitops.for_env(env) + charts.for_env(env))
        findings += cluster_image_findings(inputs, env)
        findings += cluster_local_dev_findings(inputs, env)
    else:
        findings += repository_image_findings(inputs)
    return findings


CHECK = Check("platform-security", "our security rules over the templates, EC2NodeClasses, Ingresses and image digests", run,
              needs=("synthesis", "gitops", "charts"))
