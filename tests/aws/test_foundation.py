"""What the Foundation promises, asserted on the synthesized CloudFormation of every stage."""

from __future__ import annotations

import json

import pytest

from .helpers import as_list, one, resources, role, statements, text

ENVS = ("dev", "staging", "prod")


def cluster(synthesis, env):
    return one(synthesis, env, "AWS::EKS::Cluster")


def test_stack_names_start_with_environment(synthesis):
    for stack in synthesis.stacks:
        assert stack.name.startswith(f"innovate-{stack.stage}-"), stack.name
    assert {s.stage for s in synthesis.stacks} == {"dev", "staging", "prod", "shared"}


def test_each_environment_in_its_own_account(synthesis, platform):
    for env in ENVS:
        assert {s.account for s in synthesis.for_stage(env)} == {platform.env(env).account}
    assert {s.account for s in synthesis.for_stage("shared")} == {"444444444444"}


def test_prod_endpoint_is_private_only(synthesis):
    vpc_config = cluster(synthesis, "prod")["ResourcesVpcConfig"]
    assert vpc_config["EndpointPrivateAccess"] is True
    assert vpc_config["EndpointPublicAccess"] is False
    assert "PublicAccessCidrs" not in vpc_config


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_dev_and_staging_endpoints_limited_to_configured_cidrs(synthesis, platform, env):
    vpc_config = cluster(synthesis, env)["ResourcesVpcConfig"]
    assert vpc_config["EndpointPrivateAccess"] is True and vpc_config["EndpointPublicAccess"] is True
    assert vpc_config["PublicAccessCidrs"] == list(platform.env(env).endpoint.public_cidrs)


@pytest.mark.parametrize("env", ENVS)
def test_all_five_control_plane_log_types(synthesis, env):
    types = [t["Type"] for t in cluster(synthesis, env)["Logging"]["ClusterLogging"]["EnabledTypes"]]
    assert sorted(types) == sorted(["api", "audit", "authenticator", "controllerManager", "scheduler"])


@pytest.mark.parametrize("env", ENVS)
def test_secrets_encrypted_with_rotating_kms_key(synthesis, env):
    config = cluster(synthesis, env)["EncryptionConfig"]
    assert config[0]["Resources"] == ["secrets"]
    key_id = config[0]["Provider"]["KeyArn"]["Fn::GetAtt"][0]
    key = next(k for k in resources(synthesis, env, "AWS::KMS::Key") if k["_id"] == key_id)
    assert key["EnableKeyRotation"] is True


@pytest.mark.parametrize("env", ENVS)
def test_api_authentication_standard_support_no_auto_mode(synthesis, platform, env):
    props = cluster(synthesis, env)
    assert props["AccessConfig"]["AuthenticationMode"] == "API"
    assert props["AccessConfig"]["BootstrapClusterCreatorAdminPermissions"] is False
    assert props["UpgradePolicy"]["SupportType"] == "STANDARD"
    assert props["ComputeConfig"]["Enabled"] is False
    assert props["Version"] == platform.versions.kubernetes


@pytest.mark.parametrize("env", ENVS)
def test_access_entries_admins_and_teams(synthesis, platform, env):
    entries = resources(synthesis, env, "AWS::EKS::AccessEntry")
    config = platform.env(env)
    by_principal = {e["PrincipalArn"]: e for e in entries if isinstance(e["PrincipalArn"], str)}
    for admin in config.admin_role_arns:
        policies = by_principal[admin]["AccessPolicies"]
        assert len(policies) == 1
        assert text(policies[0]["PolicyArn"]).endswith(':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"]]}')
        assert policies[0]["AccessScope"] == {"Type": "cluster"}
    for team in config.teams:
        entry = by_principal[team.role_arn]
        assert entry["KubernetesGroups"] == [f"innovate:team:{team.name}"]
        assert not entry.get("AccessPolicies"), "teams get RBAC in their namespaces, not an EKS access policy"
    assert not any(r for r in resources(synthesis, env, "Custom::AWSCDK-EKS-KubernetesResource")
                   if "aws-auth" in text(r)), "no aws-auth ConfigMap"


