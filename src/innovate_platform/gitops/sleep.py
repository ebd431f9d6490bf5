"""Dev sleep, in-cluster half: CronJobs scale the apps to zero at night and restore them in the morning.

The AWS half (node groups to zero and back) runs from the same `sleep.timeline()`, offset so
that workloads leave first and Karpenter can empty its nodes before the node groups go.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Environment, Platform
from .charts import ChartWorkload, chart_workload
from .objects import SYSTEM_NODE_SELECTOR, SYSTEM_TOLERATIONS, Obj, meta, role_with_binding
from .platform_namespaces import api_server_egress, controller_namespace

SLEEP_NAMESPACE = "innovate-sleep"
SERVICE_ACCOUNT = "workload-sleep"
# kubectl for the sleep CronJobs (distroless; its entrypoint is kubectl), one per cluster minor, by tag
# and digest (docs/adr/0018-images-pinned-by-digest.md). registry.k8s.io never re-points a tag.
KUBECTL_IMAGES = {
    "1.35": "registry.k8s.io/kubectl:v1.35.3@sha256:8dad99b604a2c0bafe17f53cadf78482d6f667a6da687f385508f5f4e4696d37",
}
UNPINNED_KUBECTL = "registry.k8s.io/kubectl:v{minor}.0"  # no digest: the image-digest rule fails it
NONROOT_UID = 65532
PAUSED_REPLICAS = "autoscaling.keda.sh/paused-replicas"
WEEKDAYS = "1-5"


def kubectl_image(minor: str) -> str:
    """The pinned kubectl image of a cluster minor; a minor without a pin renders by tag alone, which
    `platform-security` reports with the fix (add the minor to KUBECTL_IMAGES)."""
    return KUBECTL_IMAGES.get(minor) or UNPINNED_KUBECTL.format(minor=minor)


def cron(hhmm: str) -> str:
    """A weekday cron schedule at local HH:MM (the CronJob's timeZone makes it local)."""
    hours, minutes = hhmm.split(":")
    return f"{int(minutes)} {int(hours)} * * {WEEKDAYS}"


def _kubectl_args(ns: str, work: ChartWorkload, asleep: bool) -> list[str]:
    if work.autoscaling_mode == "rps":
        # KEDA would scale straight back to its minimum; pausing it at 0 replicas holds the night.
        note = f"{PAUSED_REPLICAS}=0" if asleep else f"{PAUSED_REPLICAS}-"
        args = ["annotate", "scaledobject", work.deployment, note]
        return args + (["--overwrite"] if asleep else []) + [f"--namespace={ns}"]
    # An HPA does nothing while its target has 0 replicas; in the morning it resumes from its minimum.
    replicas = 0 if asleep else work.replicas
    return ["scale", f"deployment/{work.deployment}", f"--replicas={replicas}", f"--namespace={ns}"]


def _container(name: str, image: str, args: list[str]) -> Obj:
    return {
        "name": name,
        "image": image,
        "args": args,
        # kubectl writes its discovery cache under $HOME; the root filesystem is read-only.
        "env": [{"name": "HOME", "value": "/home/kubectl"}],
        "volumeMounts": [{"name": "home", "mountPath": "/home/kubectl"}],
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }


def _cron_job(name: str, schedule: str, timezone: str, containers: list[Obj]) -> Obj:
    pod = {
        "serviceAccountName": SERVICE_ACCOUNT,
        "restartPolicy": "OnFailure",
        "priorityClassName": "innovate-critical",
        # System nodes: the app nodes are gone at night and not back yet in the morning.
        "nodeSelector": SYSTEM_NODE_SELECTOR,
        "tolerations": SYSTEM_TOLERATIONS,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": NONROOT_UID,
            "runAsGroup": NONROOT_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": containers,
        "volumes": [{"name": "home", "emptyDir": {"sizeLimit": "16Mi"}}],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta(name, SLEEP_NAMESPACE),
        "spec": {
            "schedule": schedule,
            "timeZone": timezone,
            # Owned by Flux: a hand-made `suspend: true` (one night's exception) is reset at the
            # next reconciliation instead of silently keeping dev awake for good.
            "suspend": False,
            "concurrencyPolicy": "Forbid",
            # Still run if the controller was briefly unavailable at the scheduled minute.
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 4,
                    "activeDeadlineSeconds": 900,
                    "ttlSecondsAfterFinished": 86400,
                    "template": {"metadata": {"labels": {"app.kubernetes.io/name": name}}, "spec": pod},
                }
            },
        },
    }


def _access(app_namespaces: list[str]) -> list[Obj]:
    """Least privilege: read and scale Deployments (and pause ScaledObjects) in the app namespaces only."""
    out: list[Obj] = [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(SERVICE_ACCOUNT, SLEEP_NAMESPACE)}]
    rules = [
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list"]},
        {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["get", "patch", "update"]},
        {"apiGroups": ["keda.sh"], "resources": ["scaledobjects"], "verbs": ["get", "patch"]},
    ]
    subject = {"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": SLEEP_NAMESPACE}
    for ns in app_namespaces:
        out += role_with_binding(SERVICE_ACCOUNT, ns, rules, subject)
    return out


def render_sleep(platform: Platform, env: Environment, base_dir: Path) -> list[Obj]:
    """The sleep namespace, its RBAC and the two CronJobs; nothing if the environment never sleeps."""
    if env.sleep is None:
        return []
    steps = env.sleep.timeline()
    image = kubectl_image(platform.versions.kubernetes)
    works = [(app, chart_workload(base_dir, app, env)) for app in platform.apps]
    down = [_container(app.name, image, _kubectl_args(app.namespace, w, asleep=True)) for app, w in works]
    up = [_container(app.name, image, _kubectl_args(app.namespace, w, asleep=False)) for app, w in works]
    return (
        [controller_namespace(platform, SLEEP_NAMESPACE)]
        + api_server_egress(env, SLEEP_NAMESPACE)
        + _access(sorted({a.namespace for a in platform.apps}))
        + [
            _cron_job("workloads-down", cron(steps["workloads_down"]), env.sleep.timezone, down),
            _cron_job("workloads-up", cron(steps["workloads_up"]), env.sleep.timezone, up),
        ]
    )
