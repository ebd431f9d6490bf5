"""The metrics alarms and dashboards may use: namespace -> metric -> dimension sets it is published
with. Anything else is a metric nothing emits, and the `observability` check names it.

Sources (checked 2026-11):
- ContainerInsights: the amazon-cloudwatch-observability add-on (enhanced observability). Names and
  the `ClusterName` dimension set from the CloudWatch user guide "Amazon EKS and Kubernetes Container
  Insights with enhanced observability metrics" and the agent's own EKS test
  (aws/amazon-cloudwatch-agent-test test/metric_value_benchmark/eks_daemon_test.go).
- AWS/ApplicationELB: Elastic Load Balancing user guide, "CloudWatch metrics for your Application
  Load Balancer" (target-group metrics by LoadBalancer+TargetGroup; ELB-generated 5xx by LoadBalancer).
- AWS/RDS: RDS user guide, "Amazon CloudWatch metrics for Amazon RDS" (DBInstanceIdentifier).
- AWS/SQS: SQS developer guide, "Available CloudWatch metrics for Amazon SQS" (QueueName).
- AWS/Logs: CloudWatch Logs user guide, "Monitoring with CloudWatch metrics" (LogGroupName).
"""

from __future__ import annotations

CLUSTER = ("ClusterName",)
TARGET_GROUP = ("LoadBalancer", "TargetGroup")

CATALOG: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "ContainerInsights": {
        "cluster_node_count": (CLUSTER,),
        "cluster_failed_node_count": (CLUSTER,),
        "cluster_number_of_running_pods": (CLUSTER,),
        "pod_status_pending": (CLUSTER, ("ClusterName", "Namespace", "PodName")),
        "pod_number_of_container_restarts": (CLUSTER, ("ClusterName", "Namespace", "PodName")),
        "node_cpu_reserved_capacity": (CLUSTER, ("ClusterName", "InstanceId", "NodeName")),
        "node_memory_reserved_capacity": (CLUSTER, ("ClusterName", "InstanceId", "NodeName")),
        "node_cpu_utilization": (CLUSTER, ("ClusterName", "InstanceId", "NodeName")),
        "node_memory_utilization": (CLUSTER, ("ClusterName", "InstanceId", "NodeName")),
    },
    "AWS/ApplicationELB": {
        "RequestCount": (("LoadBalancer",), TARGET_GROUP),
        "HTTPCode_Target_5XX_Count": (("LoadBalancer",), TARGET_GROUP),
        "HTTPCode_ELB_5XX_Count": (("LoadBalancer",),),
        "TargetResponseTime": (("LoadBalancer",), TARGET_GROUP),
        "ConsumedLCUs": (("LoadBalancer",),),
        "ProcessedBytes": (("LoadBalancer",),),
    },
    "AWS/RDS": {
        name: (("DBInstanceIdentifier",),)
        for name in ("CPUUtilization", "FreeStorageSpace", "FreeableMemory", "DatabaseConnections", "ReplicaLag")
    },
    "AWS/SQS": {
        "ApproximateNumberOfMessagesVisible": (("QueueName",),),
        "ApproximateAgeOfOldestMessage": (("QueueName",),),
    },
    "AWS/Logs": {"IncomingBytes": (("LogGroupName",),)},
}


def unknown_metric(namespace: str, metric: str, dimensions: tuple[str, ...]) -> str | None:
    """Why nothing emits this metric with these dimensions, or None when something does."""
    metrics = CATALOG.get(namespace)
    if metrics is None:
        return f"namespace {namespace} is not published by anything the platform runs"
    if metric not in metrics:
        return f"{namespace} has no metric {metric}"
    if tuple(sorted(dimensions)) not in {tuple(sorted(d)) for d in metrics[metric]}:
        allowed = " or ".join("+".join(d) for d in metrics[metric])
        return f"{namespace} {metric} is published by {allowed}, not by {'+'.join(sorted(dimensions)) or 'no dimension'}"
    return None
