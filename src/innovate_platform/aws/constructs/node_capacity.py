"""NodeCapacity: the managed node groups of one environment and their launch template."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import custom_resources as cr
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...config import Environment, NodeGroup
from ...naming import CLUSTER_AUTOSCALER_GROUP_TAG, node_role_name
from ..nag import acknowledge_custom_resource_provider, acknowledge_node_role, acknowledge_wildcards
from .security_groups import NodeSecurityGroup

NODE_MANAGED_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonSSMManagedInstanceCore",
)


def node_role(scope: Construct, construct_id: str, role_name: str | None = None) -> iam.Role:
    """An EC2 node role with the four managed policies EKS nodes need."""
    role = iam.Role(scope, construct_id, role_name=role_name, assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    for name in NODE_MANAGED_POLICIES:
        role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(name))
    acknowledge_node_role(role)
    return role


class NodeCapacity(Construct):
    """One managed node group per `node_groups` entry, in private subnets only.

    Every group launches from a template requiring IMDSv2 with hop limit 1 (pods cannot reach
    the node's credentials), an encrypted gp3 root volume and the node security group. System groups carry the
    `CriticalAddonsOnly` taint so only add-ons land there.
    """

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment, cluster: eks.Cluster) -> None:
        super().__init__(scope, construct_id)
        self.role = node_role(self, "NodeRole", role_name=node_role_name(env))
        # Every node gets this group instead of EKS's default cluster security group (see security_groups.py).
        self.security_group = NodeSecurityGroup(self, "NodeSecurityGroup", env=env, cluster=cluster).security_group
        self.node_groups: dict[str, eks.Nodegroup] = {}
        for group in env.node_groups:
            template = self._launch_template(group)
            nodegroup = cluster.add_nodegroup_capacity(
                group.name,
                nodegroup_name=group.name,
                ami_type=eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
                instance_types=[ec2.InstanceType(t) for t in group.instance_types],
                capacity_type=eks.CapacityType[group.capacity_type],
                min_size=group.min_size,
                desired_size=group.desired_size,
                max_size=group.max_size,
                labels=group.labels,
                taints=[eks.TaintSpec(key=t["key"], value=t["value"], effect=eks.TaintEffect[t["effect"]])
                        for t in group.taints],
                launch_template_spec=eks.LaunchTemplateSpec(
                    id=template.launch_template_id, version=template.latest_version_number),
                node_role=self.role,
                subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
                enable_node_auto_repair=True,
                max_unavailable=1,
            )
            if group.cluster_autoscaler:
                ClusterAutoscalerGroupTags(self, f"{group.name}-ClusterAutoscalerTags", env=env, group=group,
                                           nodegroup=nodegroup)
            self.node_groups[group.name] = nodegroup

    def _launch_template(self, group: NodeGroup) -> ec2.LaunchTemplate:
        return ec2.LaunchTemplate(
            self,
            f"{group.name}-LaunchTemplate",
            require_imdsv2=True,
            security_group=self.security_group,
            http_tokens=ec2.LaunchTemplateHttpTokens.REQUIRED,
            http_put_response_hop_limit=1,
            block_devices=[
                ec2.BlockDevice(
                    device_name="/dev/xvda",
                    volume=ec2.BlockDeviceVolume.ebs(
                        group.disk_size_gib, volume_type=ec2.EbsDeviceVolumeType.GP3, encrypted=True,
                        delete_on_termination=True,
                    ),
                )
            ],
        )


class ClusterAutoscalerGroupTags(Construct):
    """Tags the Auto Scaling group behind one managed node group for Cluster Autoscaler.

    A managed node group's own tags never reach its ASG, so EKS's API gives the ASG name and
    Auto Scaling tags it: the discovery tag only this group carries, and the scale-from-zero
    label templates.
    """

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment, group: NodeGroup,
                 nodegroup: eks.Nodegroup) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        describe = cr.AwsCustomResource(
            self, "FindAutoScalingGroup",
            on_create=self._describe_call(env, group),
            on_update=self._describe_call(env, group),
            policy=cr.AwsCustomResourcePolicy.from_statements([iam.PolicyStatement(
                actions=["eks:DescribeNodegroup"], resources=[nodegroup.nodegroup_arn])]),
            install_latest_aws_sdk=False,
        )
        describe.node.add_dependency(nodegroup)
        asg_name = describe.get_response_field(ASG_NAME_PATH)
        tags = {CLUSTER_AUTOSCALER_GROUP_TAG: "true",
                **{f"k8s.io/cluster-autoscaler/node-template/label/{k}": v for k, v in group.labels.items()}}
        call = cr.AwsSdkCall(
            service="AutoScaling", action="createOrUpdateTags",
            parameters={"Tags": [{"ResourceId": asg_name, "ResourceType": "auto-scaling-group", "Key": key,
                                  "Value": value, "PropagateAtLaunch": False} for key, value in tags.items()]},
            physical_resource_id=cr.PhysicalResourceId.of(f"{env.cluster_name}-{group.name}-ca-tags"),
        )
        tag = cr.AwsCustomResource(
            self, "TagAutoScalingGroup", on_create=call, on_update=call,
            policy=cr.AwsCustomResourcePolicy.from_statements([iam.PolicyStatement(
                actions=["autoscaling:CreateOrUpdateTags"],
                resources=[f"arn:{stack.partition}:autoscaling:{stack.region}:{stack.account}:autoScalingGroup:*:"
                           f"autoScalingGroupName/eks-{group.name}-*"],
                conditions={"StringEquals": {"aws:ResourceTag/eks:cluster-name": env.cluster_name,
                                             "aws:ResourceTag/eks:nodegroup-name": group.name}},
            )]),
            install_latest_aws_sdk=False,
        )
        tag.node.add_dependency(describe)
        acknowledge_wildcards(self, "The ASG's name is only known after EKS creates it: the tag call is limited to "
                                    "ASGs named eks-<group>-* and tagged with this cluster and node group")
        acknowledge_custom_resource_provider(stack)

    @staticmethod
    def _describe_call(env: Environment, group: NodeGroup) -> cr.AwsSdkCall:
        return cr.AwsSdkCall(
            service="EKS", action="describeNodegroup",
            parameters={"clusterName": env.cluster_name, "nodegroupName": group.name},
            physical_resource_id=cr.PhysicalResourceId.of(f"{env.cluster_name}-{group.name}-asg"),
            output_paths=[ASG_NAME_PATH],
        )


ASG_NAME_PATH = "nodegroup.resources.autoScalingGroups.0.name"
