"""Where pods can run: the environment's node groups and Karpenter pools as capacity sources."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Environment
from .allocatable import Allocatable, allocatable
from .addons import DAEMONSET_CPU_M, DAEMONSET_MEMORY_MIB, DAEMONSET_PODS
from .workloads import AppWorkload

ON_DEMAND_TAINT = ("innovate.io/lifecycle", "on-demand")
SYSTEM_TAINT = ("CriticalAddonsOnly", "true")


@dataclass(frozen=True)
class CapacitySource:
    """A managed node group (kind "group") or a Karpenter NodePool (kind "pool")."""

    kind: str
    name: str
    role: str
    instance_types: tuple[str, ...]
    capacity_types: tuple[str, ...]  # "on-demand" / "spot", preferred first
    labels: dict[str, str]
    taints: tuple[tuple[str, str], ...]
    min_nodes: int = 0
    desired_nodes: int = 0
    max_nodes: int = 0
    limit_cpu: int = 0
    limit_memory_gib: int = 0
    scaled: bool = False  # a node group Cluster Autoscaler manages (it can reach max_nodes)

    @property
    def label(self) -> str:
        return f"{'node group' if self.kind == 'group' else 'NodePool'} '{self.name}'"


def sources(env: Environment) -> tuple[CapacitySource, ...]:
    """Node groups first, then Karpenter pools (which carry role=app like the app node group)."""
    out = []
    for g in env.node_groups:
        cap = "on-demand" if g.capacity_type == "ON_DEMAND" else "spot"
        out.append(CapacitySource(
            "group", g.name, g.role, g.instance_types, (cap,),
            {"role": g.role, "eks.amazonaws.com/capacityType": g.capacity_type},
            (SYSTEM_TAINT,) if g.role == "system" else (),
            g.min_size, g.desired_size, g.max_size, scaled=g.cluster_autoscaler,
        ))
    for p in env.karpenter.node_pools if env.karpenter else ():
        caps = tuple(c for c in ("spot", "on-demand") if c in p.capacity_types)
        out.append(CapacitySource(
            "pool", p.name, "app", p.instance_types, caps, {"role": "app"},
            (ON_DEMAND_TAINT,) if p.dedicated_on_demand else (),
            limit_cpu=p.limit_cpu, limit_memory_gib=p.limit_memory_gib,
        ))
    return tuple(out)


def admits(source: CapacitySource, app: AppWorkload) -> str | None:
    """None when the app's pods may land on this source; otherwise why not."""
    for key, value in app.node_selector.items():
        if key == "karpenter.sh/capacity-type" or source.labels.get(key) != value:
            return f"nodeSelector {key}={value} does not match"
    for key, value in source.taints:
        if not app.tolerates(key, value):
            return f"taint {key}={value} is not tolerated"
    if app.on_demand_only and "on-demand" not in source.capacity_types:
        return "placement.onDemandOnly needs on-demand capacity"
    return None


@dataclass(frozen=True)
class NodeRoom:
    """What is left for workload pods on one node after DaemonSets."""

    instance_type: str
    cpu_m: int
    memory_mib: int
    pods: int


def node_room(instance_type: str) -> NodeRoom:
    a: Allocatable = allocatable(instance_type)
    return NodeRoom(instance_type, a.cpu_m - DAEMONSET_CPU_M, a.memory_mib - DAEMONSET_MEMORY_MIB, a.pods - DAEMONSET_PODS)


def pods_per_node(room: NodeRoom, cpu_m: int, memory_mib: int) -> int:
    """How many identical pods fit one empty node."""
    fits = room.pods
    if cpu_m:
        fits = min(fits, room.cpu_m // cpu_m)
    if memory_mib:
        fits = min(fits, room.memory_mib // memory_mib)
    return max(fits, 0)
