"""Pod Security Standards checker: every rule catches its violation and passes its compliant form."""

from __future__ import annotations

import copy

import pytest

from innovate_platform.checks.pod_security import Violation, check_pod_security, pod_spec_of


def restricted_pod() -> dict:
    """A minimal pod that meets "restricted" (and therefore "baseline")."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "app"},
        "spec": {
            "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                {
                    "name": "app",
                    "image": "registry.example/app:1.0.0",
                    "ports": [{"containerPort": 8080}],
                    "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                }
            ],
            "volumes": [{"name": "tmp", "emptyDir": {}}],
        },
    }


def pod_with(mutate) -> dict:
    pod = restricted_pod()
    mutate(pod)
    return pod


def spec(pod):
    return pod["spec"]


def container_sc(pod):
    return pod["spec"]["containers"][0]["securityContext"]


# (rule, level where it applies, mutation that breaks it, field path reported)
VIOLATIONS = [
    ("hostProcess", "baseline",
     lambda p: spec(p)["securityContext"].update(windowsOptions={"hostProcess": True}),
     "spec.securityContext.windowsOptions.hostProcess"),
    ("hostProcess", "baseline",
     lambda p: container_sc(p).update(windowsOptions={"hostProcess": True}),
     "spec.containers[0].securityContext.windowsOptions.hostProcess"),
    ("hostNamespaces", "baseline", lambda p: spec(p).update(hostNetwork=True), "spec.hostNetwork"),
    ("hostNamespaces", "baseline", lambda p: spec(p).update(hostPID=True), "spec.hostPID"),
    ("hostNamespaces", "baseline", lambda p: spec(p).update(hostIPC=True), "spec.hostIPC"),
    ("privileged", "baseline", lambda p: container_sc(p).update(privileged=True),
     "spec.containers[0].securityContext.privileged"),
    ("capabilities_baseline", "baseline",
     lambda p: container_sc(p)["capabilities"].update(add=["SYS_ADMIN"]),
     "spec.containers[0].securityContext.capabilities.add[0]"),
    ("hostPathVolumes", "baseline",
     lambda p: spec(p)["volumes"].append({"name": "host", "hostPath": {"path": "/var/run"}}),
     "spec.volumes[1].hostPath"),
    ("hostPorts", "baseline",
     lambda p: spec(p)["containers"][0]["ports"][0].update(hostPort=8080),
     "spec.containers[0].ports[0].hostPort"),
    ("appArmorProfile", "baseline",
     lambda p: container_sc(p).update(appArmorProfile={"type": "Unconfined"}),
     "spec.containers[0].securityContext.appArmorProfile.type"),
    ("appArmorProfile", "baseline",
     lambda p: p["metadata"].update(annotations={"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}),
     "metadata.annotations['container.apparmor.security.beta.kubernetes.io/app']"),
    ("seLinuxOptions", "baseline",
     lambda p: spec(p)["securityContext"].update(seLinuxOptions={"type": "spc_t"}),
     "spec.securityContext.seLinuxOptions.type"),
    ("seLinuxOptions", "baseline",
     lambda p: container_sc(p).update(seLinuxOptions={"user": "system_u"}),
     "spec.containers[0].securityContext.seLinuxOptions.user"),
    ("procMount", "baseline", lambda p: container_sc(p).update(procMount="Unmasked"),
     "spec.containers[0].securityContext.procMount"),
    ("seccompProfile_baseline", "baseline",
     lambda p: container_sc(p).update(seccompProfile={"type": "Unconfined"}),
     "spec.containers[0].securityContext.seccompProfile.type"),
    ("sysctls", "baseline",
     lambda p: spec(p)["securityContext"].update(sysctls=[{"name": "kernel.msgmax", "value": "65536"}]),
     "spec.securityContext.sysctls[0].name"),
    ("restrictedVolumes", "restricted",
     lambda p: spec(p)["volumes"].append({"name": "nfs", "nfs": {"server": "10.0.0.1", "path": "/"}}),
     "spec.volumes[1].nfs"),
    ("allowPrivilegeEscalation", "restricted", lambda p: container_sc(p).pop("allowPrivilegeEscalation"),
     "spec.containers[0].securityContext.allowPrivilegeEscalation"),
    ("allowPrivilegeEscalation", "restricted", lambda p: container_sc(p).update(allowPrivilegeEscalation=True),
     "spec.containers[0].securityContext.allowPrivilegeEscalation"),
    ("runAsNonRoot", "restricted", lambda p: spec(p)["securityContext"].pop("runAsNonRoot"),
     "spec.containers[0].securityContext.runAsNonRoot"),
    ("runAsNonRoot", "restricted", lambda p: container_sc(p).update(runAsNonRoot=False),
     "spec.containers[0].securityContext.runAsNonRoot"),
    ("runAsUser", "restricted", lambda p: container_sc(p).update(runAsUser=0),
     "spec.containers[0].securityContext.runAsUser"),
    ("runAsUser", "restricted", lambda p: spec(p)["securityContext"].update(runAsUser=0),
     "spec.securityContext.runAsUser"),
    ("seccompProfile_restricted", "restricted", lambda p: spec(p)["securityContext"].pop("seccompProfile"),
     "spec.containers[0].securityContext.seccompProfile.type"),
    ("capabilities_restricted", "restricted", lambda p: container_sc(p).pop("capabilities"),
     "spec.containers[0].securityContext.capabilities.drop"),
    ("capabilities_restricted", "restricted",
     lambda p: container_sc(p)["capabilities"].update(add=["CHOWN"]),
     "spec.containers[0].securityContext.capabilities.add[0]"),
]


@pytest.mark.parametrize(("rule", "level", "mutate", "path"), VIOLATIONS, ids=[f"{v[0]}:{v[3]}" for v in VIOLATIONS])
def test_each_rule_catches_its_violation_and_names_the_field(rule, level, mutate, path):
    found = check_pod_security(pod_with(mutate), "restricted")

    assert Violation in {type(v) for v in found}
    assert (rule, path) in {(v.rule, v.path) for v in found}
    message = next(v.message for v in found if (v.rule, v.path) == (rule, path))
    assert ":" in message and len(message) > 30  # says what is wrong and the fix
    at_baseline = {(v.rule, v.path) for v in check_pod_security(pod_with(mutate), "baseline")}
    assert ((rule, path) in at_baseline) == (level == "baseline")


# Allowed values at the edge of each rule: none may be reported at "restricted".
COMPLIANT = {
    "hostProcess false": lambda p: container_sc(p).update(windowsOptions={"hostProcess": False}),
    "host namespaces false": lambda p: spec(p).update(hostNetwork=False, hostPID=False, hostIPC=False),
    "privileged false": lambda p: container_sc(p).update(privileged=False),
    "add NET_BIND_SERVICE": lambda p: container_sc(p)["capabilities"].update(add=["NET_BIND_SERVICE"]),
    "hostPort 0": lambda p: spec(p)["containers"][0]["ports"][0].update(hostPort=0),
    "AppArmor RuntimeDefault and Localhost": lambda p: (
        spec(p)["securityContext"].update(appArmorProfile={"type": "RuntimeDefault"}),
        container_sc(p).update(appArmorProfile={"type": "Localhost", "localhostProfile": "k8s-app"}),
        p["metadata"].update(annotations={"container.apparmor.security.beta.kubernetes.io/app": "localhost/k8s-app"}),
    ),
    "SELinux container_t": lambda p: container_sc(p).update(seLinuxOptions={"type": "container_t", "level": "s0:c1"}),
    "procMount Default": lambda p: container_sc(p).update(procMount="Default"),
    "seccomp Localhost in the container": lambda p: container_sc(p).update(
        seccompProfile={"type": "Localhost", "localhostProfile": "profiles/app.json"}),
    "safe sysctls": lambda p: spec(p)["securityContext"].update(
        sysctls=[{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"},
                 {"name": "net.ipv4.tcp_keepalive_time", "value": "60"}]),
    "restricted volume types": lambda p: spec(p)["volumes"].extend([
        {"name": "cm", "configMap": {"name": "x"}}, {"name": "s", "secret": {"secretName": "x"}},
        {"name": "pvc", "persistentVolumeClaim": {"claimName": "x"}}, {"name": "dapi", "downwardAPI": {"items": []}},
        {"name": "token", "projected": {"sources": []}}, {"name": "csi", "csi": {"driver": "x"}},
        {"name": "eph", "ephemeral": {"volumeClaimTemplate": {"spec": {}}}}]),
    "runAsNonRoot only in the container": lambda p: (
        spec(p)["securityContext"].pop("runAsNonRoot"), container_sc(p).update(runAsNonRoot=True)),
    "seccomp only in the container": lambda p: (
        spec(p)["securityContext"].pop("seccompProfile"), container_sc(p).update(seccompProfile={"type": "RuntimeDefault"})),
    "runAsUser unset": lambda p: spec(p)["securityContext"].pop("runAsUser"),
    "Windows pod needs no Linux-only fields": lambda p: (
        spec(p).update(os={"name": "windows"}), spec(p)["securityContext"].pop("seccompProfile"),
        container_sc(p).pop("allowPrivilegeEscalation"), container_sc(p).pop("capabilities")),
}


@pytest.mark.parametrize("mutate", COMPLIANT.values(), ids=COMPLIANT.keys())
def test_compliant_pods_pass(mutate):
    assert check_pod_security(pod_with(mutate), "restricted") == []


def test_a_default_pod_meets_baseline_but_not_restricted():
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}
    assert check_pod_security(pod, "baseline") == []
    assert {v.rule for v in check_pod_security(pod)} == {
        "allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile_restricted", "capabilities_restricted"}
    assert check_pod_security(pod, "privileged") == []


def test_init_and_ephemeral_containers_are_checked_too():
    pod = restricted_pod()
    spec(pod)["initContainers"] = [{"name": "migrate", "image": "x:1", "securityContext": {"privileged": True}}]
    spec(pod)["ephemeralContainers"] = [{"name": "debug", "image": "x:1", "securityContext": {"runAsUser": 0}}]
    paths = {v.path for v in check_pod_security(pod)}
    assert "spec.initContainers[0].securityContext.privileged" in paths
    assert "spec.ephemeralContainers[0].securityContext.runAsUser" in paths


def template(kind: str, pod: dict) -> dict:
    tpl = {"metadata": {"labels": {"app": "x"}, **pod["metadata"]}, "spec": pod["spec"]}
    if kind == "CronJob":
        return {"kind": kind, "metadata": {"name": "x"}, "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": tpl}}}}
    return {"kind": kind, "metadata": {"name": "x"}, "spec": {"template": tpl}}


@pytest.mark.parametrize(("kind", "prefix"), [
    ("Deployment", "spec.template"), ("StatefulSet", "spec.template"), ("DaemonSet", "spec.template"),
    ("ReplicaSet", "spec.template"), ("Job", "spec.template"), ("CronJob", "spec.jobTemplate.spec.template"),
])
def test_workload_templates_are_found_and_paths_point_into_them(kind, prefix):
    good = template(kind, restricted_pod())
    assert pod_spec_of(good) is good_spec(good, prefix)
    assert check_pod_security(good) == []

    bad_pod = pod_with(lambda p: (container_sc(p).update(allowPrivilegeEscalation=True), p["metadata"].update(
        annotations={"container.apparmor.security.beta.kubernetes.io/app": "unconfined"})))
    paths = {v.path for v in check_pod_security(template(kind, bad_pod))}
    assert paths == {f"{prefix}.spec.containers[0].securityContext.allowPrivilegeEscalation",
                     f"{prefix}.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app']"}


def good_spec(obj: dict, prefix: str) -> dict:
    node = obj
    for key in prefix.split(".") + ["spec"]:
        node = node[key]
    return node


def test_objects_without_pods_have_nothing_to_check():
    assert pod_spec_of({"kind": "Service", "spec": {"ports": []}}) is None
    assert check_pod_security({"kind": "ConfigMap", "data": {}}) == []


def test_a_malformed_pod_spec_or_level_is_a_clear_error_naming_the_field():
    broken = copy.deepcopy(restricted_pod())
    spec(broken)["containers"] = "app"
    with pytest.raises(ValueError, match=r"^spec\.containers: expected a list"):
        check_pod_security(broken)
    broken = pod_with(lambda p: container_sc(p).update(capabilities=["ALL"]))
    with pytest.raises(ValueError, match=r"spec\.containers\[0\]\.securityContext\.capabilities: expected a mapping"):
        check_pod_security(broken)
    with pytest.raises(ValueError, match="level: 'strict' is not one of privileged, baseline, restricted"):
        check_pod_security(restricted_pod(), "strict")