@pytest.mark.parametrize("env", ENVS)
def test_pinned_managed_addons(synthesis, platform, env):
    addons = {a["AddonName"]: a for a in resources(synthesis, env, "AWS::EKS::Addon")}
    assert set(addons) == {"vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "aws-ebs-csi-driver",
                           "amazon-cloudwatch-observability"}
    for name, addon in addons.items():
        assert addon["AddonVersion"] == platform.versions.addons[name]
    assert json.loads(addons["vpc-cni"]["ConfigurationValues"])["enableNetworkPolicy"] == "true"
    assert "ServiceAccountRoleArn" in addons["aws-ebs-csi-driver"]


EXPECTED_GROUPS = {
    "prod": {"app": (["c6i.xlarge"], "ON_DEMAND", 4, 4, 4)},  # fixed: Karpenter takes the bursts
    "staging": {"app": (["t3.large"], "ON_DEMAND", 2, 2, 3)},
    "dev": {"app": (["t3.medium"], "SPOT", 0, 2, 2)},
}


@pytest.mark.parametrize("env", ENVS)
def test_node_groups_per_seed(synthesis, env):
    groups = {g["NodegroupName"]: g for g in resources(synthesis, env, "AWS::EKS::Nodegroup")}
    assert set(groups) == {"system", "app"}
    types, capacity, low, desired, high = EXPECTED_GROUPS[env]["app"]
    app = groups["app"]
    assert app["InstanceTypes"] == types and app["CapacityType"] == capacity
    assert app["ScalingConfig"] == {"MinSize": low, "DesiredSize": desired, "MaxSize": high}


@pytest.mark.parametrize("env", ENVS)
def test_system_group_tainted_and_labelled_app_group_labelled(synthesis, env):
    groups = {g["NodegroupName"]: g for g in resources(synthesis, env, "AWS::EKS::Nodegroup")}
    assert groups["system"]["Labels"] == {"role": "system"}
    assert groups["system"]["Taints"] == [{"Effect": "NO_SCHEDULE", "Key": "CriticalAddonsOnly", "Value": "true"}]
    assert groups["app"]["Labels"] == {"role": "app"}
    assert not groups["app"].get("Taints")


@pytest.mark.parametrize("env", ENVS)
def test_nodes_only_in_private_subnets(synthesis, env):
    network = next(s for s in synthesis.for_stage(env) if s.name.endswith("-network"))
    private_ids = {k for k, v in network.of_type("AWS::EC2::Subnet").items()
                   if not v["Properties"].get("MapPublicIpOnLaunch")}
    for group in resources(synthesis, env, "AWS::EKS::Nodegroup"):
        for subnet in group["Subnets"]:
            assert any(pid in subnet["Fn::ImportValue"] for pid in private_ids), subnet


@pytest.mark.parametrize("env", ENVS)
def test_every_launch_template_imdsv2_hop_limit_1_encrypted_gp3(synthesis, env):
    templates = resources(synthesis, env, "AWS::EC2::LaunchTemplate")
    assert len(templates) == 2
    groups = resources(synthesis, env, "AWS::EKS::Nodegroup")
    assert {g["LaunchTemplate"]["Id"]["Ref"] for g in groups} == {t["_id"] for t in templates}
    for template in templates:
        data = template["LaunchTemplateData"]
        assert data["MetadataOptions"]["HttpTokens"] == "required"
        assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
        ebs = data["BlockDeviceMappings"][0]["Ebs"]
        assert ebs["Encrypted"] is True and ebs["VolumeType"] == "gp3"


