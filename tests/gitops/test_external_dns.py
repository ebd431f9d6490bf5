"""external-dns as Flux installs it: the real upstream chart (../shared/upstream-charts) rendered
by real helm with the committed HelmRelease's values after cluster-vars substitution."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import HELM, REPO

CHART = REPO.parent / "shared" / "upstream-charts" / "external-dns-1.21.1.tgz"


def release(objects, select, env) -> dict:
    (hr,) = select(objects[env], "HelmRelease", "external-dns", "kube-system")
    return hr


def render(values: dict, tmp_path: Path) -> list[dict]:
    if not CHART.exists():
        pytest.fail(f"{CHART} is missing: the upstream charts live in ../shared/upstream-charts")
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    result = subprocess.run([str(HELM), "template", "external-dns", str(CHART), "-n", "kube-system", "-f", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr  # the chart's values.schema.json is enforced here
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def args_of(objects: list[dict]) -> list[str]:
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container["args"]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_the_chart_publishes_ingress_hosts_into_the_one_zone_with_txt_ownership(env, objects, select, platform, tmp_path):
    hr = release(objects, select, env)
    assert hr["spec"]["chart"]["spec"]["version"] == platform.versions.charts["external-dns"] == "1.21.1"
    dns = platform.env(env).dns
    rendered = render(hr["spec"]["values"], tmp_path)
    args = args_of(rendered)
    assert "--provider=aws" in args and "--registry=txt" in args
    assert [a for a in args if a.startswith("--source=")] == ["--source=ingress"]
    assert f"--txt-owner-id=innovate-{env}" in args
    assert f"--domain-filter={dns.zone_name}" in args
    assert f"--zone-id-filter={dns.zone_id}" in args and "--aws-zone-type=public" in args
    assert f"--policy={'upsert-only' if env == 'prod' else 'sync'}" in args
    (account,) = [o for o in rendered if o["kind"] == "ServiceAccount"]
    assert account["metadata"]["name"] == "external-dns"
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == \
        f"arn:aws:iam::{platform.env(env).account}:role/innovate-{env}-external-dns"


def test_each_value_changes_what_the_chart_renders(objects, select, tmp_path):
    """Helm ignores unknown keys silently: without each of our values, the rendered args differ."""
    values = release(objects, select, "dev")["spec"]["values"]
    ours = args_of(render(values, tmp_path))
    for key in ("sources", "policy", "txtOwnerId", "domainFilters", "extraArgs"):
        without = {k: v for k, v in values.items() if k != key}
        assert args_of(render(without, tmp_path)) != ours, f"{key} has no effect on the chart"
    without_sa = {k: v for k, v in values.items() if k != "serviceAccount"}
    accounts = [o for o in render(without_sa, tmp_path) if o["kind"] == "ServiceAccount"]
    assert "annotations" not in accounts[0]["metadata"] or not accounts[0]["metadata"]["annotations"]


def test_prod_never_deletes_records_and_dev_cleans_up(objects, select, tmp_path):
    prod = args_of(render(release(objects, select, "prod")["spec"]["values"], tmp_path))
    dev = args_of(render(release(objects, select, "dev")["spec"]["values"], tmp_path))
    assert "--policy=upsert-only" in prod and "--policy=sync" not in prod
    assert "--policy=sync" in dev


def test_external_dns_runs_on_system_nodes(objects, select, tmp_path):
    rendered = render(release(objects, select, "prod")["spec"]["values"], tmp_path)
    (deployment,) = [o for o in rendered if o["kind"] == "Deployment"]
    spec = deployment["spec"]["template"]["spec"]
    assert spec["nodeSelector"] == {"role": "system"}
    assert {"key": "CriticalAddonsOnly", "operator": "Exists"} in spec["tolerations"]
