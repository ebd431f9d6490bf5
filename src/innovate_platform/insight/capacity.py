"""Cross-layer fit checks: chart values against the platform's node groups, pools and add-ons.

Every finding names the environment, the app (or add-on) and the numbers behind it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from ..config import INSTANCE_CATALOG, Environment
from .addons import AddonPods
from .capacity_numbers import unmanaged_max
from .fleet import CapacitySource, NodeRoom, admits, node_room, pods_per_node, sources
from .workloads import AppWorkload


@dataclass(frozen=True)
class Finding:
    env: str
    subject: str  # the app or add-on
    check: str  # pod-fit | hpa-max | topology-spread | pdb-drain | system-addons | unmanaged-max
    message: str

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.env}: {self.subject}: [{self.check}] {self.message}"


def _reachable(env: Environment, app: AppWorkload) -> tuple[list[CapacitySource], list[str]]:
    ok, why = [], []
    for s in sources(env):
        reason = admits(s, app)
        if reason is None:
            ok.append(s)
        else:
            why.append(f"{s.label}: {reason}")
    return ok, why


def check_pod_fit(env: Environment, app: AppWorkload) -> list[Finding]:
    """Each pod (requests + DaemonSets + kube-reserved + max pods) fits an allowed instance type."""
    reachable, why = _reachable(env, app)
    if not reachable:
        return [Finding(env.name, app.name, "pod-fit", "no node group or NodePool admits its pods (" + "; ".join(why) + ")")]
    rooms = [node_room(t) for s in reachable for t in s.instance_types]
    if any(pods_per_node(r, app.cpu_request_m, app.memory_request_mib) >= 1 for r in rooms):
        return []
    biggest = max(rooms, key=lambda r: (r.cpu_m, r.memory_mib))
    types = sorted({r.instance_type for r in rooms})
    return [Finding(env.name, app.name, "pod-fit",
                    f"a pod requests {app.cpu_request_m}m CPU / {app.memory_request_mib}Mi but no allowed type "
                    f"({', '.join(types)}) has room for it; the largest leaves {biggest.cpu_m}m / {biggest.memory_mib}Mi "
                    f"({biggest.instance_type} allocatable after kube-reserved, eviction and DaemonSets)")]


def _source_room(s: CapacitySource) -> tuple[NodeRoom, int, str]:
    """The most a source can hold: (room of one node, node count, description)."""
    if s.kind == "group":
        t = s.instance_types[0]
        n = s.max_nodes if s.scaled else s.desired_nodes  # max_size only when an autoscaler can reach it
        return node_room(t), n, f"{s.label} {n} x {t}"
    best = None
    for t in s.instance_types:
        spec = INSTANCE_CATALOG[t]
        n = min(s.limit_cpu // spec.vcpu, s.limit_memory_gib // spec.memory_gib)
        room = node_room(t)
        if best is None or n * room.cpu_m > best[1] * best[0].cpu_m:
            best = (room, n)
    assert best is not None
    return best[0], best[1], f"{s.label} limit {s.limit_cpu} vCPU / {s.limit_memory_gib} GiB (~{best[1]} x {best[0].instance_type})"


def check_hpa_max(env: Environment, apps: tuple[AppWorkload, ...]) -> list[Finding]:
    """All apps at HPA maxReplicas fit the app node groups at max plus the pools' limits."""
    remaining: dict[str, list[int]] = {}
    described: dict[str, str] = {}
    for s in sources(env):
        if s.role != "app":
            continue
        room, n, text = _source_room(s)
        remaining[s.name] = [room.cpu_m * n, room.memory_mib * n, room.pods * n]
        described[s.name] = text
    findings = []
    ordered = sorted(apps, key=lambda a: len(_reachable(env, a)[0]))  # the most constrained first
    for app in ordered:
        reachable, _ = _reachable(env, app)
        need = app.max_replicas
        for s in reachable:
            if s.name not in remaining or need <= 0:
                continue
            rem = remaining[s.name]
            room, n, _ = _source_room(s)
            per_node = pods_per_node(room, app.cpu_request_m, app.memory_request_mib)
            take = min(need, per_node * n, rem[0] // max(app.cpu_request_m, 1), rem[1] // max(app.memory_request_mib, 1), rem[2])
            rem[0] -= take * app.cpu_request_m
            rem[1] -= take * app.memory_request_mib
            rem[2] -= take
            need -= take
        if need > 0:
            reach = ", ".join(described[s.name] for s in reachable if s.name in described) or "nothing"
            placed = app.max_replicas - need
            findings.append(Finding(
                env.name, app.name, "hpa-max",
                f"maxReplicas {app.max_replicas} x {app.cpu_request_m}m / {app.memory_request_mib}Mi = "
                f"{app.max_replicas * app.cpu_request_m}m / {app.max_replicas * app.memory_request_mib}Mi, but the capacity it can "
                f"reach ({reach}) holds only {placed} of them with the other apps at their maximum"))
    return findings


def check_spread(env: Environment, app: AppWorkload) -> list[Finding]:
    """A DoNotSchedule zone spread needs minDomains zones the app's capacity can actually reach."""
    if app.zone_spread != "DoNotSchedule":
        return []
    wanted = app.zone_min_domains or 1
    reachable, _ = _reachable(env, app)
    zones = min(env.az_count, sum(env.az_count if s.kind == "pool" else min(s.max_nodes if s.scaled else s.desired_nodes, env.az_count) for s in reachable))
    if wanted > env.az_count:
        return [Finding(env.name, app.name, "topology-spread",
                        f"zone spread DoNotSchedule with minDomains {wanted}, but the environment has az_count {env.az_count}: "
                        "pods beyond the first zones stay Pending forever")]
    if wanted > zones:
        return [Finding(env.name, app.name, "topology-spread",
                        f"zone spread DoNotSchedule with minDomains {wanted}, but the capacity it can reach spans at most {zones} zone(s)")]
    return []


def _allowed_disruptions(value: object, replicas: int, min_available: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        count = math.ceil(int(value[:-1]) * replicas / 100)
    else:
        count = int(value)  # type: ignore[arg-type]
    return replicas - count if min_available else count


def check_pdb(env: Environment, app: AppWorkload) -> list[Finding]:
    """At minReplicas the PodDisruptionBudget must still allow one eviction, or node drains hang."""
    if not app.pdb_enabled:
        return []
    if app.pdb_min_available is not None:
        allowed = _allowed_disruptions(app.pdb_min_available, app.min_replicas, True)
        rule = f"minAvailable {app.pdb_min_available}"
    else:
        allowed = _allowed_disruptions(app.pdb_max_unavailable if app.pdb_max_unavailable is not None else 1, app.min_replicas, False)
        rule = f"maxUnavailable {app.pdb_max_unavailable}"
    if allowed >= 1:
        return []
    return [Finding(env.name, app.name, "pdb-drain",
                    f"PodDisruptionBudget {rule} at minReplicas {app.min_replicas} allows {max(allowed, 0)} evictions: "
                    "node drains (consolidation, upgrades, the dev sleep) would block")]


def check_system_addons(env: Environment, addons: tuple[AddonPods, ...]) -> list[Finding]:
    """The add-ons fit the system node group at its desired size (largest first, one replica per node
    for controllers that spread replicas: Karpenter's chart requires distinct nodes)."""
    groups = [g for g in env.node_groups if g.role == "system"]
    nodes = [[node_room(g.instance_types[0]), 0, 0, 0, set()] for g in groups for _ in range(g.desired_size)]
    for node in nodes:
        room = node[0]
        node[1], node[2], node[3] = room.cpu_m, room.memory_mib, room.pods
    desc = ", ".join(f"{g.name} {g.desired_size} x {g.instance_types[0]}" for g in groups)
    findings = []
    pods = sorted(((a, r) for a in addons for r in range(a.replicas)), key=lambda p: -p[0].cpu_m)
    for addon, _ in pods:
        target = None
        for node in sorted(nodes, key=lambda n: -n[1]):
            if node[1] >= addon.cpu_m and node[2] >= addon.memory_mib and node[3] >= 1 and addon.name not in node[4]:
                target = node
                break
        if target is None:
            free = sum(n[1] for n in nodes), sum(n[2] for n in nodes)
            findings.append(Finding(env.name, addon.name, "system-addons",
                                    f"a replica ({addon.cpu_m}m / {addon.memory_mib}Mi, {addon.replicas} replicas on distinct nodes) "
                                    f"does not fit the system node group ({desc}); {free[0]}m / {free[1]}Mi left in total"))
            continue
        target[1] -= addon.cpu_m
        target[2] -= addon.memory_mib
        target[3] -= 1
        if addon.replicas > 1:
            target[4].add(addon.name)
    return findings


def check_environment(env: Environment, apps: tuple[AppWorkload, ...], addons: tuple[AddonPods, ...]) -> list[Finding]:
    findings: list[Finding] = []
    for app in apps:
        findings += check_pod_fit(env, app)
        findings += check_spread(env, app)
        findings += check_pdb(env, app)
    findings += check_hpa_max(env, apps)
    findings += check_system_addons(env, addons)
    findings += [Finding(env.name, f"node group {name}", "unmanaged-max", message) for name, message in unmanaged_max(env)]
    return findings