@pytest.mark.parametrize("env", ENVS)
def test_subnet_tags_for_load_balancers_and_karpenter(synthesis, platform, env):
    subnets = resources(synthesis, env, "AWS::EC2::Subnet")
    public = [s for s in subnets if s.get("MapPublicIpOnLaunch")]
    private = [s for s in subnets if not s.get("MapPublicIpOnLaunch")]
    assert len(public) == len(private) == 3

    def tags(subnet):
        return {t["Key"]: t["Value"] for t in subnet.get("Tags", [])}

    assert all(tags(s).get("kubernetes.io/role/elb") == "1" for s in public)
    assert all(tags(s).get("kubernetes.io/role/internal-elb") == "1" for s in private)
    discovery = [tags(s).get("karpenter.sh/discovery") for s in private]
    expected = platform.env(env).cluster_name if platform.env(env).uses_karpenter else None
    assert discovery == [expected] * 3
    assert not any("karpenter.sh/discovery" in tags(s) for s in public)


def test_flow_logs_everywhere(synthesis):
    for env in ENVS:
        assert resources(synthesis, env, "AWS::EC2::FlowLog")[0]["TrafficType"] == "ALL"


def test_prod_has_the_vpc_endpoints_a_private_cluster_needs(synthesis):
    endpoints = resources(synthesis, "prod", "AWS::EC2::VPCEndpoint")
    names = {text(e["ServiceName"]).split(".")[-1].strip('"]}') for e in endpoints}
    services = text([e["ServiceName"] for e in endpoints])
    for service in ("ecr.api", "ecr.dkr", "sts", "ec2", "ssm", "sqs", "logs", "eks", "s3"):
        assert f".{service}" in services, f"missing {service} endpoint ({names})"
    assert not resources(synthesis, "dev", "AWS::EC2::VPCEndpoint")


def test_nat_gateways_per_environment(synthesis):
    counts = {env: len(resources(synthesis, env, "AWS::EC2::NatGateway")) for env in ENVS}
    assert counts == {"dev": 1, "staging": 1, "prod": 3}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_karpenter_interruption_queue_and_five_rules(synthesis, env):
    queue = one(synthesis, env, "AWS::SQS::Queue")
    assert queue["QueueName"] == f"innovate-{env}-karpenter-interruption"
    assert queue["MessageRetentionPeriod"] == 300
    assert queue["SqsManagedSseEnabled"] is True
    policy = text(one(synthesis, env, "AWS::SQS::QueuePolicy")["PolicyDocument"])
    assert '"aws:SecureTransport": "false"' in policy and '"Effect": "Deny"' in policy
    rules = resources(synthesis, env, "AWS::Events::Rule")
    patterns = sorted((r["EventPattern"]["source"][0], r["EventPattern"]["detail-type"][0]) for r in rules)
    assert patterns == sorted([
        ("aws.health", "AWS Health Event"),
        ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
        ("aws.ec2", "EC2 Instance Rebalance Recommendation"),
        ("aws.ec2", "EC2 Instance State-change Notification"),
        ("aws.ec2", "EC2 Capacity Reservation Instance Interruption Warning"),
    ])
    assert all(r["Targets"][0]["Arn"]["Fn::GetAtt"][1] == "Arn" for r in rules)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_karpenter_node_role_has_ec2_linux_access_entry(synthesis, env):
    entries = [e for e in resources(synthesis, env, "AWS::EKS::AccessEntry") if e.get("Type") == "EC2_LINUX"]
    assert len(entries) == 1
    node_role = role(synthesis, env, f"innovate-{env}-karpenter-node")
    assert entries[0]["PrincipalArn"]["Fn::GetAtt"][0] == node_role["_id"]
    policies = text(node_role["ManagedPolicyArns"])
    for name in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly",
                 "AmazonSSMManagedInstanceCore"):
        assert name in policies


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_karpenter_policy_scoped_by_cluster_tags_and_one_pass_role(synthesis, env):
    cluster_tag = f"aws:ResourceTag/kubernetes.io/cluster/innovate-{env}"
    for statement in statements(synthesis, env, f"innovate-{env}-karpenter"):
        actions = as_list(statement["Action"])
        mutating = any(a.startswith(("ec2:TerminateInstances", "ec2:DeleteLaunchTemplate", "iam:AddRole",
                                     "iam:DeleteInstanceProfile", "iam:RemoveRole")) for a in actions)
        if mutating:
            assert statement["Condition"]["StringEquals"][cluster_tag] == "owned", statement["Sid"]
        if "ec2:CreateFleet" in actions and statement["Sid"] == "AllowScopedEC2InstanceActionsWithTags":
            assert statement["Condition"]["StringEquals"][f"aws:RequestTag/kubernetes.io/cluster/innovate-{env}"] == "owned"
        if "iam:PassRole" in actions:
            assert statement["Resource"] != "*" and "*" not in text(statement["Resource"])
            assert statement["Resource"]["Fn::GetAtt"][1] == "Arn"
            assert statement["Condition"]["StringEquals"]["iam:PassedToService"]
        if statement["Sid"] == "AllowRegionalReadActions":
            assert statement["Condition"]["StringEquals"]["aws:RequestedRegion"] == "us-east-1"
    assert not any("*" in as_list(s["Action"]) for s in statements(synthesis, env, f"innovate-{env}-karpenter"))


