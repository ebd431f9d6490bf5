"""Who may talk to whom, asserted on the synthesized security groups of every environment.

A rule is (protocol, from port, to port, source or destination); sources are either a CIDR or the
name of a security group role in the platform stack ("nodes", "cluster", "database", "api-pods").
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from .helpers import resources

ENVS = ("dev", "staging", "prod")
ROOT = Path(__file__).resolve().parents[2]
INTERNET = ("0.0.0.0/0", "::/0")
CONTROL_PLANE_PORTS = {443, 10250, 8443, 9443, 6443}


def platform_stack(synthesis, env):
    return next(s for s in synthesis.for_stage(env) if s.name == f"innovate-{env}-platform")


class Groups:
    """The platform stack's security groups by role, and every rule attached to each."""

    def __init__(self, stack):
        self.stack = stack
        res = stack.resources
        launch_templates = stack.of_type("AWS::EC2::LaunchTemplate")
        node_ids = {sg["Fn::GetAtt"][0] for lt in launch_templates.values()
                    for sg in lt["Properties"]["LaunchTemplateData"]["SecurityGroupIds"]}
        assert len(node_ids) == 1, f"every node group should launch with the one node group: {node_ids}"
        db = next(iter(stack.of_type("AWS::RDS::DBInstance").values()))["Properties"]
        (db_sg,) = db["VPCSecurityGroups"]
        cluster_id = next(iter(stack.of_type("AWS::EKS::Cluster")))
        self.refs = {
            "nodes": {"Fn::GetAtt": [node_ids.pop(), "GroupId"]},
            "database": db_sg,
            "cluster": {"Fn::GetAtt": [cluster_id, "ClusterSecurityGroupId"]},
        }
        for logical_id, resource in stack.of_type("AWS::EC2::SecurityGroup").items():
            match = re.match(r"^PodSecurityGroups(\w+?)SecurityGroup[0-9A-F]{8}$", logical_id)
            if match:
                self.refs[f"{match.group(1)}-pods"] = {"Fn::GetAtt": [logical_id, "GroupId"]}
        self.names = {str(ref): name for name, ref in self.refs.items()}
        self.resources = res

    def name(self, ref) -> str:
        return self.names.get(str(ref), str(ref))

    def rules(self, group: str, direction: str) -> list[dict]:
        """Inline and standalone rules of one group, with `peer` resolved to a CIDR or a group name."""
        ref = self.refs[group]
        inline_key, standalone, peer_key = {
            "ingress": ("SecurityGroupIngress", "AWS::EC2::SecurityGroupIngress", "SourceSecurityGroupId"),
            "egress": ("SecurityGroupEgress", "AWS::EC2::SecurityGroupEgress", "DestinationSecurityGroupId"),
        }[direction]
        found = []
        if ref.get("Fn::GetAtt", [None, None])[1] == "GroupId":
            sg = self.resources[ref["Fn::GetAtt"][0]]["Properties"]
            found += sg.get(inline_key, [])
        found += [r["Properties"] for r in self.stack.of_type(standalone).values() if r["Properties"]["GroupId"] == ref]
        out = []
        for rule in found:
            peer = rule.get("CidrIp") or rule.get("CidrIpv6") or self.name(rule.get(peer_key))
            out.append({"protocol": rule["IpProtocol"], "from": rule.get("FromPort"), "to": rule.get("ToPort"),
                        "peer": peer, "description": rule.get("Description", "")})
        return out


@pytest.fixture(scope="module")
def groups(synthesis):
    return {env: Groups(platform_stack(synthesis, env)) for env in ENVS}


def public_subnet_cidrs(synthesis, env) -> set[str]:
    return {s["CidrBlock"] for s in resources(synthesis, env, "AWS::EC2::Subnet") if s.get("MapPublicIpOnLaunch")}


