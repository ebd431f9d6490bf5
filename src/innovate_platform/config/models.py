"""Typed, frozen models of platform.yaml. Every other part of the platform reads only these."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from .alerts import Alerts
from .catalog import INSTANCE_CATALOG, REQUIRED_ADDONS, REQUIRED_CHARTS
from .compatibility import incompatibilities
from .karpenter_zones import min_zones_problem
from .tenancy import IngressGrant, Quota, TeamNamespaces, check_app_namespaces, check_quotas
from .database import Database
from .endpoint import Endpoint
from .model_base import Model
from .sleep import SleepSchedule
from .dns import Dns
from .edge import Edge

__all__ = ["App", "Database", "DisruptionBudget", "Endpoint", "Environment", "GitHub", "Karpenter", "Model",
           "NodeGroup", "NodePool", "Platform", "Shared", "SleepSchedule", "Team", "Versions"]

ACCOUNT_ID = r"^\d{12}$"
ENV_NAMES = ("dev", "staging", "prod")


def _known_instance_types(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if value not in INSTANCE_CATALOG:
            known = ", ".join(sorted(INSTANCE_CATALOG))
            raise ValueError(f"'{value}' is not in the instance catalog; use one of: {known}")
    return values


# Instance types from the project's catalog, at least one (node groups and Karpenter pools).
InstanceTypes = Annotated[tuple[str, ...], Field(min_length=1), AfterValidator(_known_instance_types)]


class NodeGroup(Model):
    """A managed node group. `role` decides its label and taint (system groups are tainted)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,30}$")
    role: Literal["system", "app"]
    instance_types: InstanceTypes
    capacity_type: Literal["ON_DEMAND", "SPOT"]
    min_size: int = Field(ge=0)
    desired_size: int = Field(ge=0)
    max_size: int = Field(ge=1)
    disk_size_gib: int = Field(default=50, ge=20, le=1000)
    cluster_autoscaler: bool = False

    @model_validator(mode="after")
    def _sizes_ordered(self) -> NodeGroup:
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"sizes must satisfy min_size <= desired_size <= max_size, got "
                f"{self.min_size} / {self.desired_size} / {self.max_size}; fix the numbers"
            )
        return self

    @property
    def labels(self) -> dict[str, str]:
        return {"role": self.role}

    @property
    def taints(self) -> tuple[dict[str, str], ...]:
        if self.role == "system":
            return ({"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"},)
        return ()


class DisruptionBudget(Model):
    """A Karpenter disruption budget: `nodes` (count or %), optionally only in a cron window."""

    nodes: str = Field(pattern=r"^(\d+|\d+%)$")
    reasons: tuple[Literal["Underutilized", "Empty", "Drifted"], ...] = ()
    schedule: str | None = None
    duration: str | None = Field(default=None, pattern=r"^(\d+h)?(\d+m)?$")

    @model_validator(mode="after")
    def _schedule_with_duration(self) -> DisruptionBudget:
        if (self.schedule is None) != (self.duration is None):
            raise ValueError("schedule and duration go together: set both or neither")
        return self


