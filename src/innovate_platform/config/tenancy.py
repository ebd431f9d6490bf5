"""Tenancy rules of platform.yaml: which namespaces a team may own, what it may expose, and how much
of the environment's real capacity its namespaces may claim.

- A team namespace is a DNS-1123 label and never a namespace of Kubernetes, EKS or the platform's
  own controllers (those run with privileges a team must not get by owning the namespace).
- An app lives in a namespace its team owns.
- Team quotas (explicit or an equal share) add up to no more than the app capacity: the
  allocatable CPU and memory of the app node groups at their maximum size plus the Karpenter
  NodePools at their limits.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field

from .model_base import Model

if TYPE_CHECKING:
    from .models import Environment, Platform, Team

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Namespaces of Kubernetes, EKS, Flux and the controllers and jobs the platform installs
# (gitops/controllers.py, gitops/sleep.py); a test keeps this list equal to what the tree renders.
RESERVED_NAMESPACES = frozenset(
    {"default", "flux-system", "karpenter", "keda", "innovate-sleep", "amazon-cloudwatch", "cert-manager"}
)
RESERVED_PREFIXES = ("kube-", "eks-", "aws-")

# Who may write Ingresses: nobody (the platform's releases only), or the team through its own
# IngressClass with an internal or an internet-facing ALB (never the shared group).
IngressGrant = Literal["none", "internal", "internet-facing"]


def reserved_reason(name: str) -> str | None:
    """Why a namespace cannot belong to a team, or None."""
    if name in RESERVED_NAMESPACES:
        return "the platform's own namespace"
    prefix = next((p for p in RESERVED_PREFIXES if name.startswith(p)), None)
    if prefix:
        return f"reserved for Kubernetes and EKS ({prefix}*)"
    return None


def _team_namespaces(values: tuple[str, ...]) -> tuple[str, ...]:
    for name in values:
        if len(name) > 63 or not DNS_LABEL.match(name):
            raise ValueError(
                f"'{name}' is not a valid namespace name (DNS-1123 label: at most 63 lowercase letters, digits "
                f"and '-', starting and ending with a letter or digit); use e.g. '{_suggest(name)}'"
            )
        reason = reserved_reason(name)
        if reason:
            raise ValueError(
                f"'{name}' is {reason}: a team owning it would get write access (Secrets included) next to "
                f"the platform's controllers; give the team its own namespace, e.g. 'team-{name.strip('-')}'"
            )
    if len(set(values)) != len(values):
        raise ValueError(f"namespaces are listed twice in {list(values)}; list each once")
    return values


def _suggest(name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:63].strip("-")
    return cleaned or "my-team"


TeamNamespaces = Annotated[tuple[str, ...], Field(min_length=1), AfterValidator(_team_namespaces)]


class Quota(Model):
    """A team's share of the app capacity: CPU (cores) and memory (GiB) requests, over all its namespaces."""

    cpu: float = Field(gt=0)
    memory_gib: float = Field(gt=0)


# --- capacity ----------------------------------------------------------------------------------


def app_capacity_allocatable(env: Environment) -> tuple[int, int]:
    """Millicores and MiB the scheduler can hand to app pods at most: each app node group at
    max_size with its smallest type's allocatable, each NodePool's limits scaled by its least
    efficient type's allocatable-to-capacity ratio (insight/allocatable.py formulas)."""
    from ..insight.allocatable import allocatable
    from .catalog import INSTANCE_CATALOG

    cpu = memory = 0
    for group in env.node_groups:
        if group.role != "app":
            continue
        sizes = [allocatable(t) for t in group.instance_types]
        cpu += min(a.cpu_m for a in sizes) * group.max_size
        memory += min(a.memory_mib for a in sizes) * group.max_size
    if env.uses_karpenter and env.karpenter:
        for pool in env.karpenter.node_pools:
            types = [(allocatable(t), INSTANCE_CATALOG[t]) for t in pool.instance_types]
            cpu_ratio = min(a.cpu_m / (t.vcpu * 1000) for a, t in types)
            memory_ratio = min(a.memory_mib / (t.memory_gib * 1024) for a, t in types)
            cpu += math.floor(pool.limit_cpu * 1000 * cpu_ratio)
            memory += math.floor(pool.limit_memory_gib * 1024 * memory_ratio)
    return cpu, memory


