"""min_zones combinations that cannot work are refused before anything renders."""

from __future__ import annotations

from .test_config_errors import rejection


def _pool(data):
    return data["environments"]["prod"]["karpenter"]["node_pools"][0]


def test_min_zones_above_one_is_refused_because_pods_spread_across_zones():
    message = rejection(lambda d: _pool(d).update(min_zones=2))
    assert "environments.prod" in message and "karpenter.node_pools.0.min_zones (pool burst)" in message
    assert "kubernetes-sigs/karpenter#2999" in message and "remove min_zones" in message


def test_min_zones_above_the_vpc_zones_is_refused():
    def change(d):
        d["environments"]["prod"]["az_count"] = 2
        _pool(d).update(min_zones=3)

    message = rejection(change)
    assert "karpenter.node_pools.0.min_zones (pool burst): 3 zones, but the VPC has only az_count 2" in message


def test_the_shipped_pools_ask_for_no_zone_minimum():
    """prod shipped min_zones: 2 on both pools: every NodeClaim the API server would reject."""
    import yaml

    from .test_config_errors import ROOT

    data = yaml.safe_load((ROOT / "platform.yaml").read_text())
    for env in data["environments"].values():
        for pool in (env.get("karpenter") or {}).get("node_pools", []):
            assert pool.get("min_zones", 1) == 1, pool["name"]
