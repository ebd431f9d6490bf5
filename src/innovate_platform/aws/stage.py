"""The CDK app: one stage per environment account plus the shared services stage."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from ..config import Platform
from ..config.zones import zone_context
from ..insight.workloads import load_workloads
from ..naming import stack_name
from ..observability.budget import internet_facing_apps, monthly_budget_usd
from .stacks import EnvironmentCiStack, NetworkStack, PlatformStack, RegistryStack, SharedCiStack

STAGES = ("dev", "staging", "prod", "shared")
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def cdk_context(root: Path = PROJECT_ROOT) -> dict:
    """Feature flags from cdk.json plus the committed lookups (AZs) from cdk.context.json, so a
    direct synth behaves exactly like the CDK CLI and never does a lookup."""
    context = json.loads((root / "cdk.json").read_text()).get("context", {})
    context.update(json.loads((root / "cdk.context.json").read_text()))
    return context


def build_app(platform: Platform, stages: tuple[str, ...] = STAGES, outdir: str | None = None) -> cdk.App:
    """Compose the requested stages into an app (with cdk-nag AwsSolutions checks on synth)."""
    # Zones platform.yaml lists win over cdk.context.json's cached lookups (config/zones.py).
    app = cdk.App(outdir=outdir, context={**cdk_context(), **zone_context(platform)})
    for name in stages:
        if name == "shared":
            _shared_stage(app, platform)
        else:
            _environment_stage(app, platform, name)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def _environment_stage(app: cdk.App, platform: Platform, name: str) -> cdk.Stage:
    env = platform.env(name)
    stage = cdk.Stage(app, env.cluster_name, env=cdk.Environment(account=env.account, region=platform.region))
    tags = {"innovate:environment": name, "innovate:managed-by": "cdk", "innovate:cost-center": "platform"}
    network = NetworkStack(stage, "network", stack_name=stack_name(name, "network"), env_config=env, tags=tags,
                           description=f"VPC of {env.cluster_name}")
    workloads = load_workloads(platform, name, PROJECT_ROOT)  # the charts' values, read once per stage
    internet_apps = internet_facing_apps(workloads)
    budget = monthly_budget_usd(platform, name, workloads, PROJECT_ROOT) if platform.alerts else None
    platform_stack = PlatformStack(
        stage, "platform", stack_name=stack_name(name, "platform"), platform=platform, env_config=env,
        network=network.network, internet_apps=internet_apps, monthly_budget_usd=budget, tags=tags, description=f"EKS cluster {env.cluster_name} and its AWS resources")
    ci = EnvironmentCiStack(stage, "ci", stack_name=stack_name(name, "ci"), platform=platform, env_name=name,
                            tags=tags, description=f"GitHub Actions deploy roles for {env.cluster_name}")
    return stage


def _shared_stage(app: cdk.App, platform: Platform) -> cdk.Stage:
    stage = cdk.Stage(app, "innovate-shared",
                      env=cdk.Environment(account=platform.shared.account, region=platform.region))
    tags = {"innovate:environment": "shared", "innovate:managed-by": "cdk", "innovate:cost-center": "platform"}
    registry = RegistryStack(stage, "registry", stack_name=stack_name("shared", "registry"), platform=platform,
                             tags=tags, description="ECR repositories of the platform's images")
    SharedCiStack(stage, "ci", stack_name=stack_name("shared", "ci"), platform=platform,
                  registry=registry.registry, tags=tags, description="GitHub Actions image push role")
    return stage
