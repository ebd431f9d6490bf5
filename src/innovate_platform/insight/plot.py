"""Pictures of the insight results (matplotlib, Agg backend: no display needed).

`simulation_png`: one column per strategy; rows: demand against servable capacity (all apps),
nodes by capacity type, cost so far. `cost_png`: per environment, this platform at min / desired /
max against the seed's design as the seed states it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from .simulate import StrategyResult  # noqa: E402


def _times(t: list[float]) -> list[datetime]:
    return [datetime.fromtimestamp(x, timezone.utc) for x in t]


def simulation_png(results: list[StrategyResult], title: str, out: Path) -> Path:
    """Write the simulation picture; one column per strategy, shared axes per row."""
    cols = len(results)
    fig, axes = plt.subplots(3, cols, figsize=(5.2 * cols, 9), sharex=True, sharey="row", squeeze=False)
    for c, r in enumerate(results):
        tl = r.timeline
        x = _times(tl["t"])
        demand = [sum(v) for v in zip(*tl["demand"])]
        servable = [sum(v) for v in zip(*tl["servable"])]
        ax = axes[0][c]
        ax.plot(x, demand, color="#444444", lw=1.2, label="demand (rps)")
        ax.plot(x, servable, color="#1f77b4", lw=1.0, label="servable (ready pods x target)")
        ax.fill_between(x, servable, demand, where=[d > s for d, s in zip(demand, servable)],
                        color="#d62728", alpha=0.35, lw=0, interpolate=True, label="unserved")
        share = r.demand.get("served_share", 1.0)
        limit = r.demand.get("limit") or "-"
        ax.set_title(f"{r.strategy}\nserved {share:.2%}, SLO min breached {r.demand.get('slo_minutes_breached', 0)}, "
                     f"limit: {limit}", fontsize=9)
        ax = axes[1][c]
        ax.stackplot(x, tl["system"], tl["on_demand"], tl["spot"], colors=("#bbbbbb", "#2ca02c", "#ff7f0e"),
                     labels=("system group", "on-demand (app)", "spot (app)"), step="post")
        ax = axes[2][c]
        ax.plot(x, tl["cost"], color="#9467bd", lw=1.2, label="cost so far (USD)")
        ax.set_title(f"USD {r.cost_usd:,.2f} over {r.hours:g} h (USD {r.monthly_cost_usd:,.0f} a month)", fontsize=9)
        if r.zone_outage:
            at = datetime.fromtimestamp(r.zone_outage["at"], timezone.utc)
            for row in axes:
                row[c].axvline(at, color="#d62728", ls="--", lw=1)
    axes[0][0].set_ylabel("requests per second")
    axes[1][0].set_ylabel("nodes")
    axes[2][0].set_ylabel("USD")
    for row in axes:
        row[0].legend(loc="upper left", fontsize=7)
    for ax in axes[-1]:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %H:%M"))
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def cost_png(rows: list[dict], out: Path) -> Path:
    """rows: {env, min, desired, max, seed} monthly USD."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = 0.2
    envs = [r["env"] for r in rows]
    series = (("min", "#9ecae1"), ("desired", "#3182bd"), ("max", "#08519c"), ("seed", "#e6550d"))
    for k, (key, color) in enumerate(series):
        xs = [i + (k - 1.5) * width for i in range(len(rows))]
        values = [r[key] for r in rows]
        label = "seed's design as stated" if key == "seed" else f"this platform at {key}"
        bars = ax.bar(xs, values, width, color=color, label=label)
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], fontsize=7, rotation=90, padding=2)
    ax.set_xticks(range(len(rows)), envs)
    ax.set_ylabel("USD per month (730 h)")
    ax.set_title("Monthly estimate against the seed's design (modelled)")
    ax.legend(fontsize=8)
    ax.margins(y=0.2)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out
