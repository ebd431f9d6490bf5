"""environments.<env>.endpoint: the EKS API endpoint."""

from __future__ import annotations

import ipaddress

from pydantic import field_validator, model_validator

from .model_base import Model


class Endpoint(Model):
    """The EKS API endpoint: private always; public optionally, limited to CIDRs."""

    public: bool
    public_cidrs: tuple[str, ...] = ()

    @field_validator("public_cidrs")
    @classmethod
    def _cidrs_valid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in value:
            net = ipaddress.ip_network(cidr, strict=True)
            if net.prefixlen == 0:
                raise ValueError(f"'{cidr}' opens the API to the internet; list your office or VPN CIDRs")
        return value

    @model_validator(mode="after")
    def _public_needs_cidrs(self) -> Endpoint:
        if self.public and not self.public_cidrs:
            raise ValueError("a public endpoint needs public_cidrs (for example your VPN's CIDR)")
        if not self.public and self.public_cidrs:
            raise ValueError("public_cidrs is set but public is false: remove public_cidrs or set public: true")
        return self
