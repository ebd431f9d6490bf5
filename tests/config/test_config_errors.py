"""Every mistake in platform.yaml is rejected with the file, line, field and the fix."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from innovate_platform.config import ConfigError, load_platform, parse_platform

ROOT = Path(__file__).resolve().parents[2]
from .edits import EXAMPLE, mutated, rejection  # noqa: E402


def test_example_platform_is_valid():
    platform = load_platform(ROOT / "platform.yaml")
    assert set(platform.environments) == {"dev", "staging", "prod"}


def test_unknown_key_is_named_with_its_line():
    message = rejection(lambda d: d["environments"]["prod"].update(nat_gateway=3))
    assert "platform.yaml:" in message
    assert "environments.prod.nat_gateway: unknown key" in message
    assert "spelling" in message


def test_unknown_key_reports_the_right_line():
    text = (ROOT / "platform.yaml").read_text().replace("    az_count: 3\n", "    az_count: 3\n    az_cuont: 3\n", 1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "az_cuont" in row)
    with pytest.raises(ConfigError, match=rf"platform.yaml:{line}: environments.dev.az_cuont: unknown key"):
        parse_platform(text, "platform.yaml")


def test_a_key_missing_from_a_list_item_points_at_that_item():
    """Not at the list's key (`apps:`): the line of the item that lacks the field."""
    text = (ROOT / "platform.yaml").read_text().replace("    chart: charts/api\n", "", 1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row == "  - name: api")
    with pytest.raises(ConfigError, match=rf"platform.yaml:{line}: apps.0.chart: required key is missing"):
        parse_platform(text, "platform.yaml")


@pytest.mark.parametrize("account", ["12345", "11111111111a", "1111111111111"])
def test_bad_account_id(account):
    message = rejection(lambda d: d["environments"]["dev"].update(account=account))
    assert "environments.dev.account" in message
    assert "is not an AWS account ID" in message and "12 digits" in message


def test_invalid_cidr():
    message = rejection(lambda d: d["environments"]["dev"].update(vpc_cidr="10.10.0.0/33"))
    assert "environments.dev.vpc_cidr" in message


def test_cidr_with_host_bits():
    message = rejection(lambda d: d["environments"]["dev"].update(vpc_cidr="10.10.1.0/16"))
    assert "environments.dev.vpc_cidr" in message and "host bits" in message


def test_overlapping_cidrs():
    message = rejection(lambda d: d["environments"]["staging"].update(vpc_cidr="10.10.0.0/16"))
    assert "environments.dev.vpc_cidr: 10.10.0.0/16 overlaps environments.staging.vpc_cidr" in message
    assert "own range" in message


def test_sizes_out_of_order():
    def change(d):
        d["environments"]["prod"]["node_groups"][1].update(min_size=5, desired_size=4, max_size=6)

    message = rejection(change)
    assert "environments.prod.node_groups.1" in message
    assert "min_size <= desired_size <= max_size, got 5 / 4 / 6" in message


def test_instance_type_not_in_catalog():
    message = rejection(lambda d: d["environments"]["prod"]["node_groups"][1].update(instance_types=["c6i.xlarg"]))
    assert "environments.prod.node_groups.1.instance_types" in message
    assert "'c6i.xlarg' is not in the instance catalog" in message and "c6i.xlarge" in message


def test_node_group_managed_by_two_autoscalers():
    message = rejection(lambda d: d["environments"]["prod"]["node_groups"][1].update(cluster_autoscaler=True))
    assert "node group 'app' would be managed by two autoscalers" in message
    assert "set cluster_autoscaler: false" in message


def test_karpenter_section_with_cluster_autoscaler():
    def change(d):
        d["environments"]["staging"]["karpenter"] = copy.deepcopy(d["environments"]["dev"]["karpenter"])

    assert "Karpenter and Cluster Autoscaler never manage the same capacity" in rejection(change)


def test_cluster_autoscaler_needs_fixed_size_for_other_groups():
    message = rejection(lambda d: d["environments"]["staging"]["node_groups"][0].update(max_size=3))
    assert "environments.staging" in message and "'system'" in message and "min_size == max_size" in message


def test_private_endpoint_without_route_for_deploy_tooling():
    def change(d):
        d["environments"]["prod"].update(nat_gateways=0, vpc_endpoints=False)

    message = rejection(change)
    assert "environments.prod" in message
    assert "no route" in message and "nat_gateways >= 1 or vpc_endpoints: true" in message


def test_public_endpoint_open_to_the_internet():
    message = rejection(lambda d: d["environments"]["dev"]["endpoint"].update(public_cidrs=["0.0.0.0/0"]))
    assert "environments.dev.endpoint.public_cidrs" in message and "internet" in message


def test_pod_security_groups_need_trunk_eni_types():
    message = rejection(lambda d: d["environments"]["staging"].update(pod_security_groups=True))
    assert "pod_security_groups" in message and "t3.large" in message and "cannot carry pod ENIs" in message


def test_unpinned_version():
    message = rejection(lambda d: d["versions"]["charts"].update(karpenter="latest"))
    assert "versions.charts" in message and "karpenter: 'latest' is not a pinned version" in message


