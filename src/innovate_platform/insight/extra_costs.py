"""Cost items that sit outside compute and were missing from the estimate: VPC flow-log
ingestion, KMS keys, Secrets Manager, inter-AZ traffic, and the shared services account (ECR
storage). Counts come from the synthesized templates (`TemplateFacts.resource_counts`); volumes
are named assumptions below; prices are in data/prices.yaml with their sources.

These items are the same in this platform and in the seed's design (the seed also runs a VPC
with flow logs, encrypted secrets, a database across AZs and ECR), so they go on both sides.
"""

from __future__ import annotations

from ..config import Environment, Platform
from .cost import LineItem, _rounded
from .prices import PriceTable
from .templates import TemplateFacts

# -- Named assumptions (docs/insight.md) --------------------------------------------------
# VPC flow logs (all traffic, default format) delivered to CloudWatch Logs, GB/month.
FLOW_LOG_GB_PER_MONTH = {"dev": 2, "staging": 5, "prod": 40}
# Bytes crossing AZs inside the VPC (pod to pod, pod to the database in another AZ), GB/month.
# ALB to target traffic is not billed across AZs.
INTER_AZ_GB_PER_MONTH = {"dev": 10, "staging": 25, "prod": 300}
# Stored size of one image tag in ECR (compressed layers, no layer sharing counted: an upper bound).
ECR_GB_PER_IMAGE = 0.1


def environment_items(env: Environment, facts: TemplateFacts, prices: PriceTable) -> list[LineItem]:
    """Flow logs, KMS keys, secrets and inter-AZ traffic of one environment account."""
    counts = facts.resource_counts
    p = prices.item
    items: list[LineItem] = []
    flow_logs = counts.get("AWS::EC2::FlowLog", 0)
    if flow_logs:
        gb = FLOW_LOG_GB_PER_MONTH[env.name]
        ingest, store = p("vended_logs_ingest_gb"), p("cloudwatch_logs_storage_gb_month")
        stored = gb * env.log_retention_days / 30
        items.append(LineItem.flat("logs", "VPC flow logs delivered", f"{flow_logs} flow log, {gb} GB/month (assumption FLOW_LOG_GB_PER_MONTH)",
                                   gb * ingest.value, ingest.cite()))
        items.append(LineItem.flat("logs", "VPC flow logs stored", f"{stored:.1f} GB at {env.log_retention_days}-day retention",
                                   stored * store.value, store.cite()))
    keys = counts.get("AWS::KMS::Key", 0)
    if keys:
        kms = p("kms_key_month")
        items.append(LineItem.flat("security", "KMS customer managed keys", f"{keys} keys in the templates; requests within the free tier (assumption)",
                                   keys * kms.value, kms.cite()))
    secrets = counts.get("AWS::SecretsManager::Secret", 0)
    if secrets:
        sm = p("secrets_manager_secret_month")
        items.append(LineItem.flat("security", "Secrets Manager secrets", f"{secrets} secrets in the templates",
                                   secrets * sm.value, sm.cite()))
    if env.az_count > 1:
        gb = INTER_AZ_GB_PER_MONTH[env.name]
        az = p("inter_az_gb")
        items.append(LineItem.flat("network", "Inter-AZ traffic", f"{gb} GB/month, billed out and in (assumption INTER_AZ_GB_PER_MONTH)",
                                   gb * 2 * az.value, az.cite()))
    return [_rounded(i) for i in items]


def shared_account_items(platform: Platform, facts: TemplateFacts, prices: PriceTable) -> list[LineItem]:
    """The shared services account: ECR storage for every repository at its retention count,
    plus any KMS keys and secrets its templates create."""
    counts = facts.resource_counts
    repos = counts.get("AWS::ECR::Repository", 0)
    ecr = prices.item("ecr_storage_gb_month")
    keep = platform.shared.image_retention_count
    gb = repos * keep * ECR_GB_PER_IMAGE
    items = [LineItem.flat("registry", "ECR storage", f"{repos} repositories x {keep} images (lifecycle rule) x "
                           f"{ECR_GB_PER_IMAGE:g} GB (assumption ECR_GB_PER_IMAGE)", gb * ecr.value, ecr.cite())]
    if counts.get("AWS::KMS::Key", 0):
        kms = prices.item("kms_key_month")
        items.append(LineItem.flat("security", "KMS customer managed keys", f"{counts['AWS::KMS::Key']} keys", counts["AWS::KMS::Key"] * kms.value, kms.cite()))
    if counts.get("AWS::SecretsManager::Secret", 0):
        sm = prices.item("secrets_manager_secret_month")
        n = counts["AWS::SecretsManager::Secret"]
        items.append(LineItem.flat("security", "Secrets Manager secrets", f"{n} secrets", n * sm.value, sm.cite()))
    return [_rounded(i) for i in items]
