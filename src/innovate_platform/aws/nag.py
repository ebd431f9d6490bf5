"""cdk-nag acknowledgements, each scoped to one construct with the reason it is acceptable.

Nothing is acknowledged app- or stack-wide: a new finding anywhere else fails synth.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import IConstruct

NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly",
                 "AmazonSSMManagedInstanceCore")


# aws_eks_v2's kubectl handler attaches this conditionally; cdk-nag names it by its raw intrinsic.
_PUBLIC_ECR_POLICY = {"Fn::If": ["ClusterKubectlProviderHandlerHasEcrPublic6FE395CA", {"Fn::Join": ["", [
    "arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},
    {"Ref": "AWS::NoValue"}]}


# The singleton function every AwsCustomResource in a stack shares (a fixed id in aws-cdk-lib).
AWS_CUSTOM_RESOURCE_PROVIDER_ID = "AWS679f53fac002430cb0da5b7982bd2287"


def managed_policy(name: str) -> str:
    return f"AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{name}]"


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one cdk-nag rule (or one granular finding of it) below `scope` only."""
    rule_id = rule if rule.startswith("AwsSolutions::") else f"AwsSolutions::{rule}"
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))


def acknowledge_node_role(role: IConstruct) -> None:
    for name in NODE_POLICIES:
        acknowledge(role, managed_policy(name),
                    f"{name} is one of the four AWS-maintained policies EKS documents for worker nodes; "
                    "AWS updates it with the node agents' needs")


def acknowledge_cluster(cluster: IConstruct) -> None:
    acknowledge(cluster, managed_policy("AmazonEKSClusterPolicy"),
                "The EKS service role's documented AWS-maintained policy")
    provider = cluster.node.find_child("KubectlProvider")
    reason = ("aws_eks_v2's kubectl provider (AWS-maintained handler that installs Flux): its role, runtime "
              "and invoke permissions are set by CDK, not by this project")
    for policy in ("service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaVPCAccessExecutionRole",
                   "AmazonEC2ContainerRegistryReadOnly"):
        acknowledge(provider, managed_policy(policy), reason)
    acknowledge(provider, "AwsSolutions-IAM4[Policy::" + json.dumps(_PUBLIC_ECR_POLICY, separators=(",", ":")) + "]",
                reason)
    acknowledge(provider, "AwsSolutions-L1", reason)
    acknowledge_wildcards(provider, reason)


def acknowledge_custom_resource_provider(stack: cdk.Stack) -> None:
    """The handler CDK shares between a stack's AwsCustomResources (call after creating one)."""
    acknowledge(stack.node.find_child(AWS_CUSTOM_RESOURCE_PROVIDER_ID),
                managed_policy("service-role/AWSLambdaBasicExecutionRole"),
                "CDK's AwsCustomResource handler (one-off SDK calls at deploy): only CloudWatch Logs for itself")


def acknowledge_ebs_csi(role: IConstruct) -> None:
    acknowledge(role, managed_policy("service-role/AmazonEBSCSIDriverPolicy"),
                "AWS-maintained policy of the EBS CSI driver add-on; its mutating actions are conditioned on "
                "the driver's own volume tags")


def acknowledge_wildcards(scope: IConstruct, reason: str) -> None:
    """Acknowledge, with one reason, exactly the wildcard findings of the policies below `scope`.

    Each finding is acknowledged by its own id (`AwsSolutions-IAM5[Resource::...]`), computed when
    the policy is final, so a wildcard added later elsewhere is still reported.
    """
    cdk.Aspects.of(scope).add(_WildcardAcknowledger(reason))


@jsii.implements(cdk.IAspect)
class _WildcardAcknowledger:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, iam.CfnPolicy):
            document = cdk.Stack.of(node).resolve(node.policy_document)
            for finding in wildcard_findings(document):
                acknowledge(node, f"AwsSolutions-IAM5[{finding}]", self.reason)


def wildcard_findings(document: dict) -> list[str]:
    """The IAM5 findings cdk-nag derives from a resolved policy document."""
    findings: list[str] = []
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        for action in _as_list(statement.get("Action")):
            if "*" in action:
                findings.append(f"Action::{action}")
        for resource in _as_list(statement.get("Resource")):
            flat = _flatten(resource)
            if "*" in flat:
                findings.append(f"Resource::{flat}")
    return list(dict.fromkeys(findings))


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value] if value is not None else []


def _flatten(ref) -> str:
    """cdk-nag's flattening of CloudFormation references (`<Logical.Arn>`, joins)."""
    if isinstance(ref, str):
        return ref.replace("${", "<").replace("}", ">")
    if "Fn::Join" in ref:
        delimiter, items = ref["Fn::Join"]
        return delimiter.join(_flatten(i) for i in items)
    if "Fn::Sub" in ref:
        return _flatten(ref["Fn::Sub"])
    if "Fn::GetAtt" in ref:
        resource, attribute = ref["Fn::GetAtt"]
        return f"<{_flatten(resource)}.{_flatten(attribute)}>"
    if "Fn::ImportValue" in ref:
        return _flatten(ref["Fn::ImportValue"])
    if "Ref" in ref:
        return f"<{_flatten(ref['Ref'])}>"
    return json.dumps(ref, separators=(",", ":"))