@pytest.mark.parametrize("env", ENVS)
def test_irsa_roles_trust_exactly_one_service_account(synthesis, platform, env):
    """Each IRSA role's own trust condition names its service account and the STS audience, nothing else."""
    from innovate_platform.naming import workload_roles

    def cfn_json_value(value):
        """A CfnJson `Value` as the object IAM will see: an `Fn::Join` of JSON text around tokens,
        each token (`Fn::GetAtt`) rendered `<LogicalId.Attribute>`."""
        if not (isinstance(value, dict) and "Fn::Join" in value):
            return value
        delimiter, parts = value["Fn::Join"]
        rendered = [p if isinstance(p, str) else render_token(p) for p in parts]
        return json.loads(delimiter.join(rendered))

    def render_token(token):
        if "Fn::GetAtt" in token:
            return "<{}>".format(".".join(token["Fn::GetAtt"]))
        # the issuer IAM expects: the OIDC provider ARN's part after ":oidc-provider/" (no https://)
        index, (separator, source) = token["Fn::Select"][0], token["Fn::Select"][1]["Fn::Split"]
        assert (index, separator) == (1, ":oidc-provider/"), token
        return "<issuer-of-{}>".format(source["Ref"])

    environment = platform.env(env)
    conditions = {(c["_stack"], c["_id"]): c for c in resources(synthesis, env, "Custom::AWSCDKCfnJson")}
    providers = {(p["_stack"], p["_id"]) for p in resources(synthesis, env, "AWS::IAM::OIDCProvider")}
    accounts = workload_roles(platform, environment)
    assert accounts
    for account in accounts:
        trusted = role(synthesis, env, account.role_name(environment))
        [statement] = trusted["AssumeRolePolicyDocument"]["Statement"]
        assert (statement["Effect"], statement["Action"]) == ("Allow", "sts:AssumeRoleWithWebIdentity"), account
        assert (trusted["_stack"], statement["Principal"]["Federated"]["Ref"]) in providers, account
        assert list(statement["Condition"]) == ["StringEquals"], account
        logical_id, attribute = statement["Condition"]["StringEquals"]["Fn::GetAtt"]
        assert attribute == "Value", account
        value = cfn_json_value(conditions[(trusted["_stack"], logical_id)]["Value"])
        sub = [k for k in value if k.endswith(":sub")]
        aud = [k for k in value if k.endswith(":aud")]
        assert len(value) == 2 and len(sub) == len(aud) == 1, (account, value)
        assert sub[0].removesuffix(":sub") == aud[0].removesuffix(":aud"), (account, value)  # one issuer
        # the issuer without its scheme, from this stack's OIDC provider (the cluster's issuer)
        provider_ref = statement["Principal"]["Federated"]["Ref"]
        assert sub[0] == f"<issuer-of-{provider_ref}>:sub", (account, value)
        assert value[sub[0]] == f"system:serviceaccount:{account.namespace}:{account.service_account}", account
        assert value[aud[0]] == "sts.amazonaws.com", account


