"""infra-configs: Karpenter capacity, tenancy (Pod Security, RBAC, quotas, networking) and priorities."""

from __future__ import annotations

import ipaddress

import pytest

from innovate_platform.gitops.tenancy import tenant_namespaces
from innovate_platform.network_layout import subnet_layout

ENVS = ("dev", "staging", "prod")


def _requirement(pool: dict, key: str) -> dict:
    return next(r for r in pool["spec"]["template"]["spec"]["requirements"] if r["key"] == key)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_node_pools_have_the_capacity_and_instance_types_of_platform_yaml(env, objects, select, platform):
    pools = {p["metadata"]["name"]: p for p in select(objects[env], "NodePool")}
    expected = platform.env(env).karpenter.node_pools
    assert set(pools) == {p.name for p in expected}
    for want in expected:
        pool = pools[want.name]
        assert _requirement(pool, "karpenter.sh/capacity-type")["values"] == list(want.capacity_types)
        assert _requirement(pool, "node.kubernetes.io/instance-type")["values"] == list(want.instance_types)
        assert _requirement(pool, "kubernetes.io/arch")["values"] == ["amd64"]
        assert pool["spec"]["template"]["metadata"]["labels"]["role"] == "app"
        assert pool["spec"]["template"]["spec"]["expireAfter"] == want.expire_after
        assert pool["spec"]["limits"] == {"cpu": str(want.limit_cpu), "memory": f"{want.limit_memory_gib}Gi"}
        assert pool["spec"]["disruption"]["consolidationPolicy"] == want.consolidation_policy


def test_dev_prefers_spot_with_on_demand_fallback_in_one_pool(objects, select):
    (pool,) = select(objects["dev"], "NodePool")
    assert _requirement(pool, "karpenter.sh/capacity-type")["values"] == ["spot", "on-demand"]
    assert _requirement(pool, "node.kubernetes.io/instance-type")["values"] == ["t3.medium", "t3.large", "m6a.large"]
    assert pool["spec"]["disruption"]["consolidationPolicy"] == "WhenEmptyOrUnderutilized"


def test_prod_pools_leave_zones_to_the_pods_spread_and_block_voluntary_disruption_in_business_hours(objects, select):
    pools = {p["metadata"]["name"]: p for p in select(objects["prod"], "NodePool")}
    assert set(pools) == {"burst", "on-demand"}
    for pool in pools.values():
        # No minValues on the zone: the pods' zone spread narrows each NodeClaim to one zone
        # (kubernetes-sigs/karpenter#2999); the `scheduling` check proves the NodeClaims validate.
        keys = [r["key"] for r in pool["spec"]["template"]["spec"]["requirements"]]
        assert "topology.kubernetes.io/zone" not in keys
        budgets = pool["spec"]["disruption"]["budgets"]
        frozen = [b for b in budgets if b["nodes"] == "0"]
        assert len(frozen) == 1 and frozen[0]["reasons"] == ["Underutilized", "Empty", "Drifted"]
        # Karpenter reads budget schedules in UTC: the window must cover 08:00-18:00 in New York
        # on weekdays, in winter (EST, UTC-5) and in summer (EDT, UTC-4).
        minute, hour, _, _, days = frozen[0]["schedule"].split()
        assert days == "mon-fri" and minute == "0"
        for utc_offset in (-5, -4):
            start_local = int(hour) + utc_offset
            assert start_local <= 8 and start_local + int(frozen[0]["duration"].removesuffix("h")) >= 18
        assert {"nodes": "10%"} in budgets
    on_demand = pools["on-demand"]
    assert _requirement(on_demand, "karpenter.sh/capacity-type")["values"] == ["on-demand"]
    assert on_demand["spec"]["template"]["metadata"]["labels"]["innovate.io/lifecycle"] == "on-demand"
    assert on_demand["spec"]["template"]["spec"]["taints"] == [
        {"key": "innovate.io/lifecycle", "value": "on-demand", "effect": "NoSchedule"}
    ]
    assert "taints" not in pools["burst"]["spec"]["template"]["spec"]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_node_class_pins_the_ami_and_keeps_imds_to_the_node(env, objects, select, platform):
    (node_class,) = select(objects[env], "EC2NodeClass")
    spec = node_class["spec"]
    assert spec["amiSelectorTerms"] == [{"alias": platform.env(env).karpenter.ami_alias}]
    assert not spec["amiSelectorTerms"][0]["alias"].endswith("@latest")
    assert spec["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert spec["metadataOptions"]["httpTokens"] == "required"
    assert spec["subnetSelectorTerms"] == spec["securityGroupSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": f"innovate-{env}"}}]
    assert spec["role"] == "placeholder-karpenter-node-role"
    (root,) = spec["blockDeviceMappings"]
    assert root["ebs"]["encrypted"] is True and root["ebs"]["volumeType"] == "gp3"
    assert spec["tags"]["innovate:environment"] == env and "innovate:cost-center" in spec["tags"]


