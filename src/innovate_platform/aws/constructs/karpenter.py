"""KarpenterAwsSide: node role, interruption queue and rules, and the controller's IRSA role.

Policy statements follow Karpenter v1's published controller policy: everything that creates,
tags or deletes is conditioned on the cluster's ownership tags, and `iam:PassRole` names the
one node role.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from constructs import Construct

from ...config import Environment
from ...naming import KARPENTER, interruption_queue_name, karpenter_node_role_name
from ..nag import acknowledge, acknowledge_custom_resource_provider, acknowledge_wildcards
from .irsa import IrsaRole
from .node_capacity import node_role

INTERRUPTION_EVENTS = {
    "HealthEvent": ("aws.health", "AWS Health Event"),
    "SpotInterruption": ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
    "Rebalance": ("aws.ec2", "EC2 Instance Rebalance Recommendation"),
    "InstanceStateChange": ("aws.ec2", "EC2 Instance State-change Notification"),
    "CapacityReservationInterruption": ("aws.ec2", "EC2 Capacity Reservation Instance Interruption Warning"),
}


class KarpenterAwsSide(Construct):
    """Everything Karpenter needs from AWS; the NodePools themselves live in the GitOps tree."""

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment, cluster: eks.Cluster) -> None:
        super().__init__(scope, construct_id)
        self.node_role = node_role(self, "NodeRole", role_name=karpenter_node_role_name(env))
        eks.AccessEntry(
            self, "NodeAccess", cluster=cluster, principal=self.node_role.role_arn,
            access_entry_type=eks.AccessEntryType.EC2_LINUX, access_policies=[],
        )
        self.queue = sqs.Queue(
            self, "InterruptionQueue",
            queue_name=interruption_queue_name(env),
            retention_period=Duration.seconds(300),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        for name, (source, detail_type) in INTERRUPTION_EVENTS.items():
            rule = events.Rule(
                self, f"{name}Rule",
                description=f"Karpenter interruption handling: {detail_type}",
                event_pattern=events.EventPattern(source=[source], detail_type=[detail_type]),
            )
            rule.add_target(targets.SqsQueue(self.queue))
        acknowledge(self.queue, "AwsSolutions-SQS3",
                    "Interruption events matter only within their 2-minute notice; a dead-letter queue would keep "
                    "stale events Karpenter must not act on (retention is 300 s by design)")
        if env.karpenter and env.karpenter.create_spot_service_linked_role:
            ensure_spot_service_linked_role(self)
        self.controller_role = IrsaRole(
            self, "ControllerRole", cluster=cluster, env=env, account=KARPENTER,
            description="Karpenter controller: launch, tag and terminate only this cluster's nodes",
        ).role
        for statement in controller_statements(env, cluster, self.node_role, self.queue):
            self.controller_role.add_to_policy(statement)
        acknowledge_wildcards(
            self.controller_role,
            "Karpenter v1's published controller policy: the instances, fleets, launch templates and instance "
            "profiles it creates have no ARN in advance; every mutating statement is conditioned on "
            "kubernetes.io/cluster/<name>=owned and karpenter.sh/nodepool tags, reads are region-scoped, and "
            "iam:PassRole names the one node role",
        )


def ensure_spot_service_linked_role(scope: Construct) -> None:
    """Create EC2's Spot service-linked role unless the account already has it.

    A plain AWS::IAM::ServiceLinkedRole fails the whole stack in any account that has ever used
    Spot; the API call tolerates "already exists" (InvalidInput), and the role is never deleted.
    """
    stack = Stack.of(scope)
    call = cr.AwsSdkCall(
        service="IAM", action="createServiceLinkedRole", parameters={"AWSServiceName": "spot.amazonaws.com"},
        physical_resource_id=cr.PhysicalResourceId.of("AWSServiceRoleForEC2Spot"),
        ignore_error_codes_matching="InvalidInput.*",
    )
    cr.AwsCustomResource(
        scope, "SpotServiceLinkedRole", on_create=call,
        policy=cr.AwsCustomResourcePolicy.from_statements([iam.PolicyStatement(
            actions=["iam:CreateServiceLinkedRole"],
            resources=[f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/spot.amazonaws.com/"
                       "AWSServiceRoleForEC2Spot"],
            conditions={"StringLike": {"iam:AWSServiceName": "spot.amazonaws.com"}},
        )]),
        install_latest_aws_sdk=False,
    )
    acknowledge_custom_resource_provider(stack)


def controller_statements(
    env: Environment, cluster: eks.Cluster, node_role: iam.IRole, queue: sqs.IQueue
) -> list[iam.PolicyStatement]:
    """Karpenter v1 controller permissions, scoped by the cluster's ownership tags.

    The `controller-iam` check compares them with Karpenter's published policy for the pinned version.
    Left out on purpose: `arc-zonal-shift:GetManagedResource` (only with `settings.enableZonalShift`,
    off: the chart's default).
    """
    stack = Stack.of(cluster)
    region, account, name = stack.region, stack.account, env.cluster_name
    ec2_arn = f"arn:{stack.partition}:ec2:{region}"
    owned = {f"aws:ResourceTag/kubernetes.io/cluster/{name}": "owned"}
    request_owned = {f"aws:RequestTag/kubernetes.io/cluster/{name}": "owned", "aws:RequestTag/eks:eks-cluster-name": name}
    profile_arn = f"arn:{stack.partition}:iam::{account}:instance-profile/*"
    launched = [f"{ec2_arn}:*:{r}/*" for r in
                ("fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request")]
    return [
        iam.PolicyStatement(
            sid="AllowScopedEC2InstanceAccessActions",
            actions=["ec2:RunInstances", "ec2:CreateFleet"],
            resources=[f"{ec2_arn}::image/*", f"{ec2_arn}::snapshot/*", f"{ec2_arn}:*:security-group/*",
                       f"{ec2_arn}:*:subnet/*", f"{ec2_arn}:*:capacity-reservation/*"],
        ),
        iam.PolicyStatement(
            sid="AllowScopedEC2LaunchTemplateAccessActions",
            actions=["ec2:RunInstances", "ec2:CreateFleet"],
            resources=[f"{ec2_arn}:*:launch-template/*"],
            conditions={"StringEquals": owned, "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}},
        ),
        iam.PolicyStatement(
            sid="AllowScopedEC2InstanceActionsWithTags",
            actions=["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            resources=launched,
            conditions={"StringEquals": request_owned, "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}},
        ),
        iam.PolicyStatement(
            sid="AllowScopedResourceCreationTagging",
            actions=["ec2:CreateTags"],
            resources=launched,
            conditions={
                "StringEquals": {**request_owned, "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"]},
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        ),
        iam.PolicyStatement(
            sid="AllowScopedResourceTagging",
            actions=["ec2:CreateTags"],
            resources=[f"{ec2_arn}:*:instance/*"],
            conditions={
                "StringEquals": owned,
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": name},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]},
            },
        ),
        iam.PolicyStatement(
            sid="AllowScopedDeletion",
            actions=["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            resources=[f"{ec2_arn}:*:instance/*", f"{ec2_arn}:*:launch-template/*"],
            conditions={"StringEquals": owned, "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}},
        ),
        iam.PolicyStatement(
            sid="AllowRegionalReadActions",
            # ec2:DescribeInstanceStatus: 1.14's instance-health controller polls it every minute.
            actions=["ec2:DescribeAvailabilityZones", "ec2:DescribeImages", "ec2:DescribeInstances",
                     "ec2:DescribeInstanceStatus", "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes",
                     "ec2:DescribeLaunchTemplates", "ec2:DescribePlacementGroups", "ec2:DescribeSecurityGroups",
                     "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets", "ec2:DescribeCapacityReservations"],
            resources=["*"],
            conditions={"StringEquals": {"aws:RequestedRegion": region}},
        ),
        iam.PolicyStatement(
            sid="AllowSSMReadActions",
            actions=["ssm:GetParameter"],
            resources=[f"arn:{stack.partition}:ssm:{region}::parameter/aws/service/*"],
        ),
        iam.PolicyStatement(sid="AllowPricingReadActions", actions=["pricing:GetProducts"], resources=["*"]),
        iam.PolicyStatement(
            sid="AllowInterruptionQueueActions",
            actions=["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            resources=[queue.queue_arn],
        ),
        iam.PolicyStatement(
            sid="AllowPassingInstanceRole",
            actions=["iam:PassRole"],
            resources=[node_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}},
        ),
        iam.PolicyStatement(
            sid="AllowScopedInstanceProfileCreationActions",
            actions=["iam:CreateInstanceProfile"],
            resources=[profile_arn],
            conditions={
                "StringEquals": {**request_owned, "aws:RequestTag/topology.kubernetes.io/region": region},
                "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        ),
        iam.PolicyStatement(
            sid="AllowScopedInstanceProfileTagActions",
            actions=["iam:TagInstanceProfile"],
            resources=[profile_arn],
            conditions={
                "StringEquals": {**owned, "aws:ResourceTag/topology.kubernetes.io/region": region, **request_owned,
                                 "aws:RequestTag/topology.kubernetes.io/region": region},
                "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                               "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        ),
        iam.PolicyStatement(
            sid="AllowScopedInstanceProfileActions",
            actions=["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
            resources=[profile_arn],
            conditions={
                "StringEquals": {**owned, "aws:ResourceTag/topology.kubernetes.io/region": region},
                "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        ),
        iam.PolicyStatement(sid="AllowInstanceProfileReadActions", actions=["iam:GetInstanceProfile"],
                            resources=[profile_arn]),
        iam.PolicyStatement(sid="AllowUnscopedInstanceProfileListAction", actions=["iam:ListInstanceProfiles"],
                            resources=["*"]),
        iam.PolicyStatement(sid="AllowAPIServerEndpointDiscovery", actions=["eks:DescribeCluster"],
                            resources=[cluster.cluster_arn]),
    ]