def test_database_accepts_only_the_api_pods_group_in_prod(groups):
    rules = groups["prod"].rules("database", "ingress")
    assert [(r["protocol"], r["from"], r["to"], r["peer"]) for r in rules] == [("tcp", 5432, 5432, "api-pods")]


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_database_accepts_the_node_group_in_dev_and_staging(groups, env):
    rules = groups[env].rules("database", "ingress")
    assert [(r["protocol"], r["from"], r["to"], r["peer"]) for r in rules] == [("tcp", 5432, 5432, "nodes")]
    assert "api-pods" not in groups[env].refs


@pytest.mark.parametrize("env", ENVS)
def test_database_group_has_no_egress(groups, env):
    # CDK's placeholder for "no egress": a rule matching no traffic.
    assert [(r["peer"], r["protocol"]) for r in groups[env].rules("database", "egress")] == [
        ("255.255.255.255/32", "icmp")]


@pytest.mark.parametrize("env", ENVS)
def test_no_internet_ingress_to_any_group_of_the_environment(synthesis, env):
    for stack in synthesis.for_stage(env):
        inline = [rule for sg in stack.of_type("AWS::EC2::SecurityGroup").values()
                  for rule in sg["Properties"].get("SecurityGroupIngress", [])]
        standalone = [r["Properties"] for r in stack.of_type("AWS::EC2::SecurityGroupIngress").values()]
        for rule in inline + standalone:
            assert rule.get("CidrIp") not in INTERNET and rule.get("CidrIpv6") not in INTERNET, (stack.name, rule)


@pytest.mark.parametrize("env", ENVS)
def test_control_plane_reaches_nodes_only_on_kubelet_and_webhook_ports(groups, env):
    from_cluster = [r for r in groups[env].rules("nodes", "ingress") if r["peer"] == "cluster"]
    assert {(r["protocol"], r["from"]) for r in from_cluster} == {("tcp", p) for p in CONTROL_PLANE_PORTS}
    assert all(r["from"] == r["to"] for r in from_cluster)
    described = " ".join(r["description"] for r in from_cluster)
    for who in ("kubelet", "Karpenter", "AWS Load Balancer Controller", "KEDA", "metrics-server"):
        assert who in described


@pytest.mark.parametrize("env", ENVS)
def test_node_ingress_is_node_to_node_control_plane_and_alb_targets_only(synthesis, groups, env):
    rules = groups[env].rules("nodes", "ingress")
    node_to_node = [r for r in rules if r["peer"] == "nodes"]
    assert [(r["protocol"], r["from"]) for r in node_to_node] == [("-1", None)]
    cidr_rules = [r for r in rules if "/" in r["peer"]]
    assert {r["peer"] for r in cidr_rules} == public_subnet_cidrs(synthesis, env)
    assert {(r["protocol"], r["from"], r["to"]) for r in cidr_rules} == {("tcp", 8080, 8080)}
    peers = {r["peer"] for r in rules} - {r["peer"] for r in cidr_rules}
    assert peers <= {"nodes", "cluster", "api-pods"}


@pytest.mark.parametrize("env", ENVS)
def test_nodes_reach_the_api_server(groups, env):
    rules = groups[env].rules("cluster", "ingress")
    assert ("tcp", 443, "nodes") in {(r["protocol"], r["from"], r["peer"]) for r in rules}


@pytest.mark.parametrize("env", ENVS)
def test_every_rule_says_who_needs_it(groups, env):
    for group in groups[env].refs:
        for direction in ("ingress", "egress"):
            for rule in groups[env].rules(group, direction):
                assert len(rule["description"]) > 15, (env, group, rule)
                assert not rule["description"].startswith("from "), (env, group, rule)  # CDK's default text


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_karpenter_discovers_exactly_the_node_group(synthesis, groups, env):
    tagged = [logical_id for logical_id, sg in platform_stack(synthesis, env).of_type("AWS::EC2::SecurityGroup").items()
              if {"Key": "karpenter.sh/discovery", "Value": f"innovate-{env}"} in sg["Properties"].get("Tags", [])]
    assert [{"Fn::GetAtt": [t, "GroupId"]} for t in tagged] == [groups[env].refs["nodes"]]