@pytest.mark.parametrize("env", ENVS)
def test_pod_security_labels_per_environment(env, objects, select, platform):
    enforce = "restricted" if env == "prod" else "baseline"
    tenants = {ns.name for ns in tenant_namespaces(platform, platform.env(env))}
    assert tenants == {"api", "web", "analytics"}
    for ns in select(objects[env], "Namespace"):
        if ns["metadata"]["name"] not in tenants:
            continue
        labels = ns["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == enforce
        assert labels["pod-security.kubernetes.io/warn"] == labels["pod-security.kubernetes.io/audit"] == "restricted"
        assert labels["pod-security.kubernetes.io/enforce-version"] == "v1.35"
        tenants.discard(ns["metadata"]["name"])
    assert tenants == set(), f"namespaces not rendered: {tenants}"


@pytest.mark.parametrize("env", ENVS)
def test_every_tenant_namespace_denies_by_default_and_allows_only_what_apps_need(env, objects, select, platform):
    cidr = platform.env(env).vpc_cidr
    for ns in ("api", "web", "analytics"):
        policies = {p["metadata"]["name"]: p["spec"] for p in select(objects[env], "NetworkPolicy", namespace=ns)}
        assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        dns = policies["allow-dns"]["egress"][0]
        assert {"protocol": "UDP", "port": 53} in dns["ports"]
        assert dns["to"][0]["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}
    for ns in ("api", "web"):
        ingress = select(objects[env], "NetworkPolicy", "allow-alb-ingress", ns)[0]["spec"]["ingress"]
        # only the ALB's public subnets, not the whole VPC where every other pod lives
        alb_subnets = [{"ipBlock": {"cidr": c}} for c in subnet_layout(platform.env(env)).public]
        assert ingress == [{"from": alb_subnets, "ports": [{"protocol": "TCP", "port": 8080}]}]
        assert all(not ipaddress.ip_network(c["ipBlock"]["cidr"]).overlaps(ipaddress.ip_network(p))
                   for c in alb_subnets for p in subnet_layout(platform.env(env)).private)
    api = {p["metadata"]["name"]: p["spec"] for p in select(objects[env], "NetworkPolicy", namespace="api")}
    assert api["allow-postgres-egress"]["egress"] == [{"to": [{"ipBlock": {"cidr": cidr}}], "ports": [{"protocol": "TCP", "port": 5432}]}]
    assert api["allow-https-egress"]["egress"] == [{"ports": [{"protocol": "TCP", "port": 443}]}]
    web = {p["metadata"]["name"] for p in select(objects[env], "NetworkPolicy", namespace="web")}
    assert not web & {"allow-postgres-egress", "allow-https-egress"}
    assert not select(objects[env], "NetworkPolicy", "allow-alb-ingress", "analytics")


@pytest.mark.parametrize("env", ENVS)
def test_teams_edit_only_their_own_namespaces_without_wildcards(env, objects, select, platform):
    assert not select(objects[env], "ClusterRoleBinding") and not select(objects[env], "ClusterRole")
    for team in platform.env(env).teams:
        for ns in team.namespaces:
            (role,) = select(objects[env], "Role", f"innovate-team-{team.name}", ns)
            for rule in role["rules"]:
                assert "*" not in rule["verbs"] + rule["resources"] + rule["apiGroups"]
            secrets = [r for r in role["rules"] if "secrets" in r["resources"]]
            assert secrets and "get" in secrets[0]["verbs"]
            (binding,) = select(objects[env], "RoleBinding", f"innovate-team-{team.name}", ns)
            assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": f"innovate:team:{team.name}"}]
            assert binding["roleRef"]["kind"] == "Role"
    bound = {(b["metadata"]["namespace"], b["subjects"][0]["name"]) for b in select(objects[env], "RoleBinding") if b["subjects"][0]["kind"] == "Group"}
    assert ("analytics", "innovate:team:core") not in bound and ("api", "innovate:team:data") not in bound


@pytest.mark.parametrize("env", ENVS)
def test_tenant_namespaces_have_quota_limits_and_priorities(env, objects, select):
    for ns in ("api", "web", "analytics"):
        (quota,) = select(objects[env], "ResourceQuota", "tenant-quota", namespace=ns)
        assert {"requests.cpu", "requests.memory"} <= set(quota["spec"]["hard"])
        (limits,) = select(objects[env], "LimitRange", namespace=ns)
        assert limits["spec"]["limits"][0]["defaultRequest"]
    assert {p["metadata"]["name"] for p in select(objects[env], "PriorityClass")} == {"innovate-critical", "innovate-app"}


def test_a_weighted_single_zone_pool_renders_valid():
    from innovate_platform.checks.manifests import validate_object
    from innovate_platform.config import NodePool
    from innovate_platform.gitops.node_pools import node_pool

    pool = node_pool(
        NodePool(name="batch", capacity_types=("spot",), instance_types=("m6i.large",), limit_cpu=8, limit_memory_gib=32, weight=50)
    )
    assert pool["spec"]["weight"] == 50
    keys = [r["key"] for r in pool["spec"]["template"]["spec"]["requirements"]]
    assert "topology.kubernetes.io/zone" not in keys  # min_zones 1: no flexibility requirement
    assert pool["spec"]["disruption"]["budgets"] == [{"nodes": "10%"}]
    assert validate_object(pool, "1.36") == []
