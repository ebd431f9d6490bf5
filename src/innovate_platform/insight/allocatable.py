"""What a node offers pods on AL2023 (nodeadm), from the formulas in aws-facts.md.

kube-reserved CPU = 6% of the first core + 1% of the second + 0.5% of cores 3-4 + 0.25% beyond;
kube-reserved memory = 11 MiB x maxPods + 255 MiB; hard eviction at 100 MiB; no system-reserved.
Before a node exists Karpenter also subtracts 7.5% of memory as VM overhead (rounded up to a
whole MiB). The simulator and the capacity checks use this Karpenter estimate for every node:
it is the conservative figure (a real node reports a little more).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..config import INSTANCE_CATALOG

VM_MEMORY_OVERHEAD = 0.075  # Karpenter's default vmMemoryOverheadPercent (aws-facts.md, Instance facts)
EVICTION_HARD_MIB = 100  # kubelet memory.available hard eviction (aws-facts.md)
KUBE_RESERVED_MIB_PER_POD = 11
KUBE_RESERVED_MIB_BASE = 255


def kube_reserved_cpu_millicores(vcpu: int) -> int:
    """6% of core 1, 1% of core 2, 0.5% of cores 3-4, 0.25% of every further core (millicores)."""
    tenths = 0  # in tenths of a millicore, to stay in integers (0.25% of a core = 2.5m)
    for core in range(1, vcpu + 1):
        tenths += 600 if core == 1 else 100 if core == 2 else 50 if core <= 4 else 25
    return math.ceil(tenths / 10)


def kube_reserved_memory_mib(max_pods: int) -> int:
    return KUBE_RESERVED_MIB_PER_POD * max_pods + KUBE_RESERVED_MIB_BASE


def vm_overhead_mib(memory_mib: int) -> int:
    return math.ceil(memory_mib * VM_MEMORY_OVERHEAD)


@dataclass(frozen=True)
class Allocatable:
    """Resources the scheduler can hand to pods on one node of a type."""

    instance_type: str
    cpu_m: int
    memory_mib: int
    pods: int


def allocatable(instance_type: str) -> Allocatable:
    """Allocatable CPU (millicores), memory (MiB) and pod slots of an instance type."""
    t = INSTANCE_CATALOG[instance_type]
    memory = t.memory_gib * 1024
    memory -= vm_overhead_mib(memory) + kube_reserved_memory_mib(t.max_pods) + EVICTION_HARD_MIB
    cpu = t.vcpu * 1000 - kube_reserved_cpu_millicores(t.vcpu)
    return Allocatable(instance_type, cpu, memory, t.max_pods)
