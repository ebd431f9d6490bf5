"""Security groups of the nodes and, where platform.yaml sets `pod_security_groups`, of the
database apps' pods. Every rule names who needs it; docs/network-security.md lists them all."""

from __future__ import annotations

from aws_cdk import Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from constructs import Construct

from ...config import Environment, Platform

# The port every app chart's container listens on (charts/<app>/values.yaml `containerPort`).
APP_PORT = 8080

# Control plane -> nodes: the kubelet and every webhook or extension API server a controller
# serves from a pod (the API server calls the pod IP on the container port, not the Service port).
CONTROL_PLANE_TO_NODES: tuple[tuple[int, str], ...] = (
    (443, "EKS control plane to extension API servers and webhooks listening on 443 (EKS minimum)"),
    (10250, "EKS control plane to kubelet (logs, exec, port-forward) and metrics-server (container port 10250)"),
    (8443, "EKS control plane to the Karpenter webhook (8443)"),
    (9443, "EKS control plane to AWS Load Balancer Controller and KEDA admission webhooks (9443)"),
    (6443, "EKS control plane to the KEDA metrics API server, external.metrics.k8s.io (6443)"),
)


class NodeSecurityGroup(Construct):
    """The one security group of every node (managed node groups by launch template, Karpenter
    nodes by the `karpenter.sh/discovery` tag), replacing EKS's default cluster security group
    on nodes so control-plane traffic is limited to the ports above. No internet ingress.

    Egress stays open: pods share the node's group (except in pod-security-group environments)
    and need GitHub, ECR and AWS APIs; the charts' NetworkPolicies narrow egress per pod.
    """

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment, cluster: eks.Cluster) -> None:
        super().__init__(scope, construct_id)
        vpc = cluster.vpc
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, allow_all_outbound=True,
            description=f"Nodes of {env.cluster_name}: node-to-node, control plane and ALB targets only")
        sg = self.security_group
        Tags.of(sg).add("Name", f"{env.cluster_name}-node")
        Tags.of(sg).add(f"kubernetes.io/cluster/{env.cluster_name}", "owned")
        if env.uses_karpenter:
            Tags.of(sg).add("karpenter.sh/discovery", env.cluster_name)
        sg.add_ingress_rule(sg, ec2.Port.all_traffic(),
                            "Node to node: pod-to-pod traffic of the VPC CNI, CoreDNS on 53, kube-proxy")
        control_plane = cluster.cluster_security_group
        for port, why in CONTROL_PLANE_TO_NODES:
            sg.add_ingress_rule(control_plane, ec2.Port.tcp(port), why)
        for subnet in vpc.public_subnets:
            sg.add_ingress_rule(
                ec2.Peer.ipv4(subnet.ipv4_cidr_block), ec2.Port.tcp(APP_PORT),
                f"Internet-facing ALB in {subnet.availability_zone} to app pods (target type ip, {APP_PORT})")
        control_plane.add_ingress_rule(sg, ec2.Port.tcp(443), "Nodes and pods to the Kubernetes API server")


class PodSecurityGroups(Construct):
    """One security group per app with a database, for its pods' SecurityGroupPolicy (trunk-ENI
    nodes only). The database accepts these groups and not the nodes'."""

    def __init__(
        self, scope: Construct, construct_id: str, *, platform: Platform, env: Environment, cluster: eks.Cluster,
        node_security_group: ec2.SecurityGroup,
    ) -> None:
        super().__init__(scope, construct_id)
        self.groups: dict[str, ec2.SecurityGroup] = {}
        nodes = node_security_group
        for app in platform.apps:
            if not app.database:
                continue
            sg = ec2.SecurityGroup(
                self, f"{app.name}-SecurityGroup", vpc=cluster.vpc, allow_all_outbound=False,
                description=f"{app.name} pods in {env.cluster_name} (SecurityGroupPolicy)")
            Tags.of(sg).add("Name", f"{env.cluster_name}-{app.name}-pods")
            for subnet in cluster.vpc.public_subnets:
                sg.add_ingress_rule(
                    ec2.Peer.ipv4(subnet.ipv4_cidr_block), ec2.Port.tcp(APP_PORT),
                    f"Internet-facing ALB in {subnet.availability_zone} to {app.name} pods (target type ip)")
            sg.add_ingress_rule(nodes, ec2.Port.tcp(APP_PORT),
                                f"kubelet probes of {app.name} pods come from the node's primary IP")
            for port in (ec2.Port.tcp(53), ec2.Port.udp(53)):
                sg.connections.allow_to(nodes, port, f"{app.name} pods to CoreDNS on the nodes")
            # S3 is reached through the gateway endpoint (public prefix list, no VPC address) and
            # STS through the interface endpoint: both on 443. Same as the chart's NetworkPolicy.
            sg.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443),
                               f"{app.name} pods to AWS APIs over HTTPS: STS (IRSA), S3 (attachments)")
            self.groups[app.name] = sg