def test_api_pods_group_in_prod(synthesis, groups):
    prod = groups["prod"]
    ingress = {(r["protocol"], r["from"], r["peer"]) for r in prod.rules("api-pods", "ingress")}
    assert ingress == {("tcp", 8080, c) for c in public_subnet_cidrs(synthesis, "prod")} | {("tcp", 8080, "nodes")}
    egress = {(r["protocol"], r["from"], r["peer"]) for r in prod.rules("api-pods", "egress")}
    assert egress == {("tcp", 5432, "database"), ("tcp", 53, "nodes"), ("udp", 53, "nodes"), ("tcp", 443, "0.0.0.0/0")}
    dns_in = {(r["protocol"], r["from"]) for r in prod.rules("nodes", "ingress") if r["peer"] == "api-pods"}
    assert dns_in == {("tcp", 53), ("udp", 53)}


def test_pod_enis_only_where_pod_security_groups_are_on(synthesis, platform):
    for env in ENVS:
        cluster_role = next(r for r in resources(synthesis, env, "AWS::IAM::Role")
                            if "eks.amazonaws.com" in str(r["AssumeRolePolicyDocument"]))
        has_policy = "AmazonEKSVPCResourceController" in str(cluster_role.get("ManagedPolicyArns"))
        cni = next(a for a in resources(synthesis, env, "AWS::EKS::Addon") if a["AddonName"] == "vpc-cni")
        pod_enis = json.loads(cni.get("ConfigurationValues") or "{}").get("env", {}).get("ENABLE_POD_ENI") == "true"
        assert has_policy is platform.env(env).pod_security_groups, env
        assert pod_enis is platform.env(env).pod_security_groups, env


def cluster_var(synthesis, env, key):
    """A value of the cluster-vars ConfigMap CDK installs (a literal or a CloudFormation reference)."""
    manifest = next(iter(platform_stack(synthesis, env).of_type("Custom::AWSCDK-EKS-KubernetesResource").values()))
    parts = manifest["Properties"]["Manifest"]["Fn::Join"][1]
    for i, part in enumerate(parts):
        if isinstance(part, str):
            if part.endswith(f'"{key}":"'):
                return parts[i + 1]
            literal = re.search(rf'"{key}":"([^"]*)"', part)
            if literal:
                return literal.group(1)
    raise AssertionError(f"{env}: cluster-vars has no {key}")


def test_security_group_policy_names_the_group_the_database_accepts(synthesis, groups):
    """The committed GitOps SecurityGroupPolicy -> cluster-vars -> the pod group RDS accepts in prod."""
    policies = [doc for path in (ROOT / "gitops").rglob("*.yaml") for doc in yaml.safe_load_all(path.read_text())
                if isinstance(doc, dict) and doc.get("kind") == "SecurityGroupPolicy"]
    assert [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in policies] == [("api", "api")]
    (group_id,) = policies[0]["spec"]["securityGroups"]["groupIds"]
    var = re.fullmatch(r"\$\{(\w+)\}", group_id).group(1)
    assert cluster_var(synthesis, "prod", var) == groups["prod"].refs["api-pods"]
    database_sources = {r["peer"] for r in groups["prod"].rules("database", "ingress")}
    assert database_sources == {"api-pods"}


def test_pod_security_groups_rejected_where_nodes_cannot_carry_pod_enis():
    from innovate_platform.config import ConfigError, parse_platform

    data = yaml.safe_load((ROOT / "platform.yaml").read_text())
    data["environments"]["staging"]["pod_security_groups"] = True
    with pytest.raises(ConfigError) as error:
        parse_platform(yaml.safe_dump(data, sort_keys=False))
    message = str(error.value)
    assert "environments.staging" in message and "pod_security_groups" in message
    assert "t3.large" in message
    assert len(message.splitlines()) == 1