def test_cluster_autoscaler_only_in_staging_and_only_for_the_app_group(synthesis):
    import json as _json

    names = {env: {r.get("RoleName") for r in resources(synthesis, env, "AWS::IAM::Role")} for env in ENVS}
    assert "innovate-staging-cluster-autoscaler" in names["staging"]
    assert not any("cluster-autoscaler" in str(n) for n in names["dev"] | names["prod"])
    # A node group's own tags never reach its ASG: the ASG of staging's app group is tagged through
    # the EKS and Auto Scaling APIs at deploy time, and nothing else is.
    calls = {env: [_json.loads(text(c["Create"])) if isinstance(c["Create"], str) else c["Create"]
                   for c in resources(synthesis, env, "Custom::AWS")] for env in ENVS}
    assert not [c for env in ("dev", "prod") for c in calls[env] if "AutoScaling" in text(c) or "EKS" in text(c)]
    tagging = [c for c in calls["staging"] if "createOrUpdateTags" in text(c)]
    assert len(tagging) == 1
    body = text(tagging[0])
    assert "innovate.io/cluster-autoscaler" in body and "node-template/label/role" in body
    described = [c for c in calls["staging"] if "describeNodegroup" in text(c)]
    assert len(described) == 1 and '\\"nodegroupName\\":\\"app\\"' in text(described[0]).replace(" ", "")
    ca = statements(synthesis, "staging", "innovate-staging-cluster-autoscaler")
    resize = next(s for s in ca if "autoscaling:SetDesiredCapacity" in as_list(s["Action"]))
    assert resize["Condition"]["StringEquals"] == {
        "aws:ResourceTag/k8s.io/cluster-autoscaler/innovate-staging": "owned",
        "aws:ResourceTag/innovate.io/cluster-autoscaler": "true"}


