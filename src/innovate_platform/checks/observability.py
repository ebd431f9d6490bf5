"""`observability`: every environment can be seen and pages someone. Over the synthesized templates:
every log group has a retention; every alarm has an action (directly, or through the composite alarm
that pages for it); every internet-facing app has its availability and latency SLO alarms; no alarm
names a metric nothing emits (observability/metrics.py); every alarm links to its runbook section.

Each rule is `(env, templates, context) -> findings`, so tests feed it a small in-memory template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..config import Platform
from ..observability.alarms import alarm_name
from ..observability.metrics import unknown_metric
from .cfn import Resource, Templates, as_list, resources
from .inputs import CheckInputs
from .model import ENVIRONMENTS, Check, Finding

ALARM, COMPOSITE, LOG_GROUP = "AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm", "AWS::Logs::LogGroup"
RUNBOOK = Path("docs/runbooks/alerts.md")
_CHILD = re.compile(r'ALARM\("([^"]+)"\)')
_ANCHOR = re.compile(r"^#+ .*\{#([a-z0-9-]+)\}\s*$|^<a (?:id|name)=\"([a-z0-9-]+)\"></a>", re.M)


@dataclass(frozen=True)
class Context:
    platform: Platform
    internet_apps: tuple[str, ...]
    runbook_anchors: frozenset[str]


Rule = Callable[[str, Templates, Context], Iterable[Finding]]


def _finding(env: str, res: Resource, field: str, message: str, fix: str) -> Finding:
    return Finding(env, res.label, field, message, fix)


def log_group_retention(env: str, templates: Templates, ctx: Context) -> Iterator[Finding]:
    for res in resources(templates, LOG_GROUP):
        if not res.props.get("RetentionInDays"):
            yield _finding(env, res, "Properties.RetentionInDays", "the log group keeps its logs forever (no retention)",
                           f"set retention=retention(env.log_retention_days) ({ctx.platform.env(env).log_retention_days} days)")


def _name(res: Resource) -> str:
    value = res.props.get("AlarmName")
    return value if isinstance(value, str) else res.logical_id


def alarm_actions(env: str, templates: Templates, ctx: Context) -> Iterator[Finding]:
    """A metric alarm pages itself, or is a child of a composite alarm that pages."""
    paging_children = set()
    for res in resources(templates, COMPOSITE):
        if not as_list(res.props.get("AlarmActions")) or res.props.get("ActionsEnabled") is False:
            yield _finding(env, res, "Properties.AlarmActions", f"composite alarm {_name(res)} notifies nobody",
                           "give it the environment's alerts topic as AlarmActions")
        else:
            paging_children |= set(_CHILD.findall(str(res.props.get("AlarmRule", ""))))
    for res in resources(templates, ALARM):
        pages = as_list(res.props.get("AlarmActions")) and res.props.get("ActionsEnabled") is not False
        if not pages and _name(res) not in paging_children:
            yield _finding(env, res, "Properties.AlarmActions", f"alarm {_name(res)} has no action and no composite pages for it",
                           "add the alerts topic to AlarmActions (or make it a child of a paging composite alarm)")


def _metrics(props: dict) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    if props.get("MetricName"):
        yield props.get("Namespace", ""), props["MetricName"], tuple(d.get("Name") for d in as_list(props.get("Dimensions")))
    for query in as_list(props.get("Metrics")):
        metric = ((query or {}).get("MetricStat") or {}).get("Metric")
        if metric:
            yield metric.get("Namespace", ""), metric.get("MetricName", ""), tuple(d.get("Name") for d in as_list(metric.get("Dimensions")))


def emitted_metrics(env: str, templates: Templates, ctx: Context) -> Iterator[Finding]:
    for res in resources(templates, ALARM):
        for namespace, metric, dims in _metrics(res.props):
            problem = unknown_metric(namespace, metric, dims)
            if problem:
                yield _finding(env, res, "Properties.Metrics", f"alarm {_name(res)} watches a metric nothing emits: {problem}",
                               "use a metric of observability/metrics.py with the dimensions its publisher uses")


def slo_alarms(env: str, templates: Templates, ctx: Context) -> Iterator[Finding]:
    composites = {_name(r) for r in resources(templates, COMPOSITE)}
    stack = next(iter(templates), "")
    for app in ctx.internet_apps:
        for kind in ("availability", "latency"):
            expected = alarm_name(ctx.platform.env(env), f"{app}-{kind}-fast-burn")
            if expected not in composites:
                yield Finding(env, f"{stack} (AWS::CloudWatch::CompositeAlarm)", "",
                              f"internet-facing app {app} has no {kind} SLO burn-rate alarm ({expected})",
                              "set platform.yaml alerts (slo targets) so observability/alarms.py creates it")


def runbook_links(env: str, templates: Templates, ctx: Context) -> Iterator[Finding]:
    if ctx.platform.alerts is None:
        return
    base = ctx.platform.alerts.runbook_url + "#"
    for res in resources(templates, ALARM, COMPOSITE):
        description = str(res.props.get("AlarmDescription", ""))
        anchor = description.split(base, 1)[1].split()[0].rstrip(".") if base in description else None
        if anchor is None:
            yield _finding(env, res, "Properties.AlarmDescription", f"alarm {_name(res)} links to no runbook section",
                           f"end its description with Runbook: {base}<section>")
        elif ctx.runbook_anchors and anchor not in ctx.runbook_anchors:
            yield _finding(env, res, "Properties.AlarmDescription", f"alarm {_name(res)} links to #{anchor}, which {RUNBOOK} lacks",
                           f"add a section with {{#{anchor}}} to {RUNBOOK}")


RULES: tuple[Rule, ...] = (log_group_retention, alarm_actions, emitted_metrics, slo_alarms, runbook_links)


def template_findings(env: str, templates: Templates, ctx: Context) -> list[Finding]:
    findings = [f for rule in RULES for f in rule(env, templates, ctx)]
    if ctx.platform.alerts is None:
        findings.append(Finding(env, "platform.yaml", "alerts", "no alerts section: no topic, no alarm pages anyone",
                                "add alerts (emails, slo, runbook_url); see docs/platform-yaml.md"))
    return findings


def runbook_anchors(root: Path) -> frozenset[str]:
    path = root / RUNBOOK
    if not path.exists():
        return frozenset()
    return frozenset(a or b for a, b in _ANCHOR.findall(path.read_text()))


def run(inputs: CheckInputs, env: str) -> list[Finding]:
    from ..insight.workloads import load_workloads
    from ..observability.budget import internet_facing_apps

    templates = inputs.synthesis().templates(env)
    apps = internet_facing_apps(load_workloads(inputs.platform, env, inputs.root))
    ctx = Context(inputs.platform, apps, runbook_anchors(inputs.root))
    return template_findings(env, templates, ctx)


CHECK = Check("observability", "log retention, alarm actions, SLO alarms, emitted metrics and runbook links", run,
              needs=("synthesis",), envs=ENVIRONMENTS)
