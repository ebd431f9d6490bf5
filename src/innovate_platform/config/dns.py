"""The `dns` section of an environment: its Route 53 hosted zone and the hostnames of its apps.

CDK issues the environment's ACM certificate for these hosts (validated through the zone) and
gives external-dns write access to this zone only; the GitOps tree puts the hosts and the
certificate ARN on the Ingresses through `cluster-vars`. Delegating the zone from its parent
domain is the one step outside the platform (docs/runbooks/deploy.md).
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from .model_base import Model

HOSTNAME = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def in_zone(host: str, zone_name: str) -> bool:
    """True when `host` is the zone apex or a name below it."""
    return host == zone_name or host.endswith("." + zone_name)


def host_problem(host: str, zone_name: str) -> str | None:
    """Why `host` cannot be an app's hostname in this zone (with the fix), else None.
    config/rules/dns_hosts.py reports it at `environments.<env>.dns.hosts.<app>`."""
    if not HOSTNAME.match(host):
        return f"'{host}' is not a lower-case DNS name like app.{zone_name}"
    if not in_zone(host, zone_name):
        return (f"'{host}' is outside the hosted zone {zone_name}: the certificate could not be validated and "
                f"external-dns could not publish it; use a name ending in .{zone_name} or change zone_id/zone_name")
    return None


class Dns(Model):
    """One public hosted zone per environment account, and each app's hostname in it."""

    zone_id: str = Field(pattern=r"^Z[A-Z0-9]{1,31}$")
    zone_name: str
    # app name -> hostname; apps sharing one hostname share the ALB (the API under /api). Each host
    # is checked against the zone by config/rules/dns_hosts.py, which names its own line.
    hosts: dict[str, str] = {}  # empty is refused by config/rules/dns_hosts.py, with the fix

    @field_validator("zone_name")
    @classmethod
    def _zone_name_valid(cls, value: str) -> str:
        value = value.rstrip(".")
        if not HOSTNAME.match(value):
            raise ValueError(f"'{value}' is not a lower-case DNS name like innovate.example.com")
        return value

    @property
    def zone_arn(self) -> str:
        return f"arn:aws:route53:::hostedzone/{self.zone_id}"

    @property
    def certificate_names(self) -> tuple[str, ...]:
        """The distinct hostnames, in file order: the first is the certificate's domain name."""
        return tuple(dict.fromkeys(self.hosts.values()))
