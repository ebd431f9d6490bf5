"""Allocatable resources per AL2023 node, pinned to Karpenter's published estimates (aws-facts.md)."""

import pytest

from innovate_platform.insight.allocatable import allocatable, kube_reserved_cpu_millicores

# Karpenter's allocatable memory estimates from aws-facts.md, Instance facts.
KARPENTER_ESTIMATES_MI = {"t3.medium": 3246, "t3.large": 6837, "m6i.large": 6903, "r6a.large": 14481, "c6i.xlarge": 6584}


@pytest.mark.parametrize("instance_type,expected", sorted(KARPENTER_ESTIMATES_MI.items()))
def test_allocatable_memory_matches_karpenter_estimate(instance_type, expected):
    assert allocatable(instance_type).memory_mib == expected


def test_kube_reserved_cpu_follows_the_documented_steps():
    assert kube_reserved_cpu_millicores(2) == 70  # 60m + 10m
    assert kube_reserved_cpu_millicores(4) == 80  # + 5m + 5m
    assert kube_reserved_cpu_millicores(8) == 90  # + 4 x 2.5m
    assert allocatable("c6i.xlarge").cpu_m == 3920
    assert allocatable("t3.medium").cpu_m == 1930


def test_pod_slots_are_the_vpc_cni_max_pods():
    assert allocatable("t3.medium").pods == 17
    assert allocatable("c6i.xlarge").pods == 58
