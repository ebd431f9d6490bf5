"""The simulated cluster: nodes with counts of pods per app (no per-pod objects), the scheduler,
and the bookkeeping every strategy shares (cost, node-hours, allocation, pending time)."""

from __future__ import annotations

import heapq
from collections import deque

from ..config import INSTANCE_CATALOG
from .fleet import CapacitySource, admits, node_room
from .hpa import HorizontalPodAutoscaler, HpaDefaults
from .workloads import AppWorkload
from .addons import DAEMONSET_CPU_M, DAEMONSET_MEMORY_MIB
from .zones import hard_spread, spread_room


class Node:
    """One EC2 instance: what is left on it and how many pods of each app it runs."""

    __slots__ = ("id", "source", "itype", "capacity", "price", "cpu", "mem", "free_cpu", "free_mem", "free_pods",
                 "counts", "created", "ready_at", "ready", "cordoned", "last_change", "unneeded_since",
                 "notice_at", "admits", "nominated", "vcpu", "mem_gib", "is_app", "gone", "zone", "selects")

    def __init__(self, nid: int, source: CapacitySource, itype: str, capacity: str, price: float, now: float,
                 ready_at: float, apps: list[AppState], zone: str = ""):
        room = node_room(itype)
        self.zone = zone
        # the node's labels match the app's nodeSelector: its zone is a spread domain for the app
        # (nodeTaintsPolicy defaults to Ignore, so taints do not matter here)
        self.selects = tuple(all(source.labels.get(k) == v for k, v in a.w.node_selector.items()
                                 if k != "karpenter.sh/capacity-type") for a in apps)
        self.id = nid
        self.source = source
        self.itype = itype
        self.capacity = capacity
        self.price = price
        self.cpu = room.cpu_m + DAEMONSET_CPU_M  # allocatable, DaemonSets included
        self.mem = room.memory_mib + DAEMONSET_MEMORY_MIB
        self.free_cpu, self.free_mem, self.free_pods = room.cpu_m, room.memory_mib, room.pods
        self.counts = [0] * len(apps)
        self.created = now
        self.ready_at = ready_at
        self.ready = False
        self.cordoned = False
        self.last_change = now
        self.unneeded_since: float | None = None
        self.notice_at: float | None = None
        self.admits = tuple(admits(source, a.w) is None and not (a.w.on_demand_only and capacity == "spot") for a in apps)
        self.nominated = [0] * len(apps)
        t = INSTANCE_CATALOG[itype]
        self.vcpu, self.mem_gib = t.vcpu, t.memory_gib
        self.is_app = source.role == "app"
        self.gone = False

    @property
    def pods(self) -> int:
        return sum(self.counts)


class AppState:
    """An app's replicas: pending (unbound), starting (bound, not ready) and ready, as counts."""

    __slots__ = ("w", "index", "hpa", "replicas", "pending", "starting", "starting_n", "ready", "steps", "nominated",
                 "rps", "pending_since", "zone_counts")

    def __init__(self, workload: AppWorkload, index: int, hpa: HpaDefaults):
        self.w = workload
        self.index = index
        self.hpa = HorizontalPodAutoscaler(workload.min_replicas, workload.max_replicas, hpa)
        self.replicas = 0
        self.pending = 0
        self.starting: deque[list] = deque()  # [ready_time, count]
        self.starting_n = 0
        self.ready = 0
        self.steps: deque[list] = deque()  # [created, count, is_demand_step]
        self.nominated = 0
        self.rps = 0.0
        self.pending_since: float | None = None
        self.zone_counts: dict[str, int] = {}  # bound pods per zone

    @property
    def bound(self) -> int:
        return self.starting_n + self.ready

    @property
    def unplaced(self) -> int:
        return max(0, self.pending - self.nominated)


