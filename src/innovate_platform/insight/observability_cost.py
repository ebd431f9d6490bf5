"""Monthly cost of what an environment observes: Container Insights observations, container logs
ingested and stored, alarms, the dashboard and the add-on, each with its named assumption
(documented in docs/observability.md). Prices come from data/prices.yaml."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Environment, Platform
from ..observability.alarms import environment_alarms

if TYPE_CHECKING:
    from .cost import LineItem
    from .prices import PriceTable
    from .workloads import AppWorkload

# Enhanced observability records each node's, pod's and container's metrics every minute. A node
# with ~10 pods of 1-2 containers yields about 1,000 observations a minute (roughly 50 node, 40 per
# pod, 20 per container). Replace it with the account's billed observations once running.
CI_OBSERVATIONS_PER_NODE_MINUTE = 1000
# Container stdout/stderr shipped by Fluent Bit, GB/month (the API logs one JSON line per request).
# Replace with the application log group's IncomingBytes (dashboard cost row).
CONTAINER_LOG_GB_PER_MONTH = {"dev": 3, "staging": 10, "prod": 50}
# Host and dataplane logs (kubelet, containerd, journal) per node and month, GB.
NODE_LOG_GB_PER_NODE_MONTH = 0.5


def _node_hours(env: Environment, prices: PriceTable) -> float:
    from .cost import KARPENTER_MODELLED_USAGE, _cheapest_per_vcpu, awake_hours_per_month
    from ..config import INSTANCE_CATALOG

    hours = awake_hours_per_month(env, prices)
    node_hours = sum(g.desired_size for g in env.node_groups) * hours
    if env.karpenter:
        pool_hours = awake_hours_per_month(env, prices, "workloads") if env.sleep else prices.hours_per_month
        for pool in env.karpenter.node_pools:
            capacity = "spot" if "spot" in pool.capacity_types else pool.capacity_types[0]
            itype = _cheapest_per_vcpu(pool.instance_types, capacity, prices)
            node_hours += pool.limit_cpu * KARPENTER_MODELLED_USAGE / INSTANCE_CATALOG[itype].vcpu * pool_hours
    return node_hours


def observability_items(platform: Platform, env: Environment, apps: tuple[AppWorkload, ...],
                        prices: PriceTable) -> list[LineItem]:
    from .cost import LineItem

    p, h = prices.item, prices.hours_per_month
    node_hours = _node_hours(env, prices)
    nodes = node_hours / h
    observations = node_hours * 60 * CI_OBSERVATIONS_PER_NODE_MINUTE / 1e6
    obs = p("container_insights_observation_million")
    ingest, store = p("cloudwatch_logs_ingest_gb"), p("cloudwatch_logs_storage_gb_month")
    gb = CONTAINER_LOG_GB_PER_MONTH[env.name] + NODE_LOG_GB_PER_NODE_MONTH * nodes
    stored = gb * env.log_retention_days / 30
    items = [
        LineItem.flat("observability", "amazon-cloudwatch-observability add-on", "EKS add-ons have no charge; the agent and "
                      "Fluent Bit DaemonSets use node capacity (in the node lines)", 0.0, "AWS EKS add-on pricing"),
        LineItem.flat("observability", "Container Insights observations",
                      f"{observations:,.0f} M = {nodes:.1f} nodes average x {CI_OBSERVATIONS_PER_NODE_MINUTE}/node-minute "
                      "(assumption CI_OBSERVATIONS_PER_NODE_MINUTE); performance logs are not billed as ingestion",
                      observations * obs.value, obs.cite()),
        LineItem.flat("logs", "Container logs ingested", f"{gb:.1f} GB/month (assumptions CONTAINER_LOG_GB_PER_MONTH, "
                      "NODE_LOG_GB_PER_NODE_MONTH)", gb * ingest.value, ingest.cite()),
        LineItem.flat("logs", "Container logs stored", f"{stored:.1f} GB at {env.log_retention_days}-day retention",
                      stored * store.value, store.cite()),
    ]
    if platform.alerts is not None:
        internet = tuple(a.name for a in apps if a.ingress_group)
        specs = environment_alarms(platform, env, internet, f"{env.cluster_name}-postgres")
        metrics = sum(len(a.metrics) for a in specs.alarms)
        alarm, composite, board = p("cloudwatch_alarm_metric_month"), p("cloudwatch_composite_alarm_month"), p("cloudwatch_dashboard_month")
        items += [
            LineItem.flat("observability", "CloudWatch alarms", f"{len(specs.alarms)} alarms watching {metrics} metrics",
                          metrics * alarm.value, alarm.cite()),
            LineItem.flat("observability", "Composite alarms", f"{len(specs.composites)} burn-rate pages",
                          len(specs.composites) * composite.value, composite.cite()),
            LineItem.flat("observability", "CloudWatch dashboard", "1 on-call dashboard at list price (the free tier "
                          "may cover it)", board.value, board.cite()),
        ]
    return items
