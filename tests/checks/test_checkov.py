"""checkov runs offline from .venv-checkov: a deliberately bad manifest fails, every skip has a reason,
and a missing installation is one line saying `make setup`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from innovate_platform.checks import checkov, runner
from innovate_platform.checks.inputs import CheckInputs
from innovate_platform.checks.model import BROKEN, ERROR, Check, CheckUnavailable

ROOT = Path(__file__).resolve().parents[2]
BAD_POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "miner", "namespace": "api"}, "spec": {
    "hostNetwork": True,
    "containers": [{"name": "miner", "image": "busybox:1.37.0", "securityContext": {"privileged": True}}]}}


def binary() -> Path:
    try:
        return checkov.checkov_binary(ROOT)
    except CheckUnavailable as exc:
        pytest.fail(f"{exc} (scripts/setup.sh creates .venv-checkov from requirements-checkov.lock)")


SOCKET_GUARD = """
import socket
def _refuse(*args, **kwargs):
    with open({log!r}, "a") as log:
        log.write(repr(args[1:] or args) + "\\n")
    raise OSError("network disabled by the test")
socket.socket.connect = _refuse
socket.getaddrinfo = _refuse
"""


def test_a_bad_manifest_fails_checkov_even_with_the_repository_skips_and_offline(tmp_path, monkeypatch):
    guard, log = tmp_path / "guard", tmp_path / "network.log"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(SOCKET_GUARD.format(log=str(log)))
    monkeypatch.setenv("PYTHONPATH", str(guard))  # checkov's interpreter records and refuses every connection
    tmp_path = tmp_path / "scan"
    staged = tmp_path / "prod" / "gitops" / "apps" / "prod" / "miner.yaml"
    staged.parent.mkdir(parents=True)
    staged.write_text(yaml.safe_dump(BAD_POD))
    origin = {"prod/gitops/apps/prod/miner.yaml": ("prod", "gitops/apps/prod/miner.yaml")}
    reports, seconds = checkov.scan(binary(), tmp_path, ["kubernetes"], ROOT / checkov.CONFIG)
    findings = checkov.report_findings(reports, origin)
    ids = {f.message.split()[0] for f in findings}
    assert {"CKV_K8S_16", "CKV_K8S_19", "CKV_K8S_43"} <= ids  # privileged, host network, image without digest
    privileged = next(f for f in findings if f.message.startswith("CKV_K8S_16"))
    assert (privileged.env, privileged.resource, privileged.severity) == ("prod", "gitops/apps/prod/miner.yaml: Pod.api.miner", ERROR)
    assert privileged.field.startswith("lines ") and checkov.CONFIG in privileged.fix
    assert seconds > 0
    assert not log.exists(), f"checkov tried the network: {log.read_text()}"


def test_the_image_digest_rule_runs_and_only_the_charts_reasoned_annotation_skips_it(tmp_path):
    """CKV_K8S_43 is not skipped repository-wide: a public image by tag fails, the same pod pinned by
    digest passes, and our chart's per-workload annotation (image by immutable ECR tag) is honoured."""
    digest = "sha256:" + "ab" * 32
    pods = {"tag": "busybox:1.37.0", "digest": f"busybox:1.37.0@{digest}", "annotated": "busybox:1.37.0"}
    origin = {}
    for name, image in pods.items():
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "api"},
               "spec": {"containers": [{"name": "c", "image": image}]}}
        if name == "annotated":
            pod["metadata"]["annotations"] = {"checkov.io/skip1": "CKV_K8S_43=our ECR image by its immutable tag"}
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(pod))
        origin[f"{name}.yaml"] = ("prod", f"{name}.yaml")
    reports, _ = checkov.scan(binary(), tmp_path, ["kubernetes"], ROOT / checkov.CONFIG)
    failed = {f.resource.split(":")[0] for f in checkov.report_findings(reports, origin) if f.message.startswith("CKV_K8S_43")}
    assert failed == {"tag.yaml"}


def test_every_skip_in_the_repository_has_a_reason():
    skips = checkov.read_skips(ROOT / checkov.CONFIG)
    assert skips, "the repository's .checkov.yaml lists its skips"
    assert [s.check_id for s in skips if len(s.reason) < 10] == []
    assert [f for f in checkov.skip_findings(ROOT / checkov.CONFIG, skips) if f.severity == ERROR] == []


def test_a_skip_without_a_reason_fails(tmp_path):
    config = tmp_path / ".checkov.yaml"
    config.write_text("skip-check:\n  - CKV_K8S_16  # privileged is fine here because the node is ours\n  - CKV_K8S_19\n")
    findings = checkov.skip_findings(config, checkov.read_skips(config))
    assert [(f.field, f.severity) for f in findings if f.severity == ERROR] == [("skip-check CKV_K8S_19", ERROR)]


def test_without_checkov_the_check_reports_error_with_one_line(tmp_path, platform):
    inputs = CheckInputs(platform, tmp_path, ("shared",), tools_root=tmp_path)
    with pytest.raises(CheckUnavailable, match=r"run `make setup`"):
        checkov.run(inputs, ("shared",))
    missing = Check("checkov", "", checkov.run, per_env=False)
    results = runner._results(missing, ("shared",), runner._timed(missing, inputs, ("shared",)))
    assert [(r.status, len(r.findings)) for r in results] == [(BROKEN, 1)]
    assert "\n" not in results[0].findings[0].message and results[0].findings[0].fix == "run `make setup`"
    inputs.close()


def test_a_per_resource_skip_annotation_is_a_note_and_one_with_an_equals_sign_or_no_reason_fails():
    from innovate_platform.checks.checkov_annotations import annotation_findings
    from innovate_platform.checks.model import NOTE

    def pod(name, value):
        return {"kind": "Pod", "metadata": {"name": name, "namespace": "api", "annotations": {"checkov.io/skip1": value}}}

    found = annotation_findings("prod", "charts/api (values-prod.yaml)", [
        pod("reasoned", "CKV_K8S_43=our ECR image by its immutable tag"),
        pod("equals", "CKV_K8S_43=pinned with image.digest=sha256 later"),
        pod("bare", "CKV_K8S_43")])
    assert [(f.resource.split(": ")[1], f.severity) for f in found] == [
        ("Pod api/reasoned", NOTE), ("Pod api/equals", ERROR), ("Pod api/bare", ERROR)]
    assert "skipped on this resource: our ECR image by its immutable tag" in found[0].message
    assert "contains '='" in found[1].message


def test_the_rendered_skip_annotations_have_reasons_without_an_equals_sign(platform):
    """checkov 3.3.30 reads `checkov.io/skipN: ID=reason` with `id, reason = value.split("=")`:
    a reason with '=' breaks it. Every annotation our charts and the GitOps tree render is a note."""
    import os

    from innovate_platform.checks.checkov_annotations import skip_annotations

    envs = ("dev", "staging", "prod")
    inputs = CheckInputs(platform, ROOT, envs, charts_dir=Path(os.environ["INNOVATE_CHARTS"]))
    try:
        found = checkov.annotation_skips(inputs, envs)
        values = [v for env in envs for file in inputs.charts().for_env(env) + inputs.gitops().for_env(env)
                  for obj in file.objects() for _, v in skip_annotations(obj)]
    finally:
        inputs.close()
    assert values and all(v.count("=") == 1 for v in values), values
    assert [f for f in found if f.severity == ERROR] == []
    assert {f.env for f in found if f.message.startswith("CKV_K8S_43 skipped on this resource")} == set(envs)
    assert all(s.reason.count("=") == 0 for s in checkov.read_skips(ROOT / checkov.CONFIG))