class Cluster:
    """Nodes, apps and the shared accounting of one simulation run."""

    def __init__(self, apps: list[AppState], pod_startup_s: float, scoring: str = "least-allocated"):
        self.apps = apps
        self.nodes: list[Node] = []
        self.pod_startup_s = pod_startup_s
        self.most_allocated = scoring == "most-allocated"
        self._next_id = 0
        self.cost = 0.0
        self.app_cost = 0.0
        self.node_seconds = 0.0
        self.used_cpu = 0  # requests on ready app nodes, DaemonSets included
        self.cap_cpu = 0  # allocatable CPU of ready app nodes
        self.latencies: list[float] = []
        self.unserved_steps = 0
        self.launches = 0
        self.interruptions = 0
        self.sched_dirty = True
        self.version = 0  # bumped whenever pods or nodes change (lets consolidation skip idle polls)
        self.peak_pods = 0
        self.events: list[tuple[float, int, str, Node]] = []  # (time, node id, kind, node) heap
        self.down_zones: set[str] = set()  # zones lost to an outage: no node runs or launches there
        self.spread_blocked: set[int] = set()  # apps with pending pods no zone may take (DoNotSchedule)

    # -- nodes ---------------------------------------------------------------------------
    def launch(self, source: CapacitySource, itype: str, capacity: str, price: float, now: float, ready_at: float,
               zone: str = "") -> Node:
        node = Node(self._next_id, source, itype, capacity, price, now, ready_at, self.apps, zone)
        self._next_id += 1
        self.nodes.append(node)
        self.launches += 1
        if ready_at > now:
            self.at(ready_at, "ready", node)
        return node

    def at(self, when: float, kind: str, node: Node) -> None:
        heapq.heappush(self.events, (when, node.id, kind, node))

    def due(self, now: float) -> list[tuple[str, Node]]:
        """Node events whose time has come (ready, spot notice, termination), oldest first."""
        out = []
        events = self.events
        while events and events[0][0] <= now:
            _, _, kind, node = heapq.heappop(events)
            if not node.gone:
                out.append((kind, node))
        return out

    def mark_ready(self, node: Node, now: float) -> None:
        # A node launched ready (warm start) is marked twice: at launch, then after the provisioner
        # has nominated pods on it. Either way its nominations are released, or those pods would
        # count as "waiting for a node" forever and no node would ever be launched for them.
        for app in self.apps:
            app.nominated -= node.nominated[app.index]
        node.nominated = [0] * len(self.apps)
        if node.ready:
            return
        self.version += 1
        node.ready = True
        node.last_change = now
        if node.is_app:
            self.cap_cpu += node.cpu
            self.used_cpu += node.cpu - node.free_cpu
        self.sched_dirty = True

    def remove(self, node: Node, now: float) -> None:
        """Terminate a node: its pods go back to pending, its cost is booked."""
        self.evict(node, now)
        if node.ready and node.is_app:
            self.cap_cpu -= node.cpu
            self.used_cpu -= node.cpu - node.free_cpu
        elif not node.ready:
            for app in self.apps:
                app.nominated -= node.nominated[app.index]
        self.nodes.remove(node)
        self.version += 1
        node.gone = True
        self._book(node, now)

    def zone_outage(self, zone: str, now: float) -> tuple[int, int]:
        """An availability zone fails: its nodes go at once, their pods become pending, and no
        node launches there again. Returns (nodes lost, pods lost)."""
        self.down_zones.add(zone)
        lost = [n for n in self.nodes if n.zone == zone]
        pods = sum(n.pods for n in lost)
        for node in lost:
            self.remove(node, now)
        self.sched_dirty = True
        return len(lost), pods

    def running_cost(self, now: float) -> float:
        """Cost booked so far plus the nodes still running, up to `now`."""
        return self.cost + sum(max(0.0, now - n.created) * n.price / 3600 for n in self.nodes)

    def _book(self, node: Node, now: float) -> None:
        seconds = max(0.0, now - node.created)
        self.node_seconds += seconds
        cost = seconds * node.price / 3600
        self.cost += cost
        if node.is_app:
            self.app_cost += cost

    def close(self, now: float) -> None:
        for node in self.nodes:
            self._book(node, now)

    # -- pods ----------------------------------------------------------------------------
    def add_pods(self, app: AppState, n: int, now: float, demand_step: bool = True) -> None:
        if n <= 0:
            return
        app.pending += n
        app.steps.append([now, n, demand_step])
        if app.pending_since is None:
            app.pending_since = now
        self.sched_dirty = True

    def _consume_steps(self, app: AppState, n: int, now: float, newest: bool) -> None:
        steps = app.steps
        while n > 0 and steps:
            entry = steps[-1] if newest else steps[0]
            take = min(n, entry[1])
            entry[1] -= take
            n -= take
            if entry[1] == 0:
                (steps.pop if newest else steps.popleft)()
                if entry[2]:
                    self.latencies.append(now - entry[0])
                    if newest:
                        self.unserved_steps += 1

    def bind(self, app: AppState, node: Node, k: int, now: float) -> None:
        w = app.w
        self.version += 1
        node.counts[app.index] += k
        app.zone_counts[node.zone] = app.zone_counts.get(node.zone, 0) + k
        node.free_cpu -= k * w.cpu_request_m
        node.free_mem -= k * w.memory_request_mib
        node.free_pods -= k
        node.last_change = now
        node.unneeded_since = None
        if node.is_app and node.ready:
            self.used_cpu += k * w.cpu_request_m
        app.pending -= k
        if app.pending == 0:
            app.pending_since = None
        app.starting.append([now + self.pod_startup_s, k])
        app.starting_n += k
        self._consume_steps(app, k, now, newest=False)

    def _unbind(self, app: AppState, node: Node, k: int, now: float) -> None:
        w = app.w
        self.version += 1
        node.counts[app.index] -= k
        app.zone_counts[node.zone] -= k
        node.free_cpu += k * w.cpu_request_m
        node.free_mem += k * w.memory_request_mib
        node.free_pods += k
        node.last_change = now
        if node.is_app and node.ready:
            self.used_cpu -= k * w.cpu_request_m
        # the newest (still starting) pods go first, then ready ones
        while k > 0 and app.starting:
            entry = app.starting[-1]
            take = min(k, entry[1])
            entry[1] -= take
            app.starting_n -= take
            k -= take
            if entry[1] == 0:
                app.starting.pop()
        app.ready -= k

    def evict(self, node: Node, now: float) -> None:
        """Drain a node: its pods are recreated as pending (not a demand step)."""
        for app in self.apps:
            k = node.counts[app.index]
            if k:
                self._unbind(app, node, k, now)
                self.add_pods(app, k, now, demand_step=False)

    def promote_ready(self, app: AppState, now: float) -> None:
        starting = app.starting
        while starting and starting[0][0] <= now:
            _, k = starting.popleft()
            app.starting_n -= k
            app.ready += k

    def set_replicas(self, app: AppState, n: int, now: float) -> None:
        """The Deployment's replica count changes: create pending pods or delete pods
        (unscheduled first, then from the node running the most of them, as the ReplicaSet does)."""
        delta = n - app.replicas
        app.replicas = n
        if delta > 0:
            self.add_pods(app, delta, now)
            return
        remove = -delta
        drop = min(remove, app.pending)
        if drop:
            app.pending -= drop
            if app.pending == 0:
                app.pending_since = None
            self._consume_steps(app, drop, now, newest=True)
            remove -= drop
        i = app.index
        while remove > 0:
            best = None
            for node in self.nodes:
                c = node.counts[i]
                if c and (best is None or c > best.counts[i] or (c == best.counts[i] and node.id > best.id)):
                    best = node
            if best is None:
                break
            take = min(remove, max(1, best.counts[i] - _second_most(self.nodes, i, best)))
            self._unbind(app, best, take, now)
            remove -= take
        if delta < 0:
            self.sched_dirty = True

    # -- scheduler -----------------------------------------------------------------------
    def schedule(self, now: float) -> None:
        """Bind pending pods to ready nodes with room (LeastAllocated scoring by default)."""
        if not self.sched_dirty:
            return
        self.sched_dirty = False
        self.spread_blocked.clear()
        for app in self.apps:
            if app.pending == 0:
                continue
            i, cpu, mem = app.index, app.w.cpu_request_m, app.w.memory_request_mib
            candidates = [n for n in self.nodes if n.ready and not n.cordoned and n.admits[i]
                          and n.free_cpu >= cpu and n.free_mem >= mem and n.free_pods > 0]
            if hard_spread(app.w):
                self._schedule_spread(app, candidates, now)
                continue
            while app.pending and candidates:
                if self.most_allocated:
                    node = min(candidates, key=lambda n: n.free_cpu / n.cpu)
                else:
                    node = max(candidates, key=lambda n: n.free_cpu / n.cpu)
                # bind as many as keep this node the best choice, at least one
                others = [c.free_cpu for c in candidates if c is not node]
                k = 1
                if not self.most_allocated and others:
                    k = max(1, (node.free_cpu - max(others)) // max(cpu, 1))
                elif self.most_allocated:
                    k = app.pending
                k = min(k, app.pending, node.free_cpu // cpu if cpu else k, node.free_mem // mem if mem else k, node.free_pods)
                self.bind(app, node, k, now)
                if node.free_cpu < cpu or node.free_mem < mem or node.free_pods <= 0:
                    candidates.remove(node)
        self.peak_pods = max(self.peak_pods, sum(a.bound for a in self.apps))

    def domains(self, app: AppState) -> set[str]:
        """The app's zone spread domains: zones of ready nodes matching its nodeSelector."""
        i = app.index
        return {n.zone for n in self.nodes if n.ready and not n.cordoned and n.selects[i]}

    def _schedule_spread(self, app: AppState, candidates: list[Node], now: float) -> None:
        """Bind under a DoNotSchedule zone spread: only to zones within maxSkew of the global minimum."""
        cpu, mem = app.w.cpu_request_m, app.w.memory_request_mib
        domains = self.domains(app)
        while app.pending and candidates:
            room = {z: spread_room(app.w, app.zone_counts, domains, z) for z in {n.zone for n in candidates}}
            allowed = [n for n in candidates if room[n.zone] > 0]
            if not allowed:
                self.spread_blocked.add(app.index)
                return
            node = max(allowed, key=lambda n: (n.free_cpu / n.cpu, -n.id))
            k = min(room[node.zone], app.pending, node.free_cpu // cpu if cpu else app.pending,
                    node.free_mem // mem if mem else app.pending, node.free_pods)
            self.bind(app, node, max(1, k), now)
            if node.free_cpu < cpu or node.free_mem < mem or node.free_pods <= 0:
                candidates.remove(node)

    def fits_elsewhere(self, node: Node, exclude: set[int] | None = None) -> bool:
        """Could every pod on `node` be bound to the other ready nodes right now?"""
        free: dict[int, list[int]] = {}
        for app in self.apps:
            k = node.counts[app.index]
            if not k:
                continue
            i, cpu, mem = app.index, app.w.cpu_request_m, app.w.memory_request_mib
            spread = hard_spread(app.w)
            for other in self.nodes:
                if k <= 0:
                    break
                if other is node or not other.ready or other.cordoned or not other.admits[i]:
                    continue
                if spread and other.zone != node.zone:  # keeps the zone counts: the spread still holds
                    continue
                if exclude and other.id in exclude:
                    continue
                room = free.get(other.id)
                if room is None:
                    room = free[other.id] = [other.free_cpu, other.free_mem, other.free_pods]
                fit = min(room[0] // cpu if cpu else k, room[1] // mem if mem else k, room[2])
                if fit <= 0:
                    continue
                take = min(fit, k)
                room[0] -= take * cpu
                room[1] -= take * mem
                room[2] -= take
                k -= take
            if k > 0:
                return False
        return True


def _second_most(nodes: list[Node], i: int, best: Node) -> int:
    return max((n.counts[i] for n in nodes if n is not best), default=0)
