"""Every alarm of one environment as plain data, derived from platform.yaml: metric, statistic,
period, threshold, evaluation and the runbook section. CDK (aws/constructs/observability/alarms.py)
turns them into CloudWatch alarms; tests and the `observability` check compare against them.

Dimension values are known names (cluster, database, queue) except the ALB's: the AWS Load
Balancer Controller creates the ALB and its target groups after the first Flux sync, so their
CloudWatch names arrive as stack parameters ({LB} and {TG:<app>} here; docs/adr/0016-observability.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Environment, Platform
from ..naming import interruption_queue_name
from .metrics import unknown_metric

# Multi-window burn-rate alerting (Google SRE workbook, "Alerting on SLOs"): page when the last
# hour burns 2% of a 30-day budget (14.4x) and the last 5 minutes still do; warn at 6x over 6 h / 30 min.
BURN_WINDOWS = {"fast": (14.4, 3600, 300), "slow": (6.0, 21600, 1800)}
# RDS for PostgreSQL: max_connections defaults to LEAST(DBInstanceClassMemory/9531392, 5000).
RDS_MEMORY_GIB = {"db.t4g.micro": 1, "db.t4g.small": 2, "db.t4g.medium": 4, "db.m6g.large": 8, "db.m6g.xlarge": 16}
LOAD_BALANCER = "{LB}"
MISSING = "notBreaching"  # no data (dev asleep, no traffic) is never a page


def target_group(app: str) -> str:
    return "{TG:" + app + "}"


@dataclass(frozen=True)
class MetricSpec:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    period: int

    @property
    def dimension_names(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.dimensions)


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch metric alarm: a metric, or metric math (`expression`) over `metrics`."""

    key: str  # runbook anchor, e.g. database-cpu
    name: str  # innovate-<env>-..., unique in the account
    summary: str
    metrics: dict[str, MetricSpec]
    threshold: float
    comparison: str  # GreaterThanThreshold | LessThanThreshold
    evaluation_periods: int
    datapoints: int
    expression: str | None = None
    paged: bool = True  # False: only a child of a composite (the composite pages)

    @property
    def period(self) -> int:
        return next(iter(self.metrics.values())).period


@dataclass(frozen=True)
class CompositeSpec:
    """Pages when every child is in ALARM (both windows of a burn rate)."""

    key: str
    name: str
    summary: str
    children: tuple[str, ...]
    app: str = ""
    slo: str = ""  # availability | latency


def alarm_name(env: Environment, suffix: str) -> str:
    return f"{env.cluster_name}-{suffix}"


def runbook_link(platform: Platform, key: str) -> str:
    assert platform.alerts is not None
    return f"{platform.alerts.runbook_url}#{key}"


