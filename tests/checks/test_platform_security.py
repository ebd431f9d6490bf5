"""platform-security rules, each fed a small in-memory stage that is correct, then broken in one place."""

from __future__ import annotations

import copy

import pytest

from innovate_platform.checks import platform_security as ps

REPO = "innovate-inc/platform"
GITHUB = "token.actions.githubusercontent.com"


def trust(subjects: list[str]) -> dict:
    return {"Statement": [{"Action": "sts:AssumeRoleWithWebIdentity", "Effect": "Allow",
                           "Principal": {"Federated": {"Ref": "GitHubOidcProvider"}},
                           "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                                         "StringLike": {f"{GITHUB}:sub": subjects}}}]}


def prod_stage() -> dict[str, dict]:
    """The shapes CDK synthesizes for prod, reduced to one of each resource."""
    network = {
        "Resources": {
            "PublicSubnet": {"Type": "AWS::EC2::Subnet", "Properties": {"MapPublicIpOnLaunch": True}},
            "PrivateSubnet": {"Type": "AWS::EC2::Subnet", "Properties": {
                "MapPublicIpOnLaunch": False, "Tags": [{"Key": "karpenter.sh/discovery", "Value": "innovate-prod"}]}},
            "PublicTable": {"Type": "AWS::EC2::RouteTable", "Properties": {}},
            "PublicDefault": {"Type": "AWS::EC2::Route", "Properties": {
                "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": "Igw"}, "RouteTableId": {"Ref": "PublicTable"}}},
            "PublicAssoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
                "RouteTableId": {"Ref": "PublicTable"}, "SubnetId": {"Ref": "PublicSubnet"}}},
        },
        "Outputs": {
            "PrivateOut": {"Value": {"Ref": "PrivateSubnet"}, "Export": {"Name": "innovate-prod-network:Private"}},
            "PublicOut": {"Value": {"Ref": "PublicSubnet"}, "Export": {"Name": "innovate-prod-network:Public"}},
        },
    }
    platform = {"Resources": {
        "SecretsKey": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}},
        "Cluster": {"Type": "AWS::EKS::Cluster", "Properties": {
            "ResourcesVpcConfig": {"EndpointPrivateAccess": True, "EndpointPublicAccess": False},
            "Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": t} for t in ps.LOG_TYPES]}},
            "EncryptionConfig": [{"Provider": {"KeyArn": {"Fn::GetAtt": ["SecretsKey", "Arn"]}}, "Resources": ["secrets"]}]}},
        "AdminAccess": {"Type": "AWS::EKS::AccessEntry", "Properties": {
            "PrincipalArn": "arn:aws:iam::333333333333:role/innovate-platform-admin",
            "AccessPolicies": [{"AccessScope": {"Type": "cluster"}, "PolicyArn": {"Fn::Join": ["", [
                "arn:", {"Ref": "AWS::Partition"}, ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"]]}}]}},
        "TeamCore": {"Type": "AWS::EKS::AccessEntry", "Properties": {
            "PrincipalArn": "arn:aws:iam::333333333333:role/innovate-team-core",
            "KubernetesGroups": ["innovate:team:core"], "AccessPolicies": []}},
        "AppTemplate": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
            "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1}}}},
        "AppGroup": {"Type": "AWS::EKS::Nodegroup", "Properties": {
            "LaunchTemplate": {"Id": {"Ref": "AppTemplate"}},
            "Subnets": [{"Fn::ImportValue": "innovate-prod-network:Private"}]}},
        "NodeGroupSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [
            {"SourceSecurityGroupId": {"Fn::GetAtt": ["AlbSg", "GroupId"]}, "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080},
            {"CidrIp": "10.30.0.0/22", "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080}]}},
        "AlbSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "Tags": [{"Key": "innovate:exposure", "Value": "internet-alb"}],
            "SecurityGroupIngress": [{"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443},
                                     {"CidrIpv6": "::/0", "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80}]}},
        "AlbHttps6": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["AlbSg", "GroupId"]}, "CidrIpv6": "::/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}},
        "NodeRole": {"Type": "AWS::IAM::Role", "Properties": {"ManagedPolicyArns": [{"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonEKSWorkerNodePolicy"]]}]}},
        "KarpenterPolicy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": {"Fn::GetAtt": ["NodeRole", "Arn"]}},
            {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}]}}},
        "ApiBucket": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "PublicAccessBlockConfiguration": {k: True for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")}}},
        "ApiBucketPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "ApiBucket"}, "PolicyDocument": {"Statement": [
            {"Effect": "Deny", "Action": "s3:*", "Principal": {"AWS": "*"}, "Condition": {"Bool": {"aws:SecureTransport": "false"}},
             "Resource": [{"Fn::GetAtt": ["ApiBucket", "Arn"]}]}]}}},
        "Database": {"Type": "AWS::RDS::DBInstance", "Properties": {
            "StorageEncrypted": True, "EnableIAMDatabaseAuthentication": True, "PubliclyAccessible": False}},
    }}
    ci = {"Resources": {
        "DiffRole": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "innovate-prod-github-diff",
            "AssumeRolePolicyDocument": trust([f"repo:{REPO}:environment:production-diff"])}},
        "DeployRole": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "innovate-prod-github-deploy", "AssumeRolePolicyDocument": trust([f"repo:{REPO}:environment:production"])}},
    }}
    return {"innovate-prod-network": network, "innovate-prod-platform": platform, "innovate-prod-ci": ci}


