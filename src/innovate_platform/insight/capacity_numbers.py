"""Numbers behind `innovate capacity`: per environment and node group / NodePool, the allocatable
room, what the apps (and on the system group, the add-ons) request at min and at max replicas,
the headroom left, and the largest pod that still fits on one node.

Node counts are what something actually provides: a node group runs `desired_size` unless Cluster
Autoscaler manages it (then up to `max_size`); a NodePool has no nodes until pods need them and
at most its limits allow. Pods are packed first-fit decreasing, node groups before pools, each app
only where its nodeSelector, tolerations and capacity type admit it. Zone spread is not applied
here (`innovate simulate` models zones).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..config import INSTANCE_CATALOG, Environment, NodeGroup
from .addons import AddonPods
from .allocatable import allocatable
from .fleet import CapacitySource, admits, node_room, sources
from .workloads import AppWorkload

SCENARIOS = ("min", "max")


def group_scaler(env: Environment, group: NodeGroup) -> str | None:
    """What changes this managed group's size: Cluster Autoscaler, the dev sleep schedule, or nothing."""
    if group.cluster_autoscaler:
        return "Cluster Autoscaler"
    if env.sleep is not None:
        return "sleep schedule"
    return None


def reachable_nodes(env: Environment, group: NodeGroup) -> int:
    """The most nodes this group will actually run."""
    return group.max_size if group.cluster_autoscaler else group.desired_size


def unmanaged_max(env: Environment) -> list[tuple[str, str]]:
    """(group, message) for every managed group whose max_size nothing can reach."""
    out = []
    for g in env.node_groups:
        scaler = group_scaler(env, g)
        if scaler == "Cluster Autoscaler":
            continue
        top, which = (g.desired_size, "desired_size") if scaler == "sleep schedule" else (g.min_size, "min_size")
        if g.max_size > top:
            by = "only the sleep schedule (0 to desired_size)" if scaler else \
                f"nothing (app_autoscaler {env.app_autoscaler}, cluster_autoscaler not set)"
            out.append((g.name, f"node group '{g.name}' has max_size {g.max_size} above {which} {top}, but {by} changes its "
                                f"size: the {g.max_size - top} extra node(s) never arrive; set max_size {top} or "
                                "let Cluster Autoscaler manage the group (cluster_autoscaler: true)"))
    return out


@dataclass
class _Node:
    cpu: int
    mem: int
    pods: int
    names: set


@dataclass(frozen=True)
class SourceNumbers:
    env: str
    source: str
    kind: str  # node group | NodePool
    instance_type: str
    allocatable_per_node: dict  # kubelet allocatable: cpu_m, memory_mib, pods
    room_per_node: dict  # after the DaemonSets
    nodes: dict  # scenario -> nodes the pods use (a group: the nodes it runs)
    nodes_reachable: int  # a group: desired_size, or max_size under Cluster Autoscaler; a pool: within its limits
    capacity: dict  # scenario -> {cpu_m, memory_mib} the source can offer (after DaemonSets)
    requested: dict  # scenario -> {cpu_m, memory_mib}
    headroom: dict  # scenario -> {cpu_m, memory_mib}
    largest_pod: dict  # scenario -> {cpu_m, memory_mib}: the biggest single pod that still fits
    unplaced: dict  # scenario -> pods that fit nowhere

    def to_dict(self) -> dict:
        return asdict(self)