def team_quotas(env: Environment) -> dict[str, tuple[int, int]]:
    """Team name -> (millicores, MiB) of requests over all its namespaces: the explicit quota,
    else an equal share of what explicit quotas leave."""
    cpu, memory = app_capacity_allocatable(env)
    explicit = {t.name: (round(t.quota.cpu * 1000), round(t.quota.memory_gib * 1024)) for t in env.teams if t.quota}
    rest = [t.name for t in env.teams if not t.quota]
    left_cpu = max(0, cpu - sum(c for c, _ in explicit.values()))
    left_memory = max(0, memory - sum(m for _, m in explicit.values()))
    shares = {name: (left_cpu // len(rest), left_memory // len(rest)) for name in rest} if rest else {}
    return explicit | shares


def namespace_quota(env: Environment, team: Team) -> tuple[int, int]:
    """(millicores, MiB) of requests one of the team's namespaces may claim: its share, split evenly."""
    cpu, memory = team_quotas(env)[team.name]
    count = len(team.namespaces)
    return cpu // count, memory // count


def check_quotas(env: Environment) -> None:
    """Refuse quotas the environment's app capacity cannot hold."""
    if not env.teams:
        return
    cpu, memory = app_capacity_allocatable(env)
    quotas = team_quotas(env)
    asked_cpu = sum(c for c, _ in quotas.values())
    asked_memory = sum(m for _, m in quotas.values())
    if asked_cpu > cpu or asked_memory > memory:
        raise ValueError(
            f"teams[].quota asks for {asked_cpu / 1000:g} CPU and {asked_memory / 1024:.1f} GiB of requests, but the app "
            f"capacity holds {cpu / 1000:g} CPU and {memory / 1024:.1f} GiB (allocatable of app node groups at max_size "
            "plus Karpenter limits); lower the quotas or raise max_size / the NodePool limits"
        )
    starved = sorted(name for name, (c, m) in quotas.items() if c < 100 or m < 128)
    if starved:
        raise ValueError(
            f"teams {', '.join(starved)} get no usable quota (under 100m CPU or 128 MiB) after the explicit teams[].quota; "
            "lower the explicit quotas or give these teams a quota"
        )


# --- cross-references --------------------------------------------------------------------------


def check_app_namespaces(platform: Platform) -> None:
    """Every app lives in a namespace its team owns, in every environment."""
    for env in platform.environments.values():
        for i, app in enumerate(platform.apps):
            team = next((t for t in env.teams if t.name == app.team), None)
            if team is None:
                continue  # reported by the team cross-check
            if app.namespace not in team.namespaces:
                owner = next((t.name for t in env.teams if app.namespace in t.namespaces), None)
                held = f"owned by team {owner}" if owner else "owned by no team"
                raise ValueError(
                    f"apps[{i}].namespace: '{app.namespace}' ({held} in environments.{env.name}) is not a namespace of "
                    f"team {app.team} ({', '.join(team.namespaces)}); add it to that team's namespaces or move the app"
                )
            reason = reserved_reason(app.namespace)
            if reason:
                raise ValueError(f"apps[{i}].namespace: '{app.namespace}' is {reason}; give the app its own namespace")
            if app.exposed and team.ingress != "none":
                # Its namespace admits the shared internet-facing class, so the team's own Ingress
                # write there would reach the platform's shared ALB group.
                raise ValueError(
                    f"environments.{env.name}.teams: team {team.name} has ingress '{team.ingress}' but owns the "
                    f"namespace '{app.namespace}' of exposed app {app.name}, where the shared ALB group is admitted; "
                    "give the team's own Ingresses a namespace without exposed apps, or leave its ingress 'none'")
