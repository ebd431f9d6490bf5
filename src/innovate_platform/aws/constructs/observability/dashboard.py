"""OnCallDashboard: one CloudWatch dashboard per environment: SLOs, traffic, capacity, database and
the figures that drive cost, all from metrics in observability/metrics.py."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from ....config import Environment
from ....observability.alarms import LOAD_BALANCER, target_group


def dashboard_name(env: Environment) -> str:
    return f"{env.cluster_name}-oncall"


class OnCallDashboard(Construct):
    """Rows: SLOs, traffic per app, capacity, database, cost drivers (log ingestion, LCUs, nodes)."""

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment, internet_apps: tuple[str, ...],
                 dimension_values: dict[str, str], instance_id: str, log_groups: tuple[str, ...]) -> None:
        super().__init__(scope, construct_id)
        lb = dimension_values[LOAD_BALANCER]
        cluster = {"ClusterName": env.cluster_name}
        five = Duration.minutes(5)

        def alb(name: str, app: str | None, stat: str, label: str) -> cw.Metric:
            dims = {"LoadBalancer": lb} | ({"TargetGroup": dimension_values[target_group(app)]} if app else {})
            return cw.Metric(namespace="AWS/ApplicationELB", metric_name=name, dimensions_map=dims, statistic=stat,
                             period=five, label=label)

        def ci(name: str, stat: str = "Maximum") -> cw.Metric:
            return cw.Metric(namespace="ContainerInsights", metric_name=name, dimensions_map=cluster, statistic=stat,
                             period=Duration.minutes(1), label=name)

        def rds(name: str, stat: str) -> cw.Metric:
            return cw.Metric(namespace="AWS/RDS", metric_name=name, dimensions_map={"DBInstanceIdentifier": instance_id},
                             statistic=stat, period=five, label=name)

        slo, traffic = [], []
        for app in internet_apps:
            requests = alb("RequestCount", app, "Sum", "requests")
            errors = cw.MathExpression(
                expression="100 * (FILL(t5, 0) + FILL(e5, 0)) / (FILL(requests, 0) + FILL(e5, 0))", label=f"{app} 5xx %", period=five,
                using_metrics={"requests": requests, "t5": alb("HTTPCode_Target_5XX_Count", app, "Sum", "target 5xx"),
                               "e5": alb("HTTPCode_ELB_5XX_Count", None, "Sum", "ALB 5xx")})
            slo.append(cw.GraphWidget(title=f"{app}: error rate and p99 latency", left=[errors],
                                      right=[alb("TargetResponseTime", app, "p99", f"{app} p99 (s)")], width=12))
            traffic.append(cw.GraphWidget(title=f"{app}: requests per 5 min", left=[requests], width=12))
        dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=dashboard_name(env))
        dashboard.add_widgets(cw.TextWidget(markdown=f"# {env.cluster_name} on call\nAlarms link to docs/runbooks/alerts.md",
                                            width=24, height=2))
        dashboard.add_widgets(*slo)
        dashboard.add_widgets(*traffic)
        dashboard.add_widgets(
            cw.GraphWidget(title="Nodes", left=[ci("cluster_node_count"), ci("cluster_failed_node_count")], width=8),
            cw.GraphWidget(title="Pending pods and restarts", left=[ci("pod_status_pending")],
                           right=[ci("pod_number_of_container_restarts")], width=8),
            cw.GraphWidget(title="CPU and memory requested (% of allocatable)",
                           left=[ci("node_cpu_reserved_capacity", "Average"), ci("node_memory_reserved_capacity", "Average")],
                           width=8))
        dashboard.add_widgets(
            cw.GraphWidget(title="Database CPU %", left=[rds("CPUUtilization", "Average")], width=6),
            cw.GraphWidget(title="Database free storage", left=[rds("FreeStorageSpace", "Minimum")], width=6),
            cw.GraphWidget(title="Database freeable memory", left=[rds("FreeableMemory", "Minimum")], width=6),
            cw.GraphWidget(title="Database connections", left=[rds("DatabaseConnections", "Maximum")], width=6))
        ingest = [cw.Metric(namespace="AWS/Logs", metric_name="IncomingBytes", dimensions_map={"LogGroupName": g},
                            statistic="Sum", period=Duration.hours(1), label=g.rsplit("/", 1)[1]) for g in log_groups]
        dashboard.add_widgets(
            cw.GraphWidget(title="Cost: log bytes ingested per hour", left=ingest, width=12),
            cw.GraphWidget(title="Cost: ALB LCUs and bytes", left=[alb("ConsumedLCUs", None, "Sum", "LCUs")],
                           right=[alb("ProcessedBytes", None, "Sum", "bytes")], width=12))