def _pool_type(s: CapacitySource) -> tuple[str, int]:
    """The pool's instance type with the most room within its limits, and how many fit."""
    best = None
    for t in s.instance_types:
        spec = INSTANCE_CATALOG[t]
        n = min(s.limit_cpu // spec.vcpu, s.limit_memory_gib // spec.memory_gib)
        if best is None or n * node_room(t).cpu_m > best[1] * node_room(best[0]).cpu_m:
            best = (t, n)
    assert best is not None
    return best


def _plan(env: Environment) -> list[tuple[CapacitySource, str, int, int]]:
    """(source, instance type, nodes at min, nodes at most)."""
    out = []
    for s in sources(env):
        if s.kind == "group":
            g = next(g for g in env.node_groups if g.name == s.name)
            out.append((s, s.instance_types[0], g.desired_size, reachable_nodes(env, g)))
        else:
            t, n = _pool_type(s)
            out.append((s, t, 0, n))
    return out


def _pack(plan, apps: tuple[AppWorkload, ...], addons: tuple[AddonPods, ...], scenario: str):
    """First-fit decreasing; returns per source: (nodes, requested cpu, requested mem, unplaced)."""
    state = []
    for s, t, n_min, n_max in plan:
        room = node_room(t)
        start = n_min if scenario == "min" or s.kind == "pool" else n_max
        state.append({"source": s, "room": room, "cap": n_max if scenario == "max" or s.kind == "pool" else n_min,
                      "nodes": [_Node(room.cpu_m, room.memory_mib, room.pods, set()) for _ in range(start)],
                      "cpu": 0, "mem": 0, "unplaced": 0})
    pods = []
    for a in apps:
        n = a.min_replicas if scenario == "min" else a.max_replicas
        pods += [(a.cpu_request_m, a.memory_request_mib, a, None)] * n
    for addon in addons:
        pods += [(addon.cpu_m, addon.memory_mib, None, addon)] * addon.replicas
    for cpu, mem, app, addon in sorted(pods, key=lambda p: (-p[0], -p[1])):
        targets = [st for st in state if (st["source"].role == "system") == (addon is not None)
                   and (app is None or admits(st["source"], app) is None)]
        placed = False
        for st in targets:
            spread = addon.name if addon is not None and addon.replicas > 1 else None
            node = next((n for n in st["nodes"] if n.cpu >= cpu and n.mem >= mem and n.pods >= 1
                         and (spread is None or spread not in n.names)), None)
            if node is None and len(st["nodes"]) < st["cap"] and cpu <= st["room"].cpu_m and mem <= st["room"].memory_mib:
                node = _Node(st["room"].cpu_m, st["room"].memory_mib, st["room"].pods, set())
                st["nodes"].append(node)
            if node is None:
                continue
            node.cpu -= cpu
            node.mem -= mem
            node.pods -= 1
            if spread:
                node.names.add(spread)
            st["cpu"] += cpu
            st["mem"] += mem
            placed = True
            break
        if not placed and targets:
            targets[0]["unplaced"] += 1
    return state


def capacity_numbers(env: Environment, apps: tuple[AppWorkload, ...], addons: tuple[AddonPods, ...]) -> list[SourceNumbers]:
    plan = _plan(env)
    packed = {sc: _pack(plan, apps, addons, sc) for sc in SCENARIOS}
    out = []
    for k, (s, t, _, n_max) in enumerate(plan):
        alloc = allocatable(t)
        room = node_room(t)
        nodes, capacity, requested, headroom, largest, unplaced = {}, {}, {}, {}, {}, {}
        for sc in SCENARIOS:
            st = packed[sc][k]
            count = len(st["nodes"])
            nodes[sc] = count
            offer = n_max if s.kind == "pool" else count
            capacity[sc] = {"cpu_m": room.cpu_m * offer, "memory_mib": room.memory_mib * offer}
            requested[sc] = {"cpu_m": st["cpu"], "memory_mib": st["mem"]}
            headroom[sc] = {"cpu_m": capacity[sc]["cpu_m"] - st["cpu"], "memory_mib": capacity[sc]["memory_mib"] - st["mem"]}
            free = [(n.cpu, n.mem) for n in st["nodes"] if n.pods > 0]
            if count < st["cap"]:
                free.append((room.cpu_m, room.memory_mib))  # a new node can still come
            best = max(free, default=(0, 0))
            largest[sc] = {"cpu_m": best[0], "memory_mib": best[1]}
            unplaced[sc] = st["unplaced"]
        out.append(SourceNumbers(env.name, s.name, "node group" if s.kind == "group" else "NodePool", t,
                                 {"cpu_m": alloc.cpu_m, "memory_mib": alloc.memory_mib, "pods": alloc.pods},
                                 {"cpu_m": room.cpu_m, "memory_mib": room.memory_mib, "pods": room.pods},
                                 nodes, n_max, capacity, requested, headroom, largest, unplaced))
    return out
