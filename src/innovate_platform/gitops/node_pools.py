"""Karpenter capacity: the EC2NodeClass `default` and one NodePool per `karpenter.node_pools` entry."""

from __future__ import annotations

from ..config import Environment, NodePool, Platform
from .objects import Obj, meta, var

NODE_CLASS = "default"
LIFECYCLE_KEY = "innovate.io/lifecycle"
ROOT_VOLUME_GIB = 50


def ec2_node_class(platform: Platform, env: Environment) -> Obj:
    """AL2023 at a pinned alias, discovery by tag, IMDSv2 with hop limit 1, encrypted gp3 root."""
    assert env.karpenter is not None
    discovery = {"tags": {"karpenter.sh/discovery": var("cluster_name")}}
    return {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": meta(NODE_CLASS),
        "spec": {
            "amiSelectorTerms": [{"alias": env.karpenter.ami_alias}],
            "subnetSelectorTerms": [discovery],
            "securityGroupSelectorTerms": [discovery],
            "role": var("karpenter_node_role"),
            # Hop limit 1: pods cannot reach the node's instance credentials through IMDS.
            "metadataOptions": {
                "httpEndpoint": "enabled",
                "httpProtocolIPv6": "disabled",
                "httpPutResponseHopLimit": 1,
                "httpTokens": "required",
            },
            "blockDeviceMappings": [
                {
                    "deviceName": "/dev/xvda",
                    "rootVolume": True,
                    "ebs": {
                        "volumeSize": f"{ROOT_VOLUME_GIB}Gi",
                        "volumeType": "gp3",
                        "encrypted": True,
                        "deleteOnTermination": True,
                    },
                }
            ],
            "tags": {
                "innovate:environment": env.name,
                "innovate:cost-center": "platform",
                "innovate:managed-by": "karpenter",
            },
        },
    }


def _requirements(pool: NodePool) -> list[Obj]:
    reqs: list[Obj] = [
        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": list(pool.capacity_types)},
        {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": list(pool.instance_types)},
        {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
        {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
    ]
    if pool.min_zones > 1:
        # Every launch must stay flexible across at least min_zones zones (the VPC's, from discovery).
        reqs.append({"key": "topology.kubernetes.io/zone", "operator": "Exists", "minValues": pool.min_zones})
    return reqs


def _budget(budget) -> Obj:
    out: Obj = {"nodes": budget.nodes}
    if budget.reasons:
        out["reasons"] = list(budget.reasons)
    if budget.schedule:
        out["schedule"] = budget.schedule
        out["duration"] = budget.duration
    return out


def node_pool(pool: NodePool) -> Obj:
    """One NodePool: app nodes of the listed capacity and instance types, bounded by limits and budgets."""
    labels = {"role": "app"}
    template_spec: Obj = {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": NODE_CLASS},
        "requirements": _requirements(pool),
        "expireAfter": pool.expire_after,
    }
    if pool.dedicated_on_demand:
        labels[LIFECYCLE_KEY] = "on-demand"
        template_spec["taints"] = [{"key": LIFECYCLE_KEY, "value": "on-demand", "effect": "NoSchedule"}]
    spec: Obj = {
        "template": {"metadata": {"labels": labels}, "spec": template_spec},
        "disruption": {
            "consolidationPolicy": pool.consolidation_policy,
            "consolidateAfter": pool.consolidate_after,
            "budgets": [_budget(b) for b in pool.budgets],
        },
        "limits": {"cpu": str(pool.limit_cpu), "memory": f"{pool.limit_memory_gib}Gi"},
    }
    if pool.weight is not None:
        spec["weight"] = pool.weight
    return {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": meta(pool.name), "spec": spec}


def render_node_pools(platform: Platform, env: Environment) -> list[Obj]:
    """The EC2NodeClass then the NodePools; nothing when the environment does not use Karpenter."""
    if not env.uses_karpenter or env.karpenter is None:
        return []
    return [ec2_node_class(platform, env)] + [node_pool(p) for p in env.karpenter.node_pools]
