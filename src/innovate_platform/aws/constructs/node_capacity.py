"""NodeCapacity: the managed node groups of one environment and their launch template."""

from __future__ import annotations

from aws_cdk import Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...config import Environment, NodeGroup
from ..nag import acknowledge_node_role
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
        self.role = node_role(self, "NodeRole")
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
                _tag_for_cluster_autoscaler(nodegroup, env, group)
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


def _tag_for_cluster_autoscaler(nodegroup: eks.Nodegroup, env: Environment, group: NodeGroup) -> None:
    """Auto-discovery and scale-from-zero template tags on the one group Cluster Autoscaler scales.

    EKS copies `k8s.io/cluster-autoscaler/*` discovery tags onto every managed group's ASG, which
    is why platform.yaml requires the other groups of such an environment to be fixed-size.
    """
    tags = {
        "k8s.io/cluster-autoscaler/enabled": "true",
        f"k8s.io/cluster-autoscaler/{env.cluster_name}": "owned",
        **{f"k8s.io/cluster-autoscaler/node-template/label/{k}": v for k, v in group.labels.items()},
    }
    for key, value in tags.items():
        Tags.of(nodegroup).add(key, value)
