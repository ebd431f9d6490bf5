"""The per-environment summary `innovate synth` prints."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from .aws.constructs.database import database_summary
from .aws.synth import Synthesis
from .config import Platform


def synth_summary_tables(platform: Platform, result: Synthesis) -> list[Table]:
    """One table per synthesized stage: account, cluster, capacity, stacks and resource counts."""
    tables = []
    stages = list(dict.fromkeys(s.stage for s in result.stacks))
    for stage in stages:
        stacks = result.for_stage(stage)
        table = Table(title=f"{stage}", show_header=False, title_justify="left", title_style="bold")
        table.add_column("field", style="cyan")
        table.add_column("value")
        table.add_row("account", stacks[0].account)
        if stage != "shared":
            env = platform.env(stage)
            table.add_row("cluster", f"{env.cluster_name} (Kubernetes {platform.versions.kubernetes}, "
                                     f"endpoint {'public+private' if env.endpoint.public else 'private only'})")
            for group in env.node_groups:
                table.add_row(f"node group {group.name}",
                              f"{', '.join(group.instance_types)} {group.capacity_type} "
                              f"min {group.min_size} / desired {group.desired_size} / max {group.max_size}")
            if env.karpenter:
                for pool in env.karpenter.node_pools:
                    table.add_row(f"NodePool {pool.name}",
                                  f"{', '.join(pool.instance_types)} {escape('[' + ', '.join(pool.capacity_types) + ']')} "
                                  f"limit {pool.limit_cpu} vCPU")
            table.add_row("app autoscaler", env.app_autoscaler)
            db = database_summary(env)
            table.add_row("database", f"{db['identifier']}: {db['engine']} {db['class']}, "
                                      f"{'Multi-AZ' if db['multi_az'] else 'single-AZ'}, {db['storage']}"
                                      f"{', stops at night' if db['stops_at_night'] else ''}")
        for stack in stacks:
            table.add_row(f"stack {stack.name}", f"{len(stack.resources)} resources")
        tables.append(table)
    return tables
