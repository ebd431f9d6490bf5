"""The subnet plan of an environment's VPC, known before deployment.

CDK's `IpAddresses.cidr` allocates subnets in order (every public subnet, then every private
one, one per AZ), each at the next free block aligned to its size. The same arithmetic here
gives the GitOps tree literal CIDRs (the ALB's subnets for NetworkPolicies); a test checks it
against the synthesized template.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .config import Environment

# Public subnets hold only load balancers and NAT gateways; private ones hold nodes and, with
# the VPC CNI, every pod's IP: 1/64 and 1/4 of the VPC each.
PUBLIC_MASK_DELTA = 6
PRIVATE_MASK_DELTA = 2


@dataclass(frozen=True)
class SubnetLayout:
    """Subnet CIDRs per tier, in AZ order."""

    public: tuple[str, ...]
    private: tuple[str, ...]


def subnet_layout(env: Environment) -> SubnetLayout:
    vpc = ipaddress.ip_network(env.vpc_cidr)
    cursor = int(vpc.network_address)
    tiers = []
    for delta in (PUBLIC_MASK_DELTA, PRIVATE_MASK_DELTA):
        size = 2 ** (32 - (vpc.prefixlen + delta))
        blocks = []
        for _ in range(env.az_count):
            cursor = -(-cursor // size) * size  # align up
            blocks.append(str(ipaddress.ip_network((cursor, vpc.prefixlen + delta))))
            cursor += size
        tiers.append(tuple(blocks))
    return SubnetLayout(public=tiers[0], private=tiers[1])
