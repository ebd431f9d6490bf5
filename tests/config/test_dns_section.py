"""The dns section: hosts must live in the environment's hosted zone, keyed by a real app."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from innovate_platform.config import ConfigError, parse_platform

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = yaml.safe_load((ROOT / "platform.yaml").read_text())


def rejection(change) -> str:
    data = copy.deepcopy(EXAMPLE)
    change(data)
    with pytest.raises(ConfigError) as info:
        parse_platform(yaml.safe_dump(data, sort_keys=False), "platform.yaml")
    return str(info.value)


def test_a_host_outside_the_zone_is_refused_naming_the_field_and_the_fix():
    message = rejection(lambda d: d["environments"]["prod"]["dns"]["hosts"].update(web="app.innovate.example.org"))
    assert "environments.prod.dns.hosts.web: 'app.innovate.example.org' is outside the hosted zone " \
        "innovate.example.com" in message
    assert "ending in .innovate.example.com" in message
    assert len(message.splitlines()) == 1, message


def test_a_host_error_points_at_the_host_line_not_the_zone():
    """The line is the host's own (`web: ...` under hosts), not zone_id's."""
    data = copy.deepcopy(EXAMPLE)
    data["environments"]["prod"]["dns"]["hosts"]["web"] = "app.innovate.example.org"
    text = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(ConfigError) as info:
        parse_platform(text, "platform.yaml")
    line = int(str(info.value).split(":")[1])
    assert text.splitlines()[line - 1].strip() == "web: app.innovate.example.org", str(info.value)


def test_an_exposed_app_without_a_host_is_refused_at_config_validate():
    """Before: accepted here, refused only later by `innovate gitops` rendering the Ingress."""
    def drop_api(d):
        d["environments"]["staging"]["dns"]["hosts"].pop("api")
    message = rejection(drop_api)
    assert len(message.splitlines()) == 1, message
    assert "environments.staging.dns.hosts.api: app api is exposed but has no host" in message
    assert "add `api: <name in staging.innovate.example.com>`" in message


def test_an_app_that_is_not_exposed_needs_no_host():
    data = copy.deepcopy(EXAMPLE)
    data["apps"] = [dict(a, exposed=False) if a["name"] == "api" else a for a in data["apps"]]
    data["environments"]["dev"]["dns"]["hosts"].pop("api")
    platform = parse_platform(yaml.safe_dump(data, sort_keys=False), "platform.yaml")
    assert "api" not in platform.env("dev").dns.hosts


def test_a_name_that_merely_ends_like_the_zone_is_outside_it():
    message = rejection(lambda d: d["environments"]["dev"]["dns"]["hosts"].update(api="evildev.innovate.example.com"))
    assert "environments.dev.dns.hosts.api: " in message and "outside the hosted zone dev.innovate.example.com" in message
    assert len(message.splitlines()) == 1, message


@pytest.mark.parametrize("host", ["dev.innovate.example.com", "www.dev.innovate.example.com"])
def test_the_zone_apex_and_names_below_it_are_accepted(host):
    data = copy.deepcopy(EXAMPLE)
    data["environments"]["dev"]["dns"]["hosts"] = {"api": host, "web": host}
    platform = parse_platform(yaml.safe_dump(data, sort_keys=False), "platform.yaml")
    assert platform.env("dev").dns.certificate_names == (host,)


def test_exposed_apps_on_different_hosts_are_refused():
    """One sign-in, one session cookie per host: /api on another host than the web page is always 401."""
    message = rejection(lambda d: d["environments"]["prod"]["dns"]["hosts"].update(api="api.innovate.example.com"))
    assert "environments.prod.dns.hosts" in message and "session cookie is per host" in message
    assert "api: api.innovate.example.com" in message


def test_a_host_for_an_unknown_app_is_refused():
    message = rejection(lambda d: d["environments"]["staging"]["dns"]["hosts"].update(admin="staging.innovate.example.com"))
    assert "environments.staging.dns.hosts: names admin, which is not an app" in message


@pytest.mark.parametrize("zone_id", ["", "hostedzone/Z123", "z0abc"])
def test_a_malformed_zone_id_is_refused(zone_id):
    message = rejection(lambda d: d["environments"]["dev"]["dns"].update(zone_id=zone_id))
    assert "environments.dev.dns.zone_id" in message


def test_every_environment_needs_a_dns_section():
    message = rejection(lambda d: d["environments"]["staging"].pop("dns"))
    assert "environments.staging.dns" in message


def test_alb_inbound_cidrs_never_open_the_whole_internet():
    message = rejection(lambda d: d["environments"]["dev"]["edge"].update(inbound_cidrs=["0.0.0.0/0"]))
    assert "environments.dev.edge.inbound_cidrs" in message and "leave inbound_cidrs empty" in message
    message = rejection(lambda d: d["environments"]["staging"]["edge"].update(inbound_cidrs=["203.0.113.7/24"]))
    assert "environments.staging.edge.inbound_cidrs" in message


def _refusal_and_line(change) -> tuple[str, str]:
    data = copy.deepcopy(EXAMPLE)
    change(data)
    text = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(ConfigError) as info:
        parse_platform(text, "platform.yaml")
    message = str(info.value)
    return message, text.splitlines()[int(message.split(":")[1]) - 1].strip()


def test_a_missing_host_points_at_the_hosts_line_not_a_sibling():
    message, line = _refusal_and_line(lambda d: d["environments"]["dev"]["dns"]["hosts"].pop("api"))
    assert line == "hosts:", message


def test_empty_hosts_get_one_line_naming_the_fix():
    message, line = _refusal_and_line(lambda d: d["environments"]["dev"]["dns"].update(hosts={}))
    assert len(message.splitlines()) == 1, message
    assert "environments.dev.dns.hosts: no host: the environment's certificate needs at least one name" in message
    assert line == "hosts: {}", message
