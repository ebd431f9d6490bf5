"""Facts the cost estimate reads from the synthesized CloudFormation templates.

`innovate cost` synthesizes once (`innovate_platform.aws.synth.synthesize`) and passes each stage's
templates (stack name -> template dict) to `facts_from_templates`; nothing here is guessed from
platform.yaml.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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
    web_acls: int = 0
    web_acl_rules: int = 0  # rules and managed rule groups, each billed as one rule
    # every resource type -> how many (KMS keys, secrets, flow logs, repositories...); see extra_costs.py
    resource_counts: dict[str, int] = field(default_factory=dict, compare=False)


def facts_from_templates(templates: dict[str, dict]) -> TemplateFacts:
    """Count resources across an environment's stacks."""
    support, nat, eip, lbs, endpoints, logs, storage = "EXTENDED", 0, 0, 0, 0, 0, "gp2"
    counts: Counter[str] = Counter()
    acls = acl_rules = 0
    for template in templates.values():
        for resource in (template.get("Resources") or {}).values():
            kind, props = resource.get("Type"), resource.get("Properties") or {}
            counts[str(kind)] += 1
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
            elif kind == "AWS::WAFv2::WebACL":
                acls += 1
                acl_rules += len(props.get("Rules") or [])
            elif kind == "AWS::RDS::DBInstance":
                storage = str(props.get("StorageType", "gp2")).lower()
            elif kind == "Custom::AWSCDK-EKS-Cluster":  # older aws_eks custom resource shape
                support = str(((props.get("Config") or {}).get("upgradePolicy") or {}).get("supportType", support))
    return TemplateFacts(support, nat, eip, lbs, endpoints, logs, storage, "synthesized CloudFormation templates",
                         acls, acl_rules, dict(counts))