class NodePool(Model):
    """A Karpenter NodePool for application capacity."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,62}$")
    capacity_types: tuple[Literal["spot", "on-demand"], ...] = Field(min_length=1)
    instance_types: InstanceTypes
    min_zones: int = Field(default=1, ge=1, le=3)
    consolidation_policy: Literal["WhenEmpty", "WhenEmptyOrUnderutilized"] = "WhenEmptyOrUnderutilized"
    consolidate_after: str = Field(default="1m", pattern=r"^(\d+h)?(\d+m)?(\d+s)?$|^Never$")
    expire_after: str = Field(default="720h", pattern=r"^(\d+h)?(\d+m)?(\d+s)?$|^Never$")
    limit_cpu: int = Field(ge=1)
    limit_memory_gib: int = Field(ge=1)
    budgets: tuple[DisruptionBudget, ...] = (DisruptionBudget(nodes="10%"),)
    dedicated_on_demand: bool = False
    weight: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _dedicated_is_on_demand(self) -> NodePool:
        if self.dedicated_on_demand and self.capacity_types != ("on-demand",):
            raise ValueError("dedicated_on_demand pools must have capacity_types: [on-demand]")
        return self


class Karpenter(Model):
    """Karpenter settings of one environment."""

    ami_alias: str = Field(pattern=r"^al2023@(v\d{8}|latest)$")
    # Spot needs the account's EC2 Spot service-linked role: created at deploy if missing (never deleted).
    create_spot_service_linked_role: bool = True
    node_pools: tuple[NodePool, ...] = Field(min_length=1)


class Team(Model):
    """A team: an IAM role mapped to a Kubernetes group that owns its namespaces."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,30}$")
    role_arn: str = Field(pattern=r"^arn:aws:iam::\d{12}:role/[\w+=,.@/-]+$")
    namespaces: TeamNamespaces
    ingress: IngressGrant = "none"  # config/tenancy.py: Ingress write through the team's own class
    quota: Quota | None = None  # default: an equal share of the app capacity

    @property
    def group(self) -> str:
        return f"innovate:team:{self.name}"


