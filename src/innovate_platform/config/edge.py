"""The `edge` section of an environment: who may reach its ALB, whether it may be deleted, and who
signs users in (`auth`, config/edge_auth.py)."""

from __future__ import annotations

import ipaddress

from pydantic import field_validator

from .edge_auth import EdgeAuth
from .model_base import Model


class Edge(Model):
    """ALB settings the charts' Ingresses carry (through the HelmRelease values)."""

    # Source CIDRs allowed to the ALB (its security group); empty = the internet (prod).
    inbound_cidrs: tuple[str, ...] = ()
    # The ALB refuses deletion until this is turned off (prod).
    deletion_protection: bool = False
    # Sign-in at the ALB before any request reaches the apps (Cognito by default).
    auth: EdgeAuth = EdgeAuth()

    @field_validator("inbound_cidrs")
    @classmethod
    def _cidrs_valid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in value:
            try:
                net = ipaddress.ip_network(cidr, strict=True)
            except ValueError as exc:
                raise ValueError(f"'{cidr}' is not a CIDR ({exc}); write it like 203.0.113.0/24") from None
            if net.prefixlen == 0:
                raise ValueError(f"'{cidr}' is the whole internet; leave inbound_cidrs empty for that, "
                                 "or list your office/VPN ranges")
        return value
