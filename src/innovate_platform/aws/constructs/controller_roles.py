"""ControllerRoles: IRSA roles of the in-cluster controllers that call AWS (besides Karpenter).

AWS Load Balancer Controller, KEDA (CloudWatch read for RPS scaling), external-dns (records in the
environment's hosted zone) and, where it scales the
application group, Cluster Autoscaler. Mutating permissions are conditioned on the tags the
controllers put on what they own.
"""

from __future__ import annotations

from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...config import Environment
from ...naming import CLUSTER_AUTOSCALER, CLUSTER_AUTOSCALER_GROUP_TAG, EXTERNAL_DNS, KEDA, LOAD_BALANCER_CONTROLLER
from ..nag import acknowledge_wildcards
from .irsa import IrsaRole


class ControllerRoles(Construct):
    """One IrsaRole per controller, exposed by naming key."""

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment, cluster: eks.Cluster) -> None:
        super().__init__(scope, construct_id)
        self.roles: dict[str, iam.Role] = {}
        self._add(env, cluster, LOAD_BALANCER_CONTROLLER, "AWS Load Balancer Controller: ALBs for Ingresses",
                  load_balancer_controller_statements(env),
                  "The AWS Load Balancer Controller's published policy: the ALBs, target groups and security "
                  "groups it creates have no ARN in advance; mutations are conditioned on its "
                  "elbv2.k8s.aws/cluster tag and Describe calls support no resource scoping")
        self._add(env, cluster, KEDA, "KEDA operator: read CloudWatch metrics for RPS scaling", [
            iam.PolicyStatement(
                sid="ReadMetrics",
                actions=["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"],
                resources=["*"],
            )
        ], "CloudWatch GetMetricData, GetMetricStatistics and ListMetrics support no resource-level permissions")
        self._add(env, cluster, EXTERNAL_DNS, "external-dns: the ALB's records in this environment's hosted zone only",
                  external_dns_statements(env),
                  "route53:ListHostedZones supports no resource-level permissions; record changes are limited "
                  "to the environment's one hosted zone")
        if not env.uses_karpenter:
            self._add(env, cluster, CLUSTER_AUTOSCALER, "Cluster Autoscaler: resize this cluster's tagged groups",
                      cluster_autoscaler_statements(env),
                      "Auto Scaling and EC2 Describe calls support no resource-level permissions; resize and "
                      "terminate are conditioned on the cluster's tag and the one group's innovate.io/cluster-autoscaler tag")

    def _add(self, env: Environment, cluster: eks.Cluster, account, description: str,
             statements: list[iam.PolicyStatement], wildcard_reason: str) -> None:
        role = IrsaRole(self, account.key, cluster=cluster, env=env, account=account, description=description).role
        for statement in statements:
            role.add_to_policy(statement)
        acknowledge_wildcards(role, wildcard_reason)
        self.roles[account.key] = role