def slo_alarms(platform: Platform, env: Environment, app: str) -> tuple[list[AlarmSpec], list[CompositeSpec]]:
    """Availability and latency burn-rate alarms of one internet-facing app."""
    assert platform.alerts is not None
    slo = platform.alerts.slo
    tg = (("LoadBalancer", LOAD_BALANCER), ("TargetGroup", target_group(app)))
    target_s = slo.latency_p99_ms / 1000
    children: list[AlarmSpec] = []
    composites: list[CompositeSpec] = []
    for speed, (burn, long_s, short_s) in BURN_WINDOWS.items():
        for kind in ("availability", "latency"):
            names = []
            for window, period in (("long", long_s), ("short", short_s)):
                name = alarm_name(env, f"{app}-{kind}-{speed}-{window}")
                if kind == "availability":
                    budget = 100 - slo.availability_percent
                    metrics = {
                        "requests": MetricSpec("AWS/ApplicationELB", "RequestCount", tg, "Sum", period),
                        "target5xx": MetricSpec("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg, "Sum", period),
                        "elb5xx": MetricSpec("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", tg[:1], "Sum", period),
                    }
                    # The ALB's own 5xx (no healthy target) are not in the target group's RequestCount:
                    # count them in the denominator too, or a full outage divides by no data.
                    expression = "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0))"
                    what = f"5xx share of {app} requests (%) over {period // 60} min"
                else:
                    budget = 1.0  # p99: 1% of requests may be slower than the target
                    metrics = {"fast": MetricSpec("AWS/ApplicationELB", "TargetResponseTime", tg, f"PR(0:{target_s:g})", period)}
                    expression = "100 - fast"
                    what = f"share of {app} requests slower than {slo.latency_p99_ms} ms (%) over {period // 60} min"
                children.append(AlarmSpec(
                    f"slo-{kind}", name, f"{what} above {burn:g}x the error budget", metrics,
                    round(burn * budget, 4), "GreaterThanThreshold", 1, 1, expression, paged=False))
                names.append(name)
            composites.append(CompositeSpec(
                f"slo-{kind}", alarm_name(env, f"{app}-{kind}-{speed}-burn"),
                f"{app} {kind} SLO ({_target(slo, kind)}) burning {burn:g}x its {slo.window_days}-day budget "
                f"over {long_s // 3600} h and {short_s // 60} min", tuple(names), app, kind))
    return children, composites


def _target(slo, kind: str) -> str:
    return f"{slo.availability_percent:g}% non-5xx" if kind == "availability" else f"p99 <= {slo.latency_p99_ms} ms"


def database_alarms(platform: Platform, env: Environment, instance_id: str) -> list[AlarmSpec]:
    assert platform.alerts is not None
    t, db = platform.alerts.thresholds, env.database
    dim = (("DBInstanceIdentifier", instance_id),)

    def metric(name: str, stat: str) -> dict[str, MetricSpec]:
        return {"m1": MetricSpec("AWS/RDS", name, dim, stat, 300)}

    memory = RDS_MEMORY_GIB[db.instance_class] * 2**30
    max_connections = min(memory // 9531392, 5000)
    storage = db.allocated_storage_gib * 2**30 * t.db_free_storage_percent / 100
    return [
        AlarmSpec("database-cpu", alarm_name(env, "db-cpu"), f"database CPU above {t.db_cpu_percent}% for 15 min",
                  metric("CPUUtilization", "Average"), t.db_cpu_percent, "GreaterThanThreshold", 3, 3),
        AlarmSpec("database-free-storage", alarm_name(env, "db-free-storage"),
                  f"database free storage below {t.db_free_storage_percent}% of {db.allocated_storage_gib} GiB",
                  metric("FreeStorageSpace", "Minimum"), storage, "LessThanThreshold", 1, 1),
        AlarmSpec("database-free-memory", alarm_name(env, "db-free-memory"),
                  f"database freeable memory below {t.db_free_memory_mib} MiB for 15 min",
                  metric("FreeableMemory", "Minimum"), t.db_free_memory_mib * 2**20, "LessThanThreshold", 3, 3),
        AlarmSpec("database-connections", alarm_name(env, "db-connections"),
                  f"database connections above {t.db_connections_percent}% of max_connections ({max_connections})",
                  metric("DatabaseConnections", "Maximum"), int(max_connections * t.db_connections_percent / 100),
                  "GreaterThanThreshold", 2, 2),
    ]


def capacity_alarms(platform: Platform, env: Environment) -> list[AlarmSpec]:
    assert platform.alerts is not None
    t = platform.alerts.thresholds
    cluster = (("ClusterName", env.cluster_name),)
    ci = "ContainerInsights"
    restarts_period = t.restarts_window_minutes * 60
    specs = [
        AlarmSpec("pods-pending", alarm_name(env, "pods-pending"), f"pods Pending for {t.pods_pending_minutes} min",
                  {"m1": MetricSpec(ci, "pod_status_pending", cluster, "Maximum", 60)}, 0, "GreaterThanThreshold",
                  t.pods_pending_minutes, t.pods_pending_minutes),
        AlarmSpec("node-not-ready", alarm_name(env, "node-not-ready"), f"a node not Ready for {t.node_not_ready_minutes} min",
                  {"m1": MetricSpec(ci, "cluster_failed_node_count", cluster, "Maximum", 60)}, 0, "GreaterThanThreshold",
                  t.node_not_ready_minutes, t.node_not_ready_minutes),
        AlarmSpec("container-restarts", alarm_name(env, "container-restarts"),
                  f"more than {t.container_restarts} container restarts in {t.restarts_window_minutes} min",
                  # The agent reports restarts since its previous sample, so the window's Sum counts them.
                  {"m1": MetricSpec(ci, "pod_number_of_container_restarts", cluster, "Sum", restarts_period)},
                  t.container_restarts, "GreaterThanThreshold", 1, 1),
    ]
    if env.uses_karpenter:
        queue = (("QueueName", interruption_queue_name(env)),)
        specs += [
            AlarmSpec("karpenter-interruption-queue", alarm_name(env, "karpenter-queue-depth"),
                      f"more than {t.interruption_queue_depth} interruption messages waiting",
                      {"m1": MetricSpec("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue, "Maximum", 300)},
                      t.interruption_queue_depth, "GreaterThanThreshold", 1, 1),
            AlarmSpec("karpenter-interruption-queue", alarm_name(env, "karpenter-queue-age"),
                      f"oldest interruption message older than {t.interruption_message_age_seconds} s",
                      {"m1": MetricSpec("AWS/SQS", "ApproximateAgeOfOldestMessage", queue, "Maximum", 300)},
                      t.interruption_message_age_seconds, "GreaterThanThreshold", 1, 1),
        ]
    return specs


@dataclass(frozen=True)
class EnvironmentAlarms:
    alarms: tuple[AlarmSpec, ...]
    composites: tuple[CompositeSpec, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.alarms) + tuple(c.name for c in self.composites)


def environment_alarms(platform: Platform, env: Environment, internet_apps: tuple[str, ...],
                       instance_id: str) -> EnvironmentAlarms:
    """Every alarm of one environment (platform.alerts must be set)."""
    alarms: list[AlarmSpec] = []
    composites: list[CompositeSpec] = []
    for app in internet_apps:
        children, burn = slo_alarms(platform, env, app)
        alarms += children
        composites += burn
    alarms += database_alarms(platform, env, instance_id) + capacity_alarms(platform, env)
    for spec in alarms:
        for metric in spec.metrics.values():
            problem = unknown_metric(metric.namespace, metric.name, metric.dimension_names)
            assert problem is None, f"{spec.name}: {problem}"
    return EnvironmentAlarms(tuple(alarms), tuple(composites))
