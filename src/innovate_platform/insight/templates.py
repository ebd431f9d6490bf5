"""Facts the cost estimate reads from the synthesized CloudFormation templates.

The CDK layer provides `innovate_platform.aws.synth.synth_templates(platform, env_name)`
(stack name -> template dict). Until that module exists, `environment_facts` falls back to
figures derived from platform.yaml and says so in `source`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Environment, Platform

# Interface endpoints the network construct creates when vpc_endpoints is true (fallback only).
FALLBACK_INTERFACE_ENDPOINTS = 8  # ECR api + dkr, STS, EC2, SSM, SQS, Logs, EKS
ALL_LOG_TYPES = 5  # api, audit, authenticator, controllerManager, scheduler


@dataclass(frozen=True)
class TemplateFacts:
    """What the AWS layer creates that costs money, and where the figures came from."""

    support_type: str  # STANDARD | EXTENDED
    nat_gateways: int
    elastic_ips: int
    load_balancers: int
    interface_endpoints: int
    log_types: int
    rds_storage_type: str
    source: str


def facts_from_templates(templates: dict[str, dict]) -> TemplateFacts:
    """Count resources across an environment's stacks."""
    support, nat, eip, lbs, endpoints, logs, storage = "EXTENDED", 0, 0, 0, 0, 0, "gp2"
    for template in templates.values():
        for resource in (template.get("Resources") or {}).values():
            kind, props = resource.get("Type"), resource.get("Properties") or {}
            if kind == "AWS::EKS::Cluster":
                # CloudFormation's default upgrade policy is EXTENDED (aws-facts.md).
                support = str((props.get("UpgradePolicy") or {}).get("SupportType", "EXTENDED"))
                enabled = ((props.get("Logging") or {}).get("ClusterLogging") or {}).get("EnabledTypes") or []
                logs = len(enabled)
            elif kind == "AWS::EC2::NatGateway":
                nat += 1
            elif kind == "AWS::EC2::EIP":
                eip += 1
            elif kind == "AWS::ElasticLoadBalancingV2::LoadBalancer":
                lbs += 1
            elif kind == "AWS::EC2::VPCEndpoint" and props.get("VpcEndpointType") == "Interface":
                endpoints += 1
            elif kind == "AWS::RDS::DBInstance":
                storage = str(props.get("StorageType", "gp2")).lower()
            elif kind == "Custom::AWSCDK-EKS-Cluster":  # older aws_eks custom resource shape
                support = str(((props.get("Config") or {}).get("upgradePolicy") or {}).get("supportType", support))
    return TemplateFacts(support, nat, eip, lbs, endpoints, logs, storage, "synthesized CloudFormation templates")


def facts_from_config(env: Environment) -> TemplateFacts:
    """FALLBACK while innovate_platform.aws.synth does not exist: the figures platform.yaml implies."""
    return TemplateFacts(
        support_type="STANDARD",
        nat_gateways=env.nat_gateways,
        elastic_ips=env.nat_gateways,
        load_balancers=0,
        interface_endpoints=FALLBACK_INTERFACE_ENDPOINTS if env.vpc_endpoints else 0,
        log_types=ALL_LOG_TYPES,
        rds_storage_type="gp2",
        source="FALLBACK: derived from platform.yaml (innovate_platform.aws.synth is not available yet)",
    )


def environment_facts(platform: Platform, env_name: str) -> TemplateFacts:
    """Synthesize the environment's stacks and count what they create."""
    try:
        from ..aws.synth import synth_templates  # provided by the CDK layer
    except ImportError:
        return facts_from_config(platform.env(env_name))
    return facts_from_templates(synth_templates(platform, env_name))