def external_dns_statements(env: Environment) -> list[iam.PolicyStatement]:
    """external-dns's published AWS policy (docs/tutorials/aws.md), with record changes and reads
    narrowed from hostedzone/* to the environment's zone (platform.yaml dns.zone_id)."""
    return [
        iam.PolicyStatement(
            sid="ChangeOwnZoneRecords",
            actions=["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
            resources=[env.dns.zone_arn],
        ),
        iam.PolicyStatement(sid="ListZones", actions=["route53:ListHostedZones"], resources=["*"]),
    ]


def cluster_autoscaler_statements(env: Environment) -> list[iam.PolicyStatement]:
    """Describe anything; resize or terminate only ASGs tagged as this cluster's."""
    return [
        iam.PolicyStatement(
            sid="Describe",
            actions=["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
                     "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
                     "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
                     "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements",
                     "eks:DescribeNodegroup"],
            resources=["*"],
        ),
        iam.PolicyStatement(
            sid="ResizeOwnGroups",
            actions=["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            resources=["*"],
            conditions={"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{env.cluster_name}": "owned",
                                         f"aws:ResourceTag/{CLUSTER_AUTOSCALER_GROUP_TAG}": "true"}},
        ),
    ]


LOAD_BALANCER_ARNS = [
    "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
    "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
    "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
]


def load_balancer_controller_statements(env: Environment) -> list[iam.PolicyStatement]:
    """The AWS Load Balancer Controller's published policy, condensed by purpose (the `controller-iam`
    check compares it with the published `iam_policy.json` of the pinned version)."""
    cluster_tag = "elbv2.k8s.aws/cluster"
    return [
        iam.PolicyStatement(sid="CreateServiceLinkedRole", actions=["iam:CreateServiceLinkedRole"], resources=["*"],
                            conditions={"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}),
        iam.PolicyStatement(
            sid="Describe",
            actions=["ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
                     "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
                     "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
                     "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:GetCoipPoolUsage",
                     "ec2:DescribeCoipPools", "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools",
                     "ec2:DescribeRouteTables",
                     "elasticloadbalancing:Describe*", "acm:ListCertificates", "acm:DescribeCertificate",
                     "iam:ListServerCertificates", "iam:GetServerCertificate",
                     "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL",
                     "wafv2:DisassociateWebACL",
                     # WAF Classic: the controller's --enable-waf defaults to true (the chart leaves it unset),
                     # so it reads and reconciles each ALB's classic web ACL association.
                     "waf-regional:GetWebACL", "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL",
                     "waf-regional:DisassociateWebACL", "shield:GetSubscriptionState", "shield:DescribeProtection",
                     "shield:CreateProtection", "shield:DeleteProtection", "cognito-idp:DescribeUserPoolClient"],
            resources=["*"],
        ),
        # Backend rules: the controller opens the node (and pod) security groups to its ALBs,
        # groups it does not own, so this pair is unconditioned in the published policy too.
        iam.PolicyStatement(
            sid="AuthorizeBackendIngress",
            actions=["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            resources=["*"],
        ),
        iam.PolicyStatement(sid="CreateSecurityGroup", actions=["ec2:CreateSecurityGroup"], resources=["*"]),
        iam.PolicyStatement(
            sid="TagNewSecurityGroups", actions=["ec2:CreateTags"], resources=["arn:aws:ec2:*:*:security-group/*"],
            conditions={"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
                        "Null": {f"aws:RequestTag/{cluster_tag}": "false"}},
        ),
        iam.PolicyStatement(
            sid="RetagOwnSecurityGroups",
            actions=["ec2:CreateTags", "ec2:DeleteTags"],
            resources=["arn:aws:ec2:*:*:security-group/*"],
            conditions={"Null": {f"aws:RequestTag/{cluster_tag}": "true", f"aws:ResourceTag/{cluster_tag}": "false"}},
        ),
        iam.PolicyStatement(
            sid="ManageOwnSecurityGroups",
            actions=["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
            resources=["*"],
            conditions={"Null": {f"aws:ResourceTag/{cluster_tag}": "false"}},
        ),
        iam.PolicyStatement(
            sid="CreateOwnLoadBalancers",
            actions=["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            resources=["*"],
            conditions={"Null": {f"aws:RequestTag/{cluster_tag}": "false"}},
        ),
        # ELB authorizes AddTags on every tagged create: the resource has no tag yet, so the
        # create action is the condition.
        iam.PolicyStatement(
            sid="TagOnCreate",
            actions=["elasticloadbalancing:AddTags"],
            resources=LOAD_BALANCER_ARNS,
            conditions={"StringEquals": {"elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"]},
                        "Null": {f"aws:RequestTag/{cluster_tag}": "false"}},
        ),
        iam.PolicyStatement(
            sid="RetagOwnLoadBalancers",
            actions=["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            resources=LOAD_BALANCER_ARNS,
            conditions={"Null": {f"aws:RequestTag/{cluster_tag}": "true", f"aws:ResourceTag/{cluster_tag}": "false"}},
        ),
        iam.PolicyStatement(
            sid="TagListenersAndRules",
            actions=["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            resources=[f"arn:aws:elasticloadbalancing:*:*:{kind}/{lb}/*/*/*"
                       for kind in ("listener", "listener-rule") for lb in ("app", "net")],
        ),
        iam.PolicyStatement(
            sid="ManageListenersAndRules",
            actions=["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
                     "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"],
            resources=["*"],
        ),
        iam.PolicyStatement(
            sid="ManageOwnLoadBalancers",
            actions=["elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
                     "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
                     "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
                     "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
                     "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
                     "elasticloadbalancing:ModifyIpPools"],
            resources=["*"],
            conditions={"Null": {f"aws:ResourceTag/{cluster_tag}": "false"}},
        ),
        iam.PolicyStatement(
            sid="RegisterTargets",
            actions=["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            resources=["arn:aws:elasticloadbalancing:*:*:targetgroup/*/*"],
        ),
        iam.PolicyStatement(
            sid="ManageListenerSettings",
            actions=["elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener",
                     "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
                     "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities"],
            resources=["*"],
        ),
    ]
