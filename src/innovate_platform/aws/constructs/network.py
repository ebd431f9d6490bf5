"""PlatformNetwork: the environment's VPC, subnet tags, flow logs and VPC endpoints."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from ...config import Environment
from ...network_layout import PRIVATE_MASK_DELTA, PUBLIC_MASK_DELTA
from .logs import retention

# Interface endpoints a private cluster, its nodes and Karpenter need (aws-facts.md, "Known pain
# points"); IAM and Pricing have no VPC endpoint and go through NAT.
INTERFACE_ENDPOINTS = {
    "EcrApi": ec2.InterfaceVpcEndpointAwsService.ECR,
    "EcrDocker": ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    "Sts": ec2.InterfaceVpcEndpointAwsService.STS,
    "Ec2": ec2.InterfaceVpcEndpointAwsService.EC2,
    "Ssm": ec2.InterfaceVpcEndpointAwsService.SSM,
    "Sqs": ec2.InterfaceVpcEndpointAwsService.SQS,
    "Logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    "Eks": ec2.InterfaceVpcEndpointAwsService.EKS,
}


class PlatformNetwork(Construct):
    """VPC over `az_count` AZs: public subnets for internet-facing ALBs, private ones for nodes.

    The subnet plan is network_layout.subnet_layout(env): private subnets are far larger because
    the VPC CNI gives every pod a VPC IP.
    """

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment) -> None:
        super().__init__(scope, construct_id)
        prefix = int(env.vpc_cidr.split("/")[1])
        flow_log_group = logs.LogGroup(
            self,
            "FlowLogs",
            retention=retention(env.log_retention_days),
            removal_policy=RemovalPolicy.DESTROY if env.name == "dev" else RemovalPolicy.RETAIN,
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            vpc_name=env.cluster_name,
            ip_addresses=ec2.IpAddresses.cidr(env.vpc_cidr),
            max_azs=env.az_count,
            nat_gateways=env.nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=prefix + PUBLIC_MASK_DELTA),
                ec2.SubnetConfiguration(
                    name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS,
                    cidr_mask=prefix + PRIVATE_MASK_DELTA),
            ],
            flow_logs={
                "all": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_log_group),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
        )
        self._tag_subnets(env)
        if env.vpc_endpoints:
            self._add_endpoints(env)

    def _tag_subnets(self, env: Environment) -> None:
        for subnet in self.vpc.public_subnets:
            Tags.of(subnet).add("kubernetes.io/role/elb", "1")
        for subnet in self.vpc.private_subnets:
            Tags.of(subnet).add("kubernetes.io/role/internal-elb", "1")
            if env.uses_karpenter:
                Tags.of(subnet).add("karpenter.sh/discovery", env.cluster_name)

    def _add_endpoints(self, env: Environment) -> None:
        self.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
        private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        endpoints_sg = ec2.SecurityGroup(
            self, "EndpointsSecurityGroup", vpc=self.vpc, allow_all_outbound=False,
            description="Interface endpoints: HTTPS from inside the VPC only")
        endpoints_sg.add_ingress_rule(ec2.Peer.ipv4(env.vpc_cidr), ec2.Port.tcp(443),
                                      "Nodes, pods and the kubectl handler call AWS APIs")
        for name, service in INTERFACE_ENDPOINTS.items():
            self.vpc.add_interface_endpoint(name, service=service, subnets=private, private_dns_enabled=True,
                                            security_groups=[endpoints_sg], open=False)