def shared_stage() -> dict[str, dict]:
    return {
        "innovate-shared-registry": {"Resources": {"ApiRepo": {"Type": "AWS::ECR::Repository", "Properties": {
            "ImageScanningConfiguration": {"ScanOnPush": True}, "ImageTagMutability": "MUTABLE_WITH_EXCLUSION",
            "ImageTagMutabilityExclusionFilters": [
                {"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": v}
                for v in ("sha-*", "*.*.*")]}}}},
        "innovate-shared-ci": {"Resources": {"PushRole": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "innovate-github-ecr-push",
            "AssumeRolePolicyDocument": trust([f"repo:{REPO}:ref:refs/heads/main", f"repo:{REPO}:ref:refs/tags/v*"])}}}},
    }


NODE_CLASS = {"apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "metadata": {"name": "default"}, "spec": {
    "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "innovate-prod"}}],
    "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1}}}
NODE_POOLS = "gitops/infrastructure/configs/prod/node-pools.yaml"


def props(stage: dict, stack: str, logical_id: str) -> dict:
    return stage[stack]["Resources"][logical_id]["Properties"]


def only(findings) -> ps.Finding:
    findings = list(findings)
    assert len(findings) == 1, findings
    return findings[0]


def test_the_correct_stages_pass(platform):
    assert ps.template_findings("prod", prod_stage(), platform) == []
    assert ps.template_findings("shared", shared_stage(), platform) == []
    assert ps.node_class_findings("prod", prod_stage(), [(NODE_POOLS, NODE_CLASS)]) == []


def test_a_public_prod_endpoint(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "Cluster")["ResourcesVpcConfig"]["EndpointPublicAccess"] = True
    finding = only(ps.endpoint_access("prod", stage, platform))
    assert (finding.env, finding.resource) == ("prod", "innovate-prod-platform/Cluster (AWS::EKS::Cluster)")
    assert finding.field == "Properties.ResourcesVpcConfig.EndpointPublicAccess"
    assert "endpoint.public: false" in finding.fix


def test_an_unset_public_flag_means_public(platform):
    stage = prod_stage()
    del props(stage, "innovate-prod-platform", "Cluster")["ResourcesVpcConfig"]["EndpointPublicAccess"]
    assert only(ps.endpoint_access("prod", stage, platform)).field.endswith("EndpointPublicAccess")


def test_a_public_dev_endpoint_open_to_the_internet(platform):
    stage = prod_stage()
    vpc = props(stage, "innovate-prod-platform", "Cluster")["ResourcesVpcConfig"]
    vpc.update(EndpointPublicAccess=True, PublicAccessCidrs=["203.0.113.0/24"])
    assert list(ps.endpoint_access("dev", stage, platform)) == []
    vpc["PublicAccessCidrs"] = ["0.0.0.0/0"]
    assert only(ps.endpoint_access("dev", stage, platform)).field.endswith("PublicAccessCidrs")


def test_a_missing_control_plane_log_type(platform):
    stage = prod_stage()
    logging = props(stage, "innovate-prod-platform", "Cluster")["Logging"]["ClusterLogging"]
    logging["EnabledTypes"] = [t for t in logging["EnabledTypes"] if t["Type"] != "audit"]
    finding = only(ps.control_plane_logs("prod", stage, platform))
    assert finding.field == "Properties.Logging.ClusterLogging.EnabledTypes" and "audit" in finding.message


def test_secrets_key_without_rotation(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "SecretsKey")["EnableKeyRotation"] = False
    finding = only(ps.secrets_encryption("prod", stage, platform))
    assert finding.resource == "innovate-prod-platform/SecretsKey (AWS::KMS::Key)"
    assert finding.field == "Properties.EnableKeyRotation"


def test_secrets_not_encrypted(platform):
    stage = prod_stage()
    del props(stage, "innovate-prod-platform", "Cluster")["EncryptionConfig"]
    assert only(ps.secrets_encryption("prod", stage, platform)).field == "Properties.EncryptionConfig"


def test_hop_limit_2_in_a_launch_template(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "AppTemplate")["LaunchTemplateData"]["MetadataOptions"]["HttpPutResponseHopLimit"] = 2
    finding = only(ps.launch_template_imds("prod", stage, platform))
    assert finding.resource == "innovate-prod-platform/AppTemplate (AWS::EC2::LaunchTemplate)"
    assert finding.field == "Properties.LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit"


def test_imdsv1_allowed_in_a_launch_template(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "AppTemplate")["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] = "optional"
    assert only(ps.launch_template_imds("prod", stage, platform)).field.endswith("MetadataOptions.HttpTokens")


def test_a_node_group_without_launch_template(platform):
    stage = prod_stage()
    del props(stage, "innovate-prod-platform", "AppGroup")["LaunchTemplate"]
    assert only(ps.launch_template_imds("prod", stage, platform)).field == "Properties.LaunchTemplate"


def test_hop_limit_2_in_an_ec2_node_class():
    node_class = copy.deepcopy(NODE_CLASS)
    node_class["spec"]["metadataOptions"]["httpPutResponseHopLimit"] = 2
    finding = only(ps.node_class_imds("prod", [(NODE_POOLS, node_class)]))
    assert finding.resource == f"{NODE_POOLS}: EC2NodeClass default"
    assert finding.field == "spec.metadataOptions.httpPutResponseHopLimit"


def test_a_node_group_in_a_public_subnet(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "AppGroup")["Subnets"] = [{"Fn::ImportValue": "innovate-prod-network:Public"}]
    finding = only(ps.node_groups_private("prod", stage, platform))
    assert finding.resource == "innovate-prod-platform/AppGroup (AWS::EKS::Nodegroup)"
    assert finding.field == "Properties.Subnets[0]" and "PublicSubnet" in finding.message


def test_a_subnet_is_public_by_its_internet_route_alone(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-network", "PublicSubnet")["MapPublicIpOnLaunch"] = False
    props(stage, "innovate-prod-platform", "AppGroup")["Subnets"] = [{"Fn::ImportValue": "innovate-prod-network:Public"}]
    assert "PublicSubnet" in only(ps.node_groups_private("prod", stage, platform)).message


def test_an_ec2_node_class_selecting_a_public_subnet():
    stage = prod_stage()
    props(stage, "innovate-prod-network", "PublicSubnet")["Tags"] = [{"Key": "karpenter.sh/discovery", "Value": "innovate-prod"}]
    finding = only(ps.node_class_subnets("prod", stage, [(NODE_POOLS, NODE_CLASS)]))
    assert finding.field == "spec.subnetSelectorTerms[0].tags" and "PublicSubnet" in finding.message


@pytest.mark.parametrize("rule", [
    {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443},
    {"CidrIpv6": "::/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443},
    {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80},
    {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22},
    {"CidrIpv6": "::/0", "IpProtocol": "-1"},
])
def test_any_internet_ingress_onto_a_node_group(platform, rule):
    """Without the ALB mark, even 443 from the internet is a finding: nodes sit behind the ALB."""
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "NodeGroupSg")["SecurityGroupIngress"].append(rule)
    finding = only(ps.security_group_ingress("prod", stage, platform))
    assert (finding.env, finding.resource) == ("prod", "innovate-prod-platform/NodeGroupSg (AWS::EC2::SecurityGroup)")
    assert finding.field == "Properties.SecurityGroupIngress[2]"
    assert "not an internet-facing load balancer group" in finding.message and "innovate:exposure=internet-alb" in finding.fix


@pytest.mark.parametrize("rule", [
    {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22},
    {"CidrIpv6": "::/0", "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080},
    {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 80, "ToPort": 443},
    {"CidrIp": "0.0.0.0/0", "IpProtocol": "udp", "FromPort": 443, "ToPort": 443},
    {"CidrIpv6": "::/0", "IpProtocol": "-1"},
])
def test_a_marked_alb_group_takes_only_80_and_443_from_the_internet(platform, rule):
    stage = prod_stage()
    assert list(ps.security_group_ingress("prod", stage, platform)) == []  # 443 and 80, IPv4 and IPv6, pass
    props(stage, "innovate-prod-platform", "AlbSg")["SecurityGroupIngress"].append(rule)
    finding = only(ps.security_group_ingress("prod", stage, platform))
    assert finding.resource == "innovate-prod-platform/AlbSg (AWS::EC2::SecurityGroup)"
    assert finding.field == "Properties.SecurityGroupIngress[2]" and "only TCP 80 and 443" in finding.message


def test_the_mark_must_be_exact(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "AlbSg")["Tags"] = [{"Key": "innovate:exposure", "Value": "internal"}]
    findings = list(ps.security_group_ingress("prod", stage, platform))
    assert sorted(f.field for f in findings) == ["Properties", "Properties.SecurityGroupIngress[0]", "Properties.SecurityGroupIngress[1]"]


def test_port_22_from_anywhere_as_its_own_ingress_resource(platform):
    stage = prod_stage()
    stage["innovate-prod-platform"]["Resources"]["Ssh"] = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
        "GroupId": {"Fn::GetAtt": ["AlbSg", "GroupId"]}, "CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}}
    finding = only(ps.security_group_ingress("prod", stage, platform))
    assert "tcp 22-22" in finding.message and finding.resource.startswith("innovate-prod-platform/Ssh")
    assert finding.field == "Properties"


@pytest.mark.parametrize("group", [
    {"Fn::GetAtt": ["NodeGroupSg", "GroupId"]},
    {"Ref": "NodeGroupSg"},
    {"Fn::ImportValue": "innovate-prod-network:EndpointsSg"},
    "sg-0123456789abcdef0",
])
def test_443_from_anywhere_as_its_own_resource_onto_an_unmarked_group(platform, group):
    stage = prod_stage()
    stage["innovate-prod-network"]["Resources"]["EndpointsSg"] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {}}
    stage["innovate-prod-network"]["Outputs"]["EndpointsOut"] = {
        "Value": {"Fn::GetAtt": ["EndpointsSg", "GroupId"]}, "Export": {"Name": "innovate-prod-network:EndpointsSg"}}
    stage["innovate-prod-platform"]["Resources"]["Https"] = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
        "GroupId": group, "CidrIpv6": "::/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}}
    finding = only(ps.security_group_ingress("prod", stage, platform))
    assert finding.resource == "innovate-prod-platform/Https (AWS::EC2::SecurityGroupIngress)"
    assert "ingress from ::/0 on tcp 443-443" in finding.message


def test_a_star_on_star_iam_statement(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "KarpenterPolicy")["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "*", "Resource": "*"})
    finding = only(ps.iam_admin_statements("prod", stage, platform))
    assert finding.resource == "innovate-prod-platform/KarpenterPolicy (AWS::IAM::Policy)"
    assert finding.field == "Properties.PolicyDocument.Statement[2]"


def test_a_star_on_star_inline_role_policy(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-ci", "DiffRole")["Policies"] = [
        {"PolicyName": "all", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]}}]
    assert only(ps.iam_admin_statements("prod", stage, platform)).field == "Properties.Policies[0].PolicyDocument.Statement[0]"


@pytest.mark.parametrize("statement, says", [
    ({"Effect": "Allow", "Action": "*:*", "Resource": "*"}, "every action (*:*) on every resource (*)"),
    ({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
     "every action except iam:*, organizations:* (NotAction) on every resource (*)"),
    ({"Effect": "Allow", "Action": ["s3:GetObject", "*"], "NotResource": "arn:aws:s3:::audit/*"},
     "every action (*) on every resource except arn:aws:s3:::audit/* (NotResource)"),
])
def test_every_action_written_otherwise(platform, statement, says):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "KarpenterPolicy")["PolicyDocument"]["Statement"].append(statement)
    finding = only(ps.iam_admin_statements("prod", stage, platform))
    assert (finding.env, finding.resource) == ("prod", "innovate-prod-platform/KarpenterPolicy (AWS::IAM::Policy)")
    assert finding.field == "Properties.PolicyDocument.Statement[2]" and finding.message == f"allows {says}"
    assert ("replace NotAction" in finding.fix) == ("NotAction" in statement)


@pytest.mark.parametrize("statement", [
    {"Effect": "Allow", "NotAction": "iam:*", "Resource": {"Fn::GetAtt": ["ApiBucket", "Arn"]}},
    {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
])
def test_not_action_on_one_resource_or_a_deny_is_not_admin(platform, statement):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "KarpenterPolicy")["PolicyDocument"]["Statement"].append(statement)
    assert list(ps.iam_admin_statements("prod", stage, platform)) == []


@pytest.mark.parametrize("kind", ["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"])
@pytest.mark.parametrize("arn, name", [
    ("arn:aws:iam::aws:policy/AdministratorAccess", "AdministratorAccess"),
    ({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/PowerUserAccess"]]}, "PowerUserAccess"),
    ({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/IAMFullAccess"}, "IAMFullAccess"),
    ({"Fn::Sub": ["arn:${P}:iam::aws:policy/AdministratorAccess", {"P": {"Ref": "AWS::Partition"}}]}, "AdministratorAccess"),
    ("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", "AdministratorAccess"),
])
def test_an_admin_managed_policy_attached(platform, kind, arn, name):
    stage = prod_stage()
    node_role = stage["innovate-prod-platform"]["Resources"]["NodeRole"]
    node_role["Type"] = kind
    node_role["Properties"]["ManagedPolicyArns"].append(arn)
    finding = only(ps.iam_admin_statements("prod", stage, platform))
    assert (finding.env, finding.resource) == ("prod", f"innovate-prod-platform/NodeRole ({kind})")
    assert finding.field == "Properties.ManagedPolicyArns[1]" and name in finding.message and f"detach {name}" in finding.fix


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::333333333333:policy/AdministratorAccess",  # a customer policy of that name: its statements are checked
    {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
])
def test_other_managed_policies_are_not_admin(platform, arn):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "NodeRole")["ManagedPolicyArns"].append(arn)
    assert list(ps.iam_admin_statements("prod", stage, platform)) == []


@pytest.mark.parametrize("action, resource", [
    ("iam:PassRole", "*"),
    ("iam:*", "*"),
    ("iam:PassRole", {"Fn::Join": ["", ["arn:aws:iam::333333333333:role/", "*"]]}),
])
def test_pass_role_on_any_role(platform, action, resource):
    stage = prod_stage()
    statement = props(stage, "innovate-prod-platform", "KarpenterPolicy")["PolicyDocument"]["Statement"][0]
    statement.update(Action=action, Resource=resource)
    finding = only(ps.iam_pass_role("prod", stage, platform))
    assert finding.field == "Properties.PolicyDocument.Statement[0].Resource" and "PassRole" in finding.message


@pytest.mark.parametrize("stack, role, subjects", [
    ("innovate-shared-ci", "PushRole", [f"repo:{REPO}:ref:refs/heads/*"]),
    ("innovate-shared-ci", "PushRole", [f"repo:{REPO}:*"]),
    ("innovate-shared-ci", "PushRole", [f"repo:{REPO}:ref:refs/heads/main", "repo:someone-else/fork:ref:refs/heads/main"]),
])
def test_an_oidc_trust_for_any_branch(platform, stack, role, subjects):
    stage = shared_stage()
    props(stage, stack, role)["AssumeRolePolicyDocument"] = trust(subjects)
    finding = only(ps.github_oidc_trust("shared", stage, platform))
    assert finding.resource == f"{stack}/{role} (AWS::IAM::Role)"
    assert finding.field.endswith("Condition.StringLike") and "image push" in finding.message


def test_a_deploy_role_trusting_another_environment(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-ci", "DeployRole")["AssumeRolePolicyDocument"] = trust([f"repo:{REPO}:environment:dev"])
    finding = only(ps.github_oidc_trust("prod", stage, platform))
    assert finding.env == "prod" and "environment:production" in finding.fix


def test_an_oidc_trust_without_audience(platform):
    stage = prod_stage()
    del props(stage, "innovate-prod-ci", "DiffRole")["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]
    assert only(ps.github_oidc_trust("prod", stage, platform)).field.endswith("Condition.StringEquals")


def test_an_unencrypted_bucket(platform):
    stage = prod_stage()
    del props(stage, "innovate-prod-platform", "ApiBucket")["BucketEncryption"]
    finding = only(ps.s3_buckets("prod", stage, platform))
    assert finding.resource == "innovate-prod-platform/ApiBucket (AWS::S3::Bucket)" and finding.field == "Properties.BucketEncryption"


def test_a_bucket_without_tls_only_policy(platform):
    stage = prod_stage()
    del stage["innovate-prod-platform"]["Resources"]["ApiBucketPolicy"]
    finding = only(ps.s3_buckets("prod", stage, platform))
    assert "aws:SecureTransport" in finding.message and finding.fix == "set enforce_ssl=True on the bucket"


def test_a_bucket_with_public_access_allowed(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "ApiBucket")["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] = False
    finding = only(ps.s3_buckets("prod", stage, platform))
    assert finding.field == "Properties.PublicAccessBlockConfiguration" and "RestrictPublicBuckets" in finding.message


@pytest.mark.parametrize("change", [
    {"ImageTagMutability": "MUTABLE"},
    {"ImageTagMutabilityExclusionFilters": [
        {"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "sha-*"}]},
])
def test_mutable_ecr_tags(platform, change):
    stage = shared_stage()
    props(stage, "innovate-shared-registry", "ApiRepo").update(change)
    finding = only(ps.ecr_repositories("shared", stage, platform))
    assert finding.resource == "innovate-shared-registry/ApiRepo (AWS::ECR::Repository)"
    assert finding.field == "Properties.ImageTagMutability"


def test_ecr_without_scan_on_push(platform):
    stage = shared_stage()
    props(stage, "innovate-shared-registry", "ApiRepo")["ImageScanningConfiguration"] = {"ScanOnPush": False}
    assert only(ps.ecr_repositories("shared", stage, platform)).field == "Properties.ImageScanningConfiguration.ScanOnPush"


@pytest.mark.parametrize("field, value", [
    ("StorageEncrypted", False), ("EnableIAMDatabaseAuthentication", False), ("PubliclyAccessible", True)])
def test_rds_encrypted_iam_auth_private(platform, field, value):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "Database")[field] = value
    assert only(ps.rds_instances("prod", stage, platform)).field == f"Properties.{field}"


def test_cluster_admin_for_someone_else(platform):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "AdminAccess")["PrincipalArn"] = "arn:aws:iam::333333333333:role/innovate-team-core"
    finding = only(ps.cluster_admins("prod", stage, platform))
    assert finding.field == "Properties.AccessPolicies" and "innovate-team-core" in finding.message


@pytest.mark.parametrize("scope, where", [
    ({"Type": "cluster"}, "every namespace"),
    ({"Type": "namespace", "Namespaces": ["api", "analytics"]}, "analytics"),
])
def test_a_team_access_policy_beyond_its_namespaces(platform, scope, where):
    stage = prod_stage()
    props(stage, "innovate-prod-platform", "TeamCore")["AccessPolicies"] = [{"AccessScope": scope, "PolicyArn": {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":eks::aws:cluster-access-policy/AmazonEKSEditPolicy"]]}}]
    finding = only(ps.team_access_entries("prod", stage, platform))
    assert finding.resource == "innovate-prod-platform/TeamCore (AWS::EKS::AccessEntry)"
    assert finding.field == "Properties.AccessPolicies[0].AccessScope" and f"AmazonEKSEditPolicy in {where}" in finding.message


def test_only_the_kubectl_handler_role_besides_admins_gets_cluster_admin(platform):
    stage = prod_stage()
    resources = stage["innovate-prod-platform"]["Resources"]
    resources["ClusterKubectlProviderHandler"] = {"Type": "AWS::Lambda::Function", "Properties": {
        "Role": {"Fn::GetAtt": ["HandlerRole", "Arn"]}}}
    resources["HandlerAccess"] = copy.deepcopy(resources["AdminAccess"])
    resources["HandlerAccess"]["Properties"]["PrincipalArn"] = {"Fn::GetAtt": ["HandlerRole", "Arn"]}
    assert list(ps.cluster_admins("prod", stage, platform)) == []
    resources["HandlerAccess"]["Properties"]["PrincipalArn"] = {"Fn::GetAtt": ["SomeOtherRole", "Arn"]}
    finding = only(ps.cluster_admins("prod", stage, platform))
    assert finding.resource == "innovate-prod-platform/HandlerAccess (AWS::EKS::AccessEntry)" and "<SomeOtherRole.Arn>" in finding.message
