"""The platform's own apps fit the quota their namespace gets from the capacity split: each
Deployment at its autoscaler's maximum, plus the pods a rolling update surges, requests no more
CPU and memory than the namespace's `tenant-quota` (else scale-ups and rollouts fail at admission
and the quota, not the cluster, caps the app)."""

from __future__ import annotations

import math
from typing import Iterator

from ..insight.workloads import cpu_millicores, memory_mib
from .model import Finding


def _max_replicas(objects: list, deployment) -> int:
    for o in objects:
        spec = o.obj.get("spec") or {}
        if o.namespace != deployment.namespace:
            continue
        target = spec.get("scaleTargetRef") or {}
        if o.kind == "HorizontalPodAutoscaler" and target.get("name") == deployment.name:
            return int(spec.get("maxReplicas", 1))
        if o.kind == "ScaledObject" and target.get("name") == deployment.name:
            return int(spec.get("maxReplicaCount", 100))
    return int((deployment.obj.get("spec") or {}).get("replicas", 1))


def _surge(deployment, replicas: int) -> int:
    rolling = ((deployment.obj.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    surge = rolling.get("maxSurge", "25%")
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(replicas * int(surge[:-1]) / 100)
    return int(surge)


def _pod_requests(deployment) -> tuple[int, int]:
    spec = ((deployment.obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    where = deployment.where

    def requests(c: dict) -> tuple[int, int]:
        r = (c.get("resources") or {}).get("requests") or {}
        return cpu_millicores(r.get("cpu", 0), where), memory_mib(r.get("memory", 0), where)

    main = [requests(c) for c in spec.get("containers") or []]
    init = [requests(c) for c in spec.get("initContainers") or []]
    cpu = max(sum(c for c, _ in main), max((c for c, _ in init), default=0))
    memory = max(sum(m for _, m in main), max((m for _, m in init), default=0))
    return cpu, memory


def quota_findings(env: str, objects: list, tenants: set[str]) -> Iterator[Finding]:
    quotas = {o.namespace: (o.obj.get("spec") or {}).get("hard") or {} for o in objects
              if o.kind == "ResourceQuota" and o.name == "tenant-quota"}
    for ns in sorted(tenants & set(quotas)):
        hard = quotas[ns]
        need_cpu = need_memory = 0
        for d in (o for o in objects if o.kind == "Deployment" and o.namespace == ns):
            replicas = _max_replicas(objects, d)
            cpu, memory = _pod_requests(d)
            pods = replicas + _surge(d, replicas)
            need_cpu, need_memory = need_cpu + pods * cpu, need_memory + pods * memory
        cpu_quota = cpu_millicores(hard.get("requests.cpu", 0), ns)
        memory_quota = memory_mib(hard.get("requests.memory", 0), ns)
        if need_cpu > cpu_quota or need_memory > memory_quota:
            yield Finding(env, f"ResourceQuota {ns}/tenant-quota", "spec.hard",
                          f"the apps in {ns} at their maximum replicas plus a rolling update's surge request {need_cpu}m CPU and "
                          f"{need_memory}Mi, more than the quota ({cpu_quota}m, {memory_quota}Mi)",
                          "give the team a larger teams[].quota in platform.yaml, raise the app capacity, or lower the apps' requests or maxReplicas")