class App(Model):
    """A workload the platform runs: its chart, namespace, owning team and AWS needs."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,30}$")
    namespace: str
    team: str
    chart: str
    s3_bucket: bool = False
    database: bool = False
    exposed: bool = False  # its namespace may use the shared internet-facing ALB (IngressClassParams)


class Environment(Model):
    """One environment: its own AWS account, VPC and EKS cluster."""

    name: Literal["dev", "staging", "prod"]
    account: str = Field(pattern=ACCOUNT_ID)
    vpc_cidr: str
    az_count: int = Field(ge=2, le=3)
    nat_gateways: int = Field(ge=0, le=3)
    vpc_endpoints: bool = False
    endpoint: Endpoint
    admin_role_arns: tuple[str, ...] = Field(min_length=1)
    teams: tuple[Team, ...] = ()
    node_groups: tuple[NodeGroup, ...] = Field(min_length=1)
    app_autoscaler: Literal["karpenter", "cluster-autoscaler"]
    karpenter: Karpenter | None = None
    sleep: SleepSchedule | None = None
    database: Database
    pod_security_groups: bool = False
    log_retention_days: Literal[7, 14, 30, 60, 90, 180, 365] = 30
    # The account's zone names in the region (config/zones.py); synth uses them instead of a lookup.
    availability_zones: tuple[str, ...] = ()
    dns: Dns
    edge: Edge = Edge()

    @field_validator("vpc_cidr")
    @classmethod
    def _cidr_valid(cls, value: str) -> str:
        net = ipaddress.ip_network(value, strict=True)
        if not 16 <= net.prefixlen <= 20:
            raise ValueError(f"'{value}' must be a /16 to /20 so three AZs get public and private subnets")
        if not net.is_private:
            raise ValueError(f"'{value}' is not a private (RFC 1918) range")
        return value

    @property
    def cluster_name(self) -> str:
        return f"innovate-{self.name}"

    @property
    def uses_karpenter(self) -> bool:
        return self.app_autoscaler == "karpenter"

    def node_group(self, name: str) -> NodeGroup:
        return next(g for g in self.node_groups if g.name == name)

    @property
    def instance_types(self) -> frozenset[str]:
        types = {t for g in self.node_groups for t in g.instance_types}
        if self.karpenter:
            types |= {t for p in self.karpenter.node_pools for t in p.instance_types}
        return frozenset(types)

    @model_validator(mode="after")
    def _consistent(self) -> Environment:
        roles = [g.role for g in self.node_groups]
        if "system" not in roles:
            raise ValueError("node_groups needs a group with role: system for the add-ons")
        names = [g.name for g in self.node_groups]
        if len(names) != len(set(names)):
            raise ValueError(f"node group names must be unique, got {names}")
        self._check_autoscalers()
        if problem := min_zones_problem(self):
            raise ValueError(problem)
        if not self.endpoint.public and self.nat_gateways == 0 and not self.vpc_endpoints:
            raise ValueError(
                "endpoint.public is false but the VPC has neither NAT gateways nor VPC endpoints: "
                "CDK's kubectl handler and Flux would have no route to AWS and Git; "
                "set nat_gateways >= 1 or vpc_endpoints: true"
            )
        if self.sleep is not None and self.name == "prod":
            raise ValueError("sleep would take prod's nodes and database down every night; remove it from prod")
        if self.pod_security_groups:
            weak = sorted(t for t in self.instance_types if not INSTANCE_CATALOG[t].supports_pod_security_groups)
            if weak:
                raise ValueError(
                    f"pod_security_groups needs trunk-ENI capable instance types, but {', '.join(weak)} "
                    "cannot carry pod ENIs; use m6i/m6a/r6a/c6i types or set pod_security_groups: false"
                )
        team_names = {t.name for t in self.teams}
        if len(team_names) != len(self.teams):
            raise ValueError("team names must be unique")
        owned = [ns for t in self.teams for ns in t.namespaces]
        if len(owned) != len(set(owned)):
            raise ValueError(f"teams: a namespace belongs to one team only, got {owned}; remove the duplicate")
        check_quotas(self)
        return self

    def _check_autoscalers(self) -> None:
        ca_groups = [g.name for g in self.node_groups if g.cluster_autoscaler]
        if self.karpenter and self.name != "dev" and self.karpenter.ami_alias.endswith("@latest"):
            raise ValueError(
                f"karpenter.ami_alias {self.karpenter.ami_alias} drifts every node on each AMI release; "
                "pin a version (al2023@vYYYYMMDD) outside dev"
            )
        if self.uses_karpenter:
            if ca_groups:
                raise ValueError(
                    f"node group '{ca_groups[0]}' would be managed by two autoscalers (cluster_autoscaler: true "
                    "and app_autoscaler: karpenter); set cluster_autoscaler: false or app_autoscaler: cluster-autoscaler"
                )
            if self.karpenter is None:
                raise ValueError("app_autoscaler is karpenter but the karpenter section is missing")
        else:
            if self.karpenter is not None:
                raise ValueError(
                    "app_autoscaler is cluster-autoscaler but a karpenter section is set: Karpenter and "
                    "Cluster Autoscaler never manage the same capacity; remove one"
                )
            if not ca_groups:
                raise ValueError("app_autoscaler is cluster-autoscaler but no node group has cluster_autoscaler: true")
            # EKS tags every managed group's ASG for Cluster Autoscaler discovery, so a group CA
            # must not resize has to be fixed-size.
            for g in self.node_groups:
                if not g.cluster_autoscaler and g.min_size != g.max_size:
                    raise ValueError(
                        f"node group '{g.name}' is not for Cluster Autoscaler but EKS tags every managed group for "
                        f"its discovery; make it fixed-size (min_size == max_size) or set cluster_autoscaler: true"
                    )


class Shared(Model):
    """The shared services account: ECR and the CI identity."""

    account: str = Field(pattern=ACCOUNT_ID)
    ecr_repositories: tuple[str, ...] = Field(min_length=1)
    image_retention_count: int = Field(default=50, ge=1, le=1000)


class GitHub(Model):
    """The repository allowed to build images and deploy, and the branch Flux follows."""

    repository: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    branch: str = "main"

    @field_validator("repository")
    @classmethod
    def _no_git_suffix(cls, value: str) -> str:
        if value.endswith(".git"):
            raise ValueError(f"'{value}' ends in .git, which GitHub's OIDC subject never does; write "
                             f"'{value.removesuffix('.git')}'")
        return value

    @field_validator("branch")
    @classmethod
    def _branch_name(cls, value: str) -> str:
        # git check-ref-format's rules that matter here, and no refs/heads/ prefix (the subject adds it).
        bad = (not value or value.startswith(("refs/", "/", "-")) or value.endswith((".", "/", ".lock"))
               or ".." in value or "//" in value or "@{" in value or any(c in value for c in " ~^:?*[\\\x7f")
               or any(ord(c) < 32 for c in value))
        if bad:
            raise ValueError(f"'{value}' is not a branch name git accepts (no spaces, '..', '~^:?*[', no "
                             "refs/heads/ prefix); write the branch as GitHub shows it, e.g. main")
        return value

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repository}"

    @property
    def ssh_url(self) -> str:
        """What Flux clones with its read-only deploy key (docs/runbooks/deploy.md)."""
        return f"ssh://git@github.com/{self.repository}"


class Versions(Model):
    """Pinned versions of everything the platform installs."""

    kubernetes: str = Field(pattern=r"^1\.\d+$")
    addons: dict[str, str]
    charts: dict[str, str]

    @field_validator("addons", "charts")
    @classmethod
    def _pinned(cls, value: dict[str, str], info) -> dict[str, str]:
        for name, version in value.items():
            if version in ("", "*", "latest") or not re.match(r"^v?\d", version):
                raise ValueError(f"{name}: '{version}' is not a pinned version; write an exact version")
        required = REQUIRED_ADDONS if info.field_name == "addons" else REQUIRED_CHARTS
        missing = [n for n in required if n not in value]
        unknown = [n for n in value if n not in required]
        if missing:
            raise ValueError(f"missing a pinned version for {', '.join(missing)}; the platform installs it")
        if unknown:
            raise ValueError(f"{', '.join(unknown)} is not installed by the platform; expected only {', '.join(required)}")
        return value

    @model_validator(mode="after")
    def _compatible(self) -> Versions:
        """Every pinned component supports the cluster's Kubernetes minor (config/compatibility.py)."""
        problems = incompatibilities(self.kubernetes, self.charts, self.addons)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Platform(Model):
    """The whole platform: organisation, accounts, environments, apps."""

    organisation: str = Field(pattern=r"^[a-z][a-z0-9-]{1,20}$")
    region: str = Field(pattern=r"^[a-z]{2}-[a-z]+-\d$")
    github: GitHub
    shared: Shared
    versions: Versions
    apps: tuple[App, ...]
    environments: dict[Literal["dev", "staging", "prod"], Environment]
    alerts: Alerts | None = None  # config/alerts.py; without it nothing is paged (the observability check says so)

    @model_validator(mode="before")
    @classmethod
    def _name_environments(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("environments"), dict):
            data = dict(data)
            data["environments"] = {
                k: ({"name": k, **v} if isinstance(v, dict) and "name" not in v else v)
                for k, v in data["environments"].items()
            }
        return data

    @model_validator(mode="after")
    def _cross_environment(self) -> Platform:
        missing = [e for e in ENV_NAMES if e not in self.environments]
        if missing:
            raise ValueError(f"environments must define dev, staging and prod; missing {', '.join(missing)}")
        nets = {name: ipaddress.ip_network(env.vpc_cidr) for name, env in self.environments.items()}
        names = list(nets)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if nets[a].overlaps(nets[b]):
                    raise ValueError(
                        f"environments.{a}.vpc_cidr {nets[a]} overlaps environments.{b}.vpc_cidr {nets[b]}; "
                        "give each environment its own range"
                    )
        for attribute in ("name", "namespace"):
            values = [getattr(a, attribute) for a in self.apps]
            if len(values) != len(set(values)):
                raise ValueError(f"apps: each app needs its own {attribute}, got {values}")
        # Accounts shared between environments: config/rules/cross_field.py names them.
        for key, env in self.environments.items():
            if env.name != key:
                raise ValueError(f"environments.{key}.name is '{env.name}'; it must match its key '{key}'")
            teams = {t.name for t in env.teams}
            for app in self.apps:
                if app.team not in teams:
                    raise ValueError(f"apps.{app.name}.team '{app.team}' is not a team of environments.{env.name}")
        for key, env in self.environments.items():
            unknown = sorted(set(env.dns.hosts) - {a.name for a in self.apps})
            if unknown:
                raise ValueError(f"environments.{key}.dns.hosts names {', '.join(unknown)}, which is not an app; "
                                 "key each host by an app name from apps")
        check_app_namespaces(self)
        return self

    def env(self, name: str) -> Environment:
        return self.environments[name]  # type: ignore[index]

    def app(self, name: str) -> App:
        return next(a for a in self.apps if a.name == name)