def test_dev_sleep_schedule_scales_node_groups_to_zero_and_back(synthesis, platform):
    sleep = platform.env("dev").sleep
    timeline = sleep.timeline()
    schedules = [s for s in resources(synthesis, "dev", "AWS::Scheduler::Schedule")
                 if "eks:updateNodegroupConfig" in s["Target"]["Arn"]]
    assert len(schedules) == 4
    for schedule in schedules:
        assert schedule["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig"
        assert schedule["ScheduleExpressionTimezone"] == sleep.timezone
        expression = schedule["ScheduleExpression"]
        if schedule["Name"].endswith("-sleep"):
            hh, mm = timeline["node_groups_down"].split(":")
            assert expression == f"cron({int(mm)} {int(hh)} ? * MON-FRI *)"
            assert '"DesiredSize":0' in text(schedule["Target"]["Input"]).replace(" ", "").replace('\\"', '"')
        else:
            hh, mm = timeline["node_groups_up"].split(":")
            assert expression == f"cron({int(mm)} {int(hh)} ? * MON-FRI *)"
    assert not any(s.get("Type") == "AWS::Lambda::Function" and "sleep" in s["_id"].lower()
                   for s in resources(synthesis, "dev", "AWS::Lambda::Function"))
    for env in ("staging", "prod"):
        assert not resources(synthesis, env, "AWS::Scheduler::Schedule")


def test_ecr_repositories(synthesis, platform):
    repos = {r["RepositoryName"]: r for r in resources(synthesis, "shared", "AWS::ECR::Repository")}
    assert set(repos) == {"api", "web"}
    for repo in repos.values():
        assert repo["ImageScanningConfiguration"] == {"ScanOnPush": True}
        assert_immutable_except_moving_minor_tags(repo)
        assert "LifecyclePolicy" in repo
        pullers = text(repo["RepositoryPolicyText"])
        assert "ecr:PutImage" not in pullers
        principals = sorted(p for st in repo["RepositoryPolicyText"]["Statement"]
                            for p in as_list(st["Principal"]["AWS"]))
        # the nodes of each environment (managed groups, and Karpenter's where it runs), no account root
        assert principals == sorted(
            [f"arn:aws:iam::{platform.env(e).account}:role/innovate-{e}-node" for e in ENVS]
            + [f"arn:aws:iam::{platform.env(e).account}:role/innovate-{e}-karpenter-node"
               for e in ENVS if platform.env(e).uses_karpenter])


@pytest.mark.parametrize("env", ENVS)
def test_the_node_roles_the_registry_admits_exist_with_those_names(synthesis, env):
    names = {r.get("RoleName") for r in resources(synthesis, env, "AWS::IAM::Role")}
    assert f"innovate-{env}-node" in names
    groups = resources(synthesis, env, "AWS::EKS::Nodegroup")
    node_role = role(synthesis, env, f"innovate-{env}-node")
    assert groups and all(g["NodeRole"] == {"Fn::GetAtt": [node_role["_id"], "Arn"]} for g in groups)


def assert_immutable_except_moving_minor_tags(repo):
    """ECR semantics: MUTABLE_WITH_EXCLUSION makes the tags matching a WILDCARD filter immutable."""
    from fnmatch import fnmatchcase

    assert repo["ImageTagMutability"] == "MUTABLE_WITH_EXCLUSION"
    patterns = [f["ImageTagMutabilityExclusionFilterValue"] for f in repo["ImageTagMutabilityExclusionFilters"]]

    def immutable(tag):
        return any(fnmatchcase(tag, p) for p in patterns)

    for tag in ("sha-1a2b3c4", "1.2.3", "10.20.30", "1.2.3-rc.1"):
        assert immutable(tag), tag
    assert not immutable("1.2"), "the moving minor tag must be re-pointable"
    import json as _json

    rules = _json.loads(repo["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    first = min(rules, key=lambda r: r["rulePriority"])
    assert first["selection"]["tagPatternList"] == ["*.*.*"], "releases are matched first, so never expired"
    assert first["selection"]["countNumber"] >= 1000


def test_github_oidc_role_limited_to_main_and_version_tags(synthesis, platform):
    push = role(synthesis, "shared", "innovate-github-ecr-push")
    statement = push["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"] == {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    repo = platform.github.repository
    assert sorted(statement["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"]) == sorted(
        [f"repo:{repo}:ref:refs/heads/main", f"repo:{repo}:ref:refs/tags/v*"])
    granted = statements(synthesis, "shared", "innovate-github-ecr-push")
    wildcard = [s for s in granted if s["Resource"] == "*"]
    assert [as_list(s["Action"]) for s in wildcard] == [["ecr:GetAuthorizationToken"]]
    scoped = [s for s in granted if s["Resource"] != "*"]
    assert all("ecr:PutImage" in as_list(s["Action"]) for s in scoped)
    repo_ids = {r["_id"] for r in resources(synthesis, "shared", "AWS::ECR::Repository")}
    granted_to = text([s["Resource"] for s in scoped])
    assert all(repo_id in granted_to for repo_id in repo_ids)
    assert len([r for s in scoped for r in as_list(s["Resource"])]) == len(repo_ids)


@pytest.mark.parametrize(("env", "github_environment"), [("dev", "dev"), ("staging", "staging"),
                                                          ("prod", "production")])
def test_deploy_role_only_from_the_github_environment_with_reviewers(synthesis, platform, env, github_environment):
    repo = platform.github.repository
    deploy = role(synthesis, env, f"innovate-{env}-github-deploy")["AssumeRolePolicyDocument"]["Statement"][0]
    assert deploy["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"] == [
        f"repo:{repo}:environment:{github_environment}"]
    assumable = [r for s in statements(synthesis, env, f"innovate-{env}-github-deploy") for r in as_list(s["Resource"])]
    assert all("cdk-hnb659fds-" in text(r) for r in assumable)
    diff = role(synthesis, env, f"innovate-{env}-github-diff")["AssumeRolePolicyDocument"]["Statement"][0]
    subjects = as_list(diff["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"])
    if env == "prod":  # pull requests reach prod's state only behind production-diff's reviewers
        assert subjects == [f"repo:{repo}:environment:production-diff"]
    else:
        assert subjects == [f"repo:{repo}:pull_request"]
    diff_actions = [a for s in statements(synthesis, env, f"innovate-{env}-github-diff") for a in as_list(s["Action"])]
    # CloudFormation state and nothing else: no lookup role (ReadOnlyAccess), no data
    assert diff_actions and all(a.startswith(("cloudformation:Describe", "cloudformation:Get", "cloudformation:List"))
                                for a in diff_actions)
    assert "ManagedPolicyArns" not in role(synthesis, env, f"innovate-{env}-github-diff")


def _github_subjects(role_props: dict) -> list[str]:
    return [sub for st in role_props["AssumeRolePolicyDocument"]["Statement"]
            for sub in as_list((st.get("Condition") or {}).get("StringLike", {}).get("token.actions.githubusercontent.com:sub")) if sub]


def test_each_github_environment_is_trusted_by_one_role(synthesis, platform):
    """production (which deploys) and production-diff/shared-diff (which pull requests run in) are
    trusted by different roles: a pull request's diff job never gets a token a deploy role takes."""
    repo = platform.github.repository
    trusted_by: dict[str, list[str]] = {}
    for stage in (*ENVS, "shared"):
        for res in resources(synthesis, stage, "AWS::IAM::Role"):
            for sub in _github_subjects(res):
                trusted_by.setdefault(sub, []).append(res.get("RoleName"))
    environments = {sub.rsplit(":", 1)[1]: roles for sub, roles in trusted_by.items()
                    if sub.startswith(f"repo:{repo}:environment:")}
    assert environments == {"dev": ["innovate-dev-github-deploy"], "staging": ["innovate-staging-github-deploy"],
                            "production": ["innovate-prod-github-deploy"],
                            "production-diff": ["innovate-prod-github-diff"],
                            "shared-diff": ["innovate-shared-github-diff"]}


def test_api_bucket_private_encrypted_tls_only(synthesis):
    for env in ENVS:
        buckets = resources(synthesis, env, "AWS::S3::Bucket")
        api = next(b for b in buckets if str(b.get("BucketName", "")).startswith(f"innovate-{env}-api-"))
        assert api["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
        assert api["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
        policy = next(p for p in resources(synthesis, env, "AWS::S3::BucketPolicy")
                      if p["Bucket"]["Ref"] == api["_id"])
        assert '"aws:SecureTransport": "false"' in text(policy["PolicyDocument"])


def test_flux_is_the_only_helm_release_and_cluster_vars_are_complete(synthesis, platform):
    from innovate_platform.naming import cluster_var_names

    for env in ENVS:
        charts = resources(synthesis, env, "Custom::AWSCDK-EKS-HelmChart")
        assert [c["Chart"] for c in charts] == ["flux2"]
        assert charts[0]["Version"] == platform.versions.charts["flux2"]
        # Exactly the values the upstream-charts check renders the real flux2 chart with.
        from innovate_platform.gitops.flux_values import flux_values

        assert json.loads(charts[0]["Values"]) == flux_values()
        manifest = text(one(synthesis, env, "Custom::AWSCDK-EKS-KubernetesResource")["Manifest"])
        assert "cluster-vars" in manifest and f"./gitops/clusters/{env}" in manifest
        # cloned over SSH with the deploy key the runbook creates as the flux-system Secret
        assert f"ssh://git@github.com/{platform.github.repository}" in manifest
        for key in cluster_var_names(platform, platform.env(env)):
            assert f'\\"{key}\\"' in manifest, f"{env}: cluster-vars misses {key}"


def test_an_unacknowledged_nag_finding_fails_synthesis(platform, tmp_path):
    """cdk-nag guards every synth: a wildcard policy added without a reason stops it."""
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam

    from innovate_platform.aws import stage as stage_module
    from innovate_platform.aws.synth import SynthError, synthesize

    original = stage_module._shared_stage

    def with_wildcard(app, config):
        shared = original(app, config)
        stack = cdk.Stack(shared, "rogue", stack_name="innovate-shared-rogue")
        rogue = iam.Role(stack, "Rogue", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
        rogue.add_to_policy(iam.PolicyStatement(actions=["*"], resources=["*"]))
        return shared

    stage_module._shared_stage = with_wildcard
    try:
        with pytest.raises(SynthError, match=r"AwsSolutions-IAM5\[Action::\*\].*rogue"):
            synthesize(platform, ("shared",), tmp_path)
    finally:
        stage_module._shared_stage = original


@pytest.mark.parametrize("env", ENVS)
def test_subnet_plan_known_before_deploy_matches_the_template(synthesis, platform, env):
    """The GitOps tree writes the ALB subnets into NetworkPolicies from network_layout."""
    from innovate_platform.network_layout import subnet_layout

    layout = subnet_layout(platform.env(env))
    subnets = resources(synthesis, env, "AWS::EC2::Subnet")
    public = sorted(s["CidrBlock"] for s in subnets if s.get("MapPublicIpOnLaunch"))
    private = sorted(s["CidrBlock"] for s in subnets if not s.get("MapPublicIpOnLaunch"))
    assert public == sorted(layout.public) and private == sorted(layout.private)


@pytest.mark.parametrize("env", ENVS)
def test_load_balancer_controller_can_tag_what_it_creates_and_open_backend_groups(synthesis, env):
    """ELB authorizes AddTags during a tagged create, before the resource carries any tag; and
    the controller adds its ALB's rule to the node/pod groups, which it does not own."""
    granted = statements(synthesis, env, f"innovate-{env}-aws-load-balancer-controller")

    def allowing(action):
        return [s for s in granted if action in as_list(s["Action"])]

    tag_on_create = [s for s in allowing("elasticloadbalancing:AddTags")
                     if "elasticloadbalancing:CreateAction" in s.get("Condition", {}).get("StringEquals", {})]
    assert tag_on_create, "no AddTags for CreateLoadBalancer/CreateTargetGroup"
    assert set(tag_on_create[0]["Condition"]["StringEquals"]["elasticloadbalancing:CreateAction"]) == {
        "CreateLoadBalancer", "CreateTargetGroup"}
    assert tag_on_create[0]["Condition"]["Null"] == {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"}
    assert any("Condition" not in s for s in allowing("ec2:AuthorizeSecurityGroupIngress"))
    deletes = allowing("ec2:DeleteSecurityGroup") + allowing("elasticloadbalancing:DeleteLoadBalancer")
    assert deletes and all(s["Condition"]["Null"] == {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"} for s in deletes)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_spot_service_linked_role_is_created_only_if_missing(synthesis, env):
    """AWS::IAM::ServiceLinkedRole fails any account that already used Spot; the SDK call tolerates it."""
    assert not resources(synthesis, env, "AWS::IAM::ServiceLinkedRole")
    calls = [c for c in resources(synthesis, env, "Custom::AWS") if "createServiceLinkedRole" in text(c)]
    assert len(calls) == 1
    body = text(calls[0]["Create"])
    assert "spot.amazonaws.com" in body and "ignoreErrorCodesMatching" in body and "InvalidInput" in body
    assert "Delete" not in calls[0]


def test_no_lambda_environment_carries_a_literal_credential(synthesis):
    """Backs the checkov CKV_AWS_45 skip: every Lambda variable is a known, harmless setting."""
    allowed = {"AWS_STS_REGIONAL_ENDPOINTS": {"regional"}}
    for stage in ("dev", "staging", "prod", "shared"):
        for function in resources(synthesis, stage, "AWS::Lambda::Function"):
            for name, value in (function.get("Environment") or {}).get("Variables", {}).items():
                if isinstance(value, dict):
                    assert set(value) <= {"Fn::GetAtt", "Ref"}, (function["_id"], name)  # a reference, not a literal
                else:
                    assert value in allowed.get(name, set()), f"{stage}/{function['_id']}: {name}={value!r}"
