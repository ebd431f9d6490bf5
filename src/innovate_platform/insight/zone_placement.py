"""Where new nodes go and how many pods of a zone-spread app one new node may take: the zone
side of every capacity strategy (a mixin of provisioners.Provisioner)."""

from __future__ import annotations

import math

from .cluster import AppState, Cluster
from .fleet import CapacitySource
from .zones import hard_spread, spread_room


class ZonePlacement:
    """Needs `self.cluster` and `self.zones` (set by the provisioner)."""

    cluster: Cluster
    zones: tuple[str, ...]

    def up_zones(self) -> list[str]:
        return [z for z in self.zones if z not in self.cluster.down_zones]

    def pick_zone(self, source: CapacitySource, packed: list[int] | None = None) -> str | None:
        """A node group balances its nodes across its zones (the ASG's AZ rebalancing); Karpenter
        picks the zone with the fewest pods of the apps it packs (spread), then the fewest nodes."""
        up = self.up_zones()
        if not up:
            return None
        nodes = self.cluster.nodes
        pods = {z: 0 for z in up}
        mine = {z: 0 for z in up}
        for n in nodes:
            if n.zone in pods:
                if n.source.name == source.name and n.source.kind == source.kind:
                    mine[n.zone] += 1
                if packed:
                    pods[n.zone] += sum(n.counts[i] + n.nominated[i] for i, k in enumerate(packed) if k)
        return min(up, key=lambda z: (pods[z], mine[z], up.index(z)))

    def spread_room(self, app: AppState) -> int:
        """How many more pods of a DoNotSchedule-spread app the zones that are up can take
        (bound and nominated pods counted; a new node can add its zone as a domain)."""
        if not hard_spread(app.w):
            return 1 << 30
        counts = dict(app.zone_counts)
        for n in self.cluster.nodes:
            if n.nominated[app.index]:
                counts[n.zone] = counts.get(n.zone, 0) + n.nominated[app.index]
        domains = self.cluster.domains(app) | set(self.up_zones())
        return sum(spread_room(app.w, counts, domains, z) for z in self.up_zones())

    def spread_cap(self, remaining: list[int], share: list[int]) -> list[int]:
        """Pods one new node may take: a spread app's pods go a zone's share of the pass at a
        time, so the next node lands in the next zone (pick_zone counts the nominated pods)."""
        return [min(r, c) for r, c in zip(remaining, share)]

    def zone_share(self, remaining: list[int]) -> list[int]:
        zones = max(1, len(self.up_zones()))
        return [max(1, math.ceil(r / zones)) if hard_spread(a.w) else r for a, r in zip(self.cluster.apps, remaining)]
