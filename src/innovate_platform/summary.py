"""The per-environment summary `innovate synth` prints."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .aws.constructs.database import database_summary
from .aws.synth import Synthesis
from .config import Platform


def synth_summary_rows(platform: Platform, result: Synthesis) -> dict[str, list[tuple[str, str]]]:
    """Per synthesized stage, (field, value) rows: account, cluster, capacity, stacks and resource counts."""
    summary: dict[str, list[tuple[str, str]]] = {}
    for stage in dict.fromkeys(s.stage for s in result.stacks):
        stacks = result.for_stage(stage)
        rows = summary.setdefault(stage, [("account", stacks[0].account)])
        if stage != "shared":
            env = platform.env(stage)
            rows.append(("cluster", f"{env.cluster_name} (Kubernetes {platform.versions.kubernetes}, "
                                    f"endpoint {'public+private' if env.endpoint.public else 'private only'})"))
            for group in env.node_groups:
                rows.append((f"node group {group.name}",
                             f"{', '.join(group.instance_types)} {group.capacity_type} "
                             f"min {group.min_size} / desired {group.desired_size} / max {group.max_size}"))
            if env.karpenter:
                for pool in env.karpenter.node_pools:
                    rows.append((f"NodePool {pool.name}", f"{', '.join(pool.instance_types)} "
                                 f"[{', '.join(pool.capacity_types)}] limit {pool.limit_cpu} vCPU"))
            rows.append(("app autoscaler", env.app_autoscaler))
            db = database_summary(env)
            rows.append(("database", f"{db['identifier']}: {db['engine']} {db['class']}, "
                                     f"{'Multi-AZ' if db['multi_az'] else 'single-AZ'}, {db['storage']}"
                                     f"{', stops at night' if db['stops_at_night'] else ''}"))
        rows += [(f"stack {stack.name}", f"{len(stack.resources)} resources") for stack in stacks]
    return summary


def synth_summary_tables(platform: Platform, result: Synthesis) -> list[Table]:
    """One table per synthesized stage; long values wrap (names fold, never cut), text is not markup."""
    tables = []
    for stage, rows in synth_summary_rows(platform, result).items():
        table = Table(title=escape(stage), show_header=False, title_justify="left", title_style="bold")
        table.add_column("field", style="cyan", overflow="fold")
        table.add_column("value", overflow="fold")
        for field, value in rows:
            table.add_row(Text(field), Text(value))
        tables.append(table)
    return tables