def test_prod_ami_alias_must_be_pinned():
    message = rejection(lambda d: d["environments"]["prod"]["karpenter"].update(ami_alias="al2023@latest"))
    assert "environments.prod" in message and "al2023@latest" in message and "pin" in message


def test_unknown_time_zone():
    message = rejection(lambda d: d["environments"]["dev"]["sleep"].update(timezone="Mars/Olympus"))
    assert "environments.dev.sleep.timezone" in message and "IANA" in message


def test_malformed_yaml_names_line_and_column():
    text = (ROOT / "platform.yaml").read_text().replace("region: us-east-1", "region: [us-east-1", 1)
    with pytest.raises(ConfigError, match=r"platform.yaml:\d+:\d+: malformed YAML"):
        parse_platform(text, "platform.yaml")


def test_missing_file():
    with pytest.raises(ConfigError, match="nope.yaml: cannot read"):
        load_platform("nope.yaml")


def test_cli_reports_one_line_and_exit_code_2(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "platform.yaml"
    bad.write_text(mutated(lambda d: d["environments"]["dev"].update(account="123")))
    result = subprocess.run([sys.executable, "-m", "innovate_platform", "config", "validate", "--config", str(bad)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "environments.dev.account" in result.stderr


def test_unsupported_kubernetes_version():
    message = rejection(lambda d: d["versions"].update(kubernetes="1.34"))
    assert "versions.kubernetes: 1.34 is outside" in message
    assert "metrics-server" not in message  # 0.8 supports 1.31+: only the components that refuse are named


def test_kubernetes_136_is_refused_naming_flux_and_keda_and_their_ranges():
    """The shipped pins of today's code ran 1.36, which Flux 2.7/2.8 and KEDA 2.20 do not support."""
    message = rejection(lambda d: d["versions"].update(kubernetes="1.36"))
    assert "Flux 2.8.5 (flux2 chart 2.18.3)'s supported range 1.30-1.35" in message
    assert "KEDA 2.20.2's supported range 1.33-1.35" in message
    assert "no Cluster Autoscaler image pinned for 1.36" in message


def test_a_chart_bump_without_a_matrix_row_is_refused():
    message = rejection(lambda d: d["versions"]["charts"].update(keda="2.21.1"))
    assert "versions.charts.keda: 2.21.1 has no row in the compatibility matrix" in message


def test_addon_versions_are_the_ones_listed_for_the_cluster_minor(platform):
    from innovate_platform.config.compatibility import ADDONS, CHARTS

    assert platform.versions.kubernetes == "1.35"
    for name, version in platform.versions.addons.items():
        assert ADDONS[(name, version)].supports("1.35")
    for name, version in platform.versions.charts.items():
        assert CHARTS[(name, version)].supports("1.35") and CHARTS[(name, version)].source


def test_cdk_offers_every_minor_the_matrix_allows():
    from innovate_platform.aws.constructs.cluster import KUBERNETES_VERSIONS
    from innovate_platform.config.compatibility import TOOLING

    eks = TOOLING[0]
    assert eks.component == "aws_eks_v2 KubernetesVersion"
    assert {m for m in KUBERNETES_VERSIONS if eks.supports(m)} == set(KUBERNETES_VERSIONS)


@pytest.mark.parametrize(("section", "name"), [("addons", "coredns"), ("charts", "flux2")])
def test_every_installed_component_needs_a_pinned_version(section, name):
    message = rejection(lambda d: d["versions"][section].pop(name))
    assert f"versions.{section}" in message and f"missing a pinned version for {name}" in message


def test_unknown_component_version_is_named():
    message = rejection(lambda d: d["versions"]["charts"].update(istio="1.2.3"))
    assert "versions.charts" in message and "istio is not installed by the platform" in message


@pytest.mark.parametrize("attribute", ["name", "namespace"])
def test_apps_need_distinct_names_and_namespaces(attribute):
    def change(d):
        d["apps"][1][attribute] = d["apps"][0][attribute]

    assert f"each app needs its own {attribute}" in rejection(change)


def test_prod_never_sleeps():
    def change(d):
        d["environments"]["prod"]["sleep"] = copy.deepcopy(d["environments"]["dev"]["sleep"])

    message = rejection(change)
    assert "environments.prod" in message and "remove it from prod" in message


def test_alert_email_typo_is_named():
    message = rejection(lambda d: d["alerts"].update(emails=["oncall.innovate.example.com"]))
    assert "alerts.emails: 'oncall.innovate.example.com' is not an e-mail address" in message


def test_unknown_chat_provider_is_named():
    message = rejection(lambda d: d["alerts"]["chat"].update(provider="email"))
    assert "alerts.chat.provider: 'email' is not allowed" in message


def test_slo_target_must_leave_an_error_budget():
    message = rejection(lambda d: d["alerts"]["slo"].update(availability_percent=100))
    assert "alerts.slo.availability_percent" in message


def test_cloudwatch_addon_must_be_pinned():
    message = rejection(lambda d: d["versions"]["addons"].pop("amazon-cloudwatch-observability"))
    assert "missing a pinned version for amazon-cloudwatch-observability" in message
