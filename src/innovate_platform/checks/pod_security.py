"""Pod Security Standards (baseline and restricted) checked offline on manifests.

Follows the upstream definitions (kubernetes.io/docs/concepts/security/pod-security-standards,
the "latest" version enforced by Kubernetes 1.36) and names each rule after the Pod Security
Admission check that enforces it. Every violation names the field and the fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

LEVELS = ("privileged", "baseline", "restricted")

# Where the pod spec lives in each workload kind (a pod spec path, relative to the object).
_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

BASELINE_CAPABILITIES = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
     "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)
SAFE_SYSCTLS = frozenset(
    {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
     "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
     "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
     "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
)
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
RESTRICTED_VOLUME_TYPES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
_APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


@dataclass(frozen=True)
class Violation:
    """One broken Pod Security rule: the PSA check name, the offending field, and the fix."""

    rule: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.rule}]"


def _pod_spec_path(obj: dict) -> tuple[str, ...] | None:
    return _POD_SPEC_PATHS.get(obj.get("kind", "")) if isinstance(obj, dict) else None


def pod_spec_of(obj: dict) -> dict | None:
    """The pod spec of a Pod or workload (its template's spec), or None for any other object."""
    path = _pod_spec_path(obj)
    if path is None:
        return None
    node = _walk(obj, path)
    return node if isinstance(node, dict) else None


def _mapping(value: Any, path: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{path}: expected a mapping, got {type(value).__name__}")
    return value


def _sequence(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{path}: expected a list, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class _Container:
    path: str  # e.g. spec.template.spec.containers[0]
    name: str
    spec: dict
    sc: dict  # its securityContext ({} when unset)


class _Pod:
    """A pod spec, its template's annotations and its containers, each with its field path."""

    def __init__(self, obj: dict, spec_path: tuple[str, ...]) -> None:
        self.prefix = ".".join(spec_path)
        self.spec = _mapping(_walk(obj, spec_path), self.prefix)
        self.sc = _mapping(self.spec.get("securityContext"), f"{self.prefix}.securityContext")
        meta_path = spec_path[:-1] + ("metadata",)  # the template's (or the Pod's) metadata
        self.annotations_path = ".".join(meta_path + ("annotations",))
        self.annotations = _mapping(_walk(obj, meta_path + ("annotations",)), self.annotations_path)
        self.windows = _mapping(self.spec.get("os"), f"{self.prefix}.os").get("name") == "windows"
        self.containers: list[_Container] = []
        for field in _CONTAINER_LISTS:
            for i, c in enumerate(_sequence(self.spec.get(field), f"{self.prefix}.{field}")):
                cpath = f"{self.prefix}.{field}[{i}]"
                c = _mapping(c, cpath)
                sc = _mapping(c.get("securityContext"), f"{cpath}.securityContext")
                self.containers.append(_Container(cpath, str(c.get("name", "")), c, sc))

    def security_contexts(self) -> list[tuple[str, dict]]:
        """The pod's and every container's securityContext, with their paths."""
        return [(f"{self.prefix}.securityContext", self.sc)] + [
            (f"{c.path}.securityContext", c.sc) for c in self.containers
        ]


def _walk(obj: dict, path: tuple[str, ...]) -> Any:
    node: Any = obj
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


# --- baseline -------------------------------------------------------------------------------


def _host_process(pod: _Pod) -> Iterator[Violation]:
    for path, sc in pod.security_contexts():
        if _mapping(sc.get("windowsOptions"), f"{path}.windowsOptions").get("hostProcess") is True:
            yield Violation("hostProcess", f"{path}.windowsOptions.hostProcess",
                            "Windows HostProcess containers get privileged host access: remove hostProcess or set it to false")


def _host_namespaces(pod: _Pod) -> Iterator[Violation]:
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.spec.get(field) is True:
            yield Violation("hostNamespaces", f"{pod.prefix}.{field}",
                            f"sharing the host's namespaces is forbidden: remove {field} or set it to false")


def _privileged(pod: _Pod) -> Iterator[Violation]:
    for c in pod.containers:
        if c.sc.get("privileged") is True:
            yield Violation("privileged", f"{c.path}.securityContext.privileged",
                            f"container {c.name!r} is privileged: remove privileged or set it to false")


def _capabilities_add(c: _Container) -> list:
    path = f"{c.path}.securityContext.capabilities"
    return _sequence(_mapping(c.sc.get("capabilities"), path).get("add"), f"{path}.add")


def _capabilities_baseline(pod: _Pod) -> Iterator[Violation]:
    for c in pod.containers:
        for j, cap in enumerate(_capabilities_add(c)):
            if cap not in BASELINE_CAPABILITIES:
                yield Violation("capabilities_baseline", f"{c.path}.securityContext.capabilities.add[{j}]",
                                f"capability {cap!r} is beyond the baseline set: remove it "
                                f"(allowed: {', '.join(sorted(BASELINE_CAPABILITIES))})")


def _volumes(pod: _Pod) -> Iterator[tuple[str, dict]]:
    for i, v in enumerate(_sequence(pod.spec.get("volumes"), f"{pod.prefix}.volumes")):
        path = f"{pod.prefix}.volumes[{i}]"
        yield path, _mapping(v, path)


def _host_path_volumes(pod: _Pod) -> Iterator[Violation]:
    for path, v in _volumes(pod):
        if v.get("hostPath") is not None:
            yield Violation("hostPathVolumes", f"{path}.hostPath",
                            f"volume {v.get('name')!r} mounts a host path: use an emptyDir, configMap, secret or PVC")


def _host_ports(pod: _Pod) -> Iterator[Violation]:
    for c in pod.containers:
        for j, port in enumerate(_sequence(c.spec.get("ports"), f"{c.path}.ports")):
            host_port = _mapping(port, f"{c.path}.ports[{j}]").get("hostPort")
            if host_port not in (None, 0):
                yield Violation("hostPorts", f"{c.path}.ports[{j}].hostPort",
                                f"host port {host_port} binds the node's network: remove hostPort and use a Service")


def _app_armor(pod: _Pod) -> Iterator[Violation]:
    for path, sc in pod.security_contexts():
        kind = _mapping(sc.get("appArmorProfile"), f"{path}.appArmorProfile").get("type")
        if kind not in (None, "RuntimeDefault", "Localhost"):
            yield Violation("appArmorProfile", f"{path}.appArmorProfile.type",
                            f"AppArmor profile {kind!r} disables confinement: use RuntimeDefault or Localhost")
    for key, value in sorted(pod.annotations.items()):
        if key.startswith(_APPARMOR_ANNOTATION) and not (value == "runtime/default" or str(value).startswith("localhost/")):
            yield Violation("appArmorProfile", f"{pod.annotations_path}['{key}']",
                            f"AppArmor profile {value!r} disables confinement: use runtime/default or localhost/<profile>")


def _se_linux(pod: _Pod) -> Iterator[Violation]:
    for path, sc in pod.security_contexts():
        opts = _mapping(sc.get("seLinuxOptions"), f"{path}.seLinuxOptions")
        if opts.get("type", "") not in SELINUX_TYPES:
            yield Violation("seLinuxOptions", f"{path}.seLinuxOptions.type",
                            f"SELinux type {opts['type']!r} is not allowed: use one of "
                            f"{', '.join(sorted(t for t in SELINUX_TYPES if t))} or leave it unset")
        for field in ("user", "role"):
            if opts.get(field):
                yield Violation("seLinuxOptions", f"{path}.seLinuxOptions.{field}",
                                f"a custom SELinux {field} is forbidden: remove seLinuxOptions.{field}")


def _proc_mount(pod: _Pod) -> Iterator[Violation]:
    for c in pod.containers:
        if c.sc.get("procMount") not in (None, "Default"):
            yield Violation("procMount", f"{c.path}.securityContext.procMount",
                            f"procMount {c.sc['procMount']!r} unmasks /proc: remove it or set Default")


def _seccomp_type(sc: dict, path: str) -> Any:
    return _mapping(sc.get("seccompProfile"), f"{path}.seccompProfile").get("type")


def _seccomp_baseline(pod: _Pod) -> Iterator[Violation]:
    for path, sc in pod.security_contexts():
        if _seccomp_type(sc, path) == "Unconfined":
            yield Violation("seccompProfile_baseline", f"{path}.seccompProfile.type",
                            "seccomp Unconfined is forbidden: use RuntimeDefault")


def _sysctls(pod: _Pod) -> Iterator[Violation]:
    path = f"{pod.prefix}.securityContext.sysctls"
    for i, s in enumerate(_sequence(pod.sc.get("sysctls"), path)):
        name = _mapping(s, f"{path}[{i}]").get("name")
        if name not in SAFE_SYSCTLS:
            yield Violation("sysctls", f"{path}[{i}].name",
                            f"sysctl {name!r} is not in the safe set: remove it (safe: {', '.join(sorted(SAFE_SYSCTLS))})")


# --- restricted -----------------------------------------------------------------------------


def _restricted_volumes(pod: _Pod) -> Iterator[Violation]:
    for path, v in _volumes(pod):
        for source in sorted(set(v) - {"name"} - RESTRICTED_VOLUME_TYPES):
            yield Violation("restrictedVolumes", f"{path}.{source}",
                            f"volume {v.get('name')!r} uses {source}: restricted pods may only use "
                            f"{', '.join(sorted(RESTRICTED_VOLUME_TYPES))} (use a PVC for storage)")


def _allow_privilege_escalation(pod: _Pod) -> Iterator[Violation]:
    if pod.windows:
        return
    for c in pod.containers:
        if c.sc.get("allowPrivilegeEscalation") is not False:
            yield Violation("allowPrivilegeEscalation", f"{c.path}.securityContext.allowPrivilegeEscalation",
                            f"container {c.name!r} may gain privileges (setuid): set allowPrivilegeEscalation: false")


def _run_as_non_root(pod: _Pod) -> Iterator[Violation]:
    pod_value = pod.sc.get("runAsNonRoot")
    if pod_value is False:
        yield Violation("runAsNonRoot", f"{pod.prefix}.securityContext.runAsNonRoot",
                        "runAsNonRoot: false lets containers run as root: set it to true")
    for c in pod.containers:
        value = c.sc.get("runAsNonRoot")
        if value is False or (value is None and pod_value is not True):
            yield Violation("runAsNonRoot", f"{c.path}.securityContext.runAsNonRoot",
                            f"container {c.name!r} may run as root: set runAsNonRoot: true "
                            f"(here or in {pod.prefix}.securityContext)")


def _run_as_user(pod: _Pod) -> Iterator[Violation]:
    for path, sc in pod.security_contexts():
        if sc.get("runAsUser") == 0:
            yield Violation("runAsUser", f"{path}.runAsUser", "runAsUser 0 is root: use a non-zero numeric UID")


def _seccomp_restricted(pod: _Pod) -> Iterator[Violation]:
    if pod.windows:
        return
    ok = ("RuntimeDefault", "Localhost")
    pod_type = _seccomp_type(pod.sc, f"{pod.prefix}.securityContext")
    for c in pod.containers:
        path = f"{c.path}.securityContext"
        kind = _seccomp_type(c.sc, path)
        if kind is None and pod_type in ok:
            continue
        if kind not in ok:
            yield Violation("seccompProfile_restricted", f"{path}.seccompProfile.type",
                            f"container {c.name!r} has no RuntimeDefault/Localhost seccomp profile: set "
                            f"seccompProfile.type: RuntimeDefault here or in {pod.prefix}.securityContext")


def _capabilities_restricted(pod: _Pod) -> Iterator[Violation]:
    if pod.windows:
        return
    for c in pod.containers:
        caps_path = f"{c.path}.securityContext.capabilities"
        drop = _sequence(_mapping(c.sc.get("capabilities"), caps_path).get("drop"), f"{caps_path}.drop")
        if "ALL" not in drop:
            yield Violation("capabilities_restricted", f"{caps_path}.drop",
                            f"container {c.name!r} keeps the default capabilities: set capabilities.drop: [\"ALL\"]")
        for j, cap in enumerate(_capabilities_add(c)):
            if cap != "NET_BIND_SERVICE":
                yield Violation("capabilities_restricted", f"{caps_path}.add[{j}]",
                                f"capability {cap!r} may not be added: restricted pods may add only NET_BIND_SERVICE")


BASELINE_CHECKS = (_host_process, _host_namespaces, _privileged, _capabilities_baseline, _host_path_volumes,
                   _host_ports, _app_armor, _se_linux, _proc_mount, _seccomp_baseline, _sysctls)
RESTRICTED_CHECKS = (_restricted_volumes, _allow_privilege_escalation, _run_as_non_root, _run_as_user,
                     _seccomp_restricted, _capabilities_restricted)


def check_pod_security(obj: dict, level: str = "restricted") -> list[Violation]:
    """Violations of the Pod Security Standard `level` in a Pod or workload; [] for objects without pods.

    Raises ValueError (naming the field) when the pod spec is malformed or the level is unknown.
    """
    if level not in LEVELS:
        raise ValueError(f"level: {level!r} is not one of {', '.join(LEVELS)}")
    path = _pod_spec_path(obj)
    if path is None or pod_spec_of(obj) is None or level == "privileged":
        return []
    pod = _Pod(obj, path)
    checks = BASELINE_CHECKS + (RESTRICTED_CHECKS if level == "restricted" else ())
    return [v for check in checks for v in check(pod)]
