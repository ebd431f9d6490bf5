"""What each environment's platform stack holds to be seen and to page someone: the Container
Insights add-on with its own role and its log groups made first with the environment's retention,
the alerts topic with platform.yaml's subscribers, every alarm's metric, threshold, evaluation and
action as platform.yaml sets them, the budget at the `innovate cost` estimate plus the margin, the
dashboard, and dev's alarm actions muted while it sleeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from innovate_platform.insight.cost import estimate
from innovate_platform.insight.templates import facts_from_templates
from innovate_platform.insight.workloads import load_workloads
from innovate_platform.observability.budget import facts_from_config

from .helpers import as_list, one, resources, role, text

ENVS = ("dev", "staging", "prod")
ROOT = Path(__file__).resolve().parents[2]


def alarms(synthesis, env) -> dict[str, dict]:
    return {a["AlarmName"]: a for a in resources(synthesis, env, "AWS::CloudWatch::Alarm")}


def composites(synthesis, env) -> dict[str, dict]:
    return {a["AlarmName"]: a for a in resources(synthesis, env, "AWS::CloudWatch::CompositeAlarm")}


def topic_ref(synthesis, env) -> dict:
    return {"Ref": one(synthesis, env, "AWS::SNS::Topic")["_id"]}


def metric_of(alarm: dict, metric_id: str | None = None) -> dict:
    if metric_id is None:
        return {"Namespace": alarm["Namespace"], "MetricName": alarm["MetricName"], "Stat": alarm["Statistic"],
                "Period": alarm["Period"], "Dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]}}
    stat = next(q for q in alarm["Metrics"] if q["Id"] == metric_id)["MetricStat"]
    return {"Namespace": stat["Metric"]["Namespace"], "MetricName": stat["Metric"]["MetricName"], "Stat": stat["Stat"],
            "Period": stat["Period"], "Dimensions": {d["Name"]: d["Value"] for d in stat["Metric"]["Dimensions"]}}


@pytest.mark.parametrize("env", ENVS)
def test_addon_pinned_with_its_own_role_after_its_log_groups(synthesis, platform, env):
    config = platform.env(env)
    addon = next(a for a in resources(synthesis, env, "AWS::EKS::Addon") if a["AddonName"] == "amazon-cloudwatch-observability")
    assert addon["AddonVersion"] == platform.versions.addons["amazon-cloudwatch-observability"]
    assert json.loads(addon["ConfigurationValues"]) == {"containerLogs": {"enabled": True}}
    agent = role(synthesis, env, f"{config.cluster_name}-cloudwatch-agent")
    assert addon["ServiceAccountRoleArn"] == {"Fn::GetAtt": [agent["_id"], "Arn"]}
    assert "CloudWatchAgentServerPolicy" in text(agent["ManagedPolicyArns"])
    assert any("system:serviceaccount:amazon-cloudwatch:cloudwatch-agent" in text(r)
               for r in resources(synthesis, env, "Custom::AWSCDKCfnJson"))
    groups = {g["LogGroupName"]: g for g in resources(synthesis, env, "AWS::Logs::LogGroup")
              if str(g.get("LogGroupName", "")).startswith("/aws/containerinsights/")}
    assert set(groups) == {f"/aws/containerinsights/{config.cluster_name}/{k}"
                           for k in ("application", "dataplane", "host", "performance")}
    assert {g["RetentionInDays"] for g in groups.values()} == {config.log_retention_days}
    stack = next(s for s in synthesis.for_stage(env) if addon["_id"] in s.resources)
    assert set(stack.resources[addon["_id"]]["DependsOn"]) >= {g["_id"] for g in groups.values()}


@pytest.mark.parametrize("env", ENVS)
def test_topic_subscribers_come_from_platform_yaml(synthesis, platform, env):
    subs = resources(synthesis, env, "AWS::SNS::Subscription")
    assert sorted(s["Endpoint"] for s in subs if s["Protocol"] == "email") == sorted(platform.alerts.emails)
    assert all(s["TopicArn"] == topic_ref(synthesis, env) for s in subs)
    policy, topic = one(synthesis, env, "AWS::SNS::TopicPolicy"), one(synthesis, env, "AWS::SNS::Topic")
    publishers = {service for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
                  and s["Action"] == "sns:Publish" for service in as_list(s["Principal"]["Service"])}
    assert publishers == {"cloudwatch.amazonaws.com", "budgets.amazonaws.com"}
    # Both services must be able to use the topic's key: the AWS managed aws/sns key does not let them.
    key = next(k for k in resources(synthesis, env, "AWS::KMS::Key") if k["_id"] == topic["KmsMasterKeyId"]["Fn::GetAtt"][0])
    users = {service for s in key["KeyPolicy"]["Statement"] if "Service" in s.get("Principal", {})
             for service in as_list(s["Principal"]["Service"])}
    assert users >= {"cloudwatch.amazonaws.com", "budgets.amazonaws.com"} and key["EnableKeyRotation"] is True


@pytest.mark.parametrize("env", ENVS)
def test_every_alarm_pages_the_topic_or_through_its_composite(synthesis, env):
    topic = topic_ref(synthesis, env)
    found, paging = alarms(synthesis, env), composites(synthesis, env)
    children = {c for comp in paging.values() for c in comp["AlarmRule"].split('"')[1::2]}
    for comp in paging.values():
        assert comp["AlarmActions"] == [topic] and comp["OKActions"] == [topic]
        assert "Runbook: https://" in comp["AlarmDescription"]
    for name, alarm in found.items():
        assert alarm["TreatMissingData"] == "notBreaching", name
        assert "Runbook: https://" in alarm["AlarmDescription"], name
        assert alarm.get("AlarmActions") == [topic] or name in children, name


@pytest.mark.parametrize("env", ENVS)
def test_slo_burn_rate_alarms_per_internet_facing_app(synthesis, platform, env):
    slo, cluster = platform.alerts.slo, platform.env(env).cluster_name
    found, paging = alarms(synthesis, env), composites(synthesis, env)
    for app in ("api", "web"):
        for speed, burn, long_s, short_s in (("fast", 14.4, 3600, 300), ("slow", 6.0, 21600, 1800)):
            avail_long = found[f"{cluster}-{app}-availability-{speed}-long"]
            requests = metric_of(avail_long, "requests")
            assert (requests["Namespace"], requests["MetricName"], requests["Stat"], requests["Period"]) == (
                "AWS/ApplicationELB", "RequestCount", "Sum", long_s)
            assert requests["Dimensions"]["TargetGroup"] == {"Ref": f"{app.capitalize()}TargetGroup"}
            assert metric_of(avail_long, "elb5xx")["Dimensions"] == {"LoadBalancer": {"Ref": "AlbLoadBalancer"}}
            assert metric_of(avail_long, "target5xx")["MetricName"] == "HTTPCode_Target_5XX_Count"
            assert avail_long["Threshold"] == pytest.approx(burn * (100 - slo.availability_percent))
            short = found[f"{cluster}-{app}-availability-{speed}-short"]
            assert metric_of(short, "requests")["Period"] == short_s
            latency = found[f"{cluster}-{app}-latency-{speed}-long"]
            fast = metric_of(latency, "fast")
            assert (fast["MetricName"], fast["Stat"]) == ("TargetResponseTime", f"PR(0:{slo.latency_p99_ms / 1000:g})")
            assert latency["Threshold"] == pytest.approx(burn * 1.0)  # p99: 1% of requests may be slow
            for kind in ("availability", "latency"):
                rule = paging[f"{cluster}-{app}-{kind}-{speed}-burn"]["AlarmRule"]
                assert rule == (f'ALARM("{cluster}-{app}-{kind}-{speed}-long") AND '
                                f'ALARM("{cluster}-{app}-{kind}-{speed}-short")')
            assert (avail_long["EvaluationPeriods"], avail_long["DatapointsToAlarm"]) == (1, 1)


@pytest.mark.parametrize("env", ENVS)
def test_database_alarms_match_platform_yaml(synthesis, platform, env):
    t, db, cluster = platform.alerts.thresholds, platform.env(env).database, platform.env(env).cluster_name
    found, topic = alarms(synthesis, env), topic_ref(synthesis, env)
    memory_gib = {"db.t4g.micro": 1, "db.t4g.small": 2, "db.m6g.large": 8}[db.instance_class]
    expected = {
        "db-cpu": ("CPUUtilization", "Average", t.db_cpu_percent, "GreaterThanThreshold", 3),
        "db-free-storage": ("FreeStorageSpace", "Minimum", db.allocated_storage_gib * 2**30 * t.db_free_storage_percent / 100,
                            "LessThanThreshold", 1),
        "db-free-memory": ("FreeableMemory", "Minimum", t.db_free_memory_mib * 2**20, "LessThanThreshold", 3),
        "db-connections": ("DatabaseConnections", "Maximum",
                           int(min(memory_gib * 2**30 // 9531392, 5000) * t.db_connections_percent / 100),
                           "GreaterThanThreshold", 2),
    }
    for suffix, (metric, stat, threshold, comparison, periods) in expected.items():
        alarm = found[f"{cluster}-{suffix}"]
        m = metric_of(alarm)
        assert (m["Namespace"], m["MetricName"], m["Stat"], m["Period"]) == ("AWS/RDS", metric, stat, 300)
        assert m["Dimensions"] == {"DBInstanceIdentifier": f"{cluster}-postgres"}
        assert alarm["Threshold"] == pytest.approx(threshold) and alarm["ComparisonOperator"] == comparison
        assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (periods, periods)
        assert alarm["AlarmActions"] == [topic]


@pytest.mark.parametrize("env", ENVS)
def test_capacity_alarms_match_platform_yaml(synthesis, platform, env):
    t, config = platform.alerts.thresholds, platform.env(env)
    found, cluster = alarms(synthesis, env), config.cluster_name
    pending = found[f"{cluster}-pods-pending"]
    assert metric_of(pending) == {"Namespace": "ContainerInsights", "MetricName": "pod_status_pending", "Stat": "Maximum",
                                  "Period": 60, "Dimensions": {"ClusterName": cluster}}
    assert (pending["EvaluationPeriods"], pending["DatapointsToAlarm"], pending["Threshold"]) == (
        t.pods_pending_minutes, t.pods_pending_minutes, 0)
    not_ready = found[f"{cluster}-node-not-ready"]
    assert metric_of(not_ready)["MetricName"] == "cluster_failed_node_count"
    assert not_ready["EvaluationPeriods"] == t.node_not_ready_minutes
    restarts = found[f"{cluster}-container-restarts"]
    assert metric_of(restarts) == {"Namespace": "ContainerInsights", "MetricName": "pod_number_of_container_restarts",
                                   "Stat": "Sum", "Period": t.restarts_window_minutes * 60,
                                   "Dimensions": {"ClusterName": cluster}}  # restarts since the last sample, summed
    assert restarts["Threshold"] == t.container_restarts
    queue_alarms = {n for n in found if "karpenter-queue" in n}
    if config.uses_karpenter:
        depth = found[f"{cluster}-karpenter-queue-depth"]
        assert metric_of(depth) == {"Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
                                    "Stat": "Maximum", "Period": 300,
                                    "Dimensions": {"QueueName": f"{cluster}-karpenter-interruption"}}
        assert depth["Threshold"] == t.interruption_queue_depth
        assert found[f"{cluster}-karpenter-queue-age"]["Threshold"] == t.interruption_message_age_seconds
    else:
        assert not queue_alarms


@pytest.mark.parametrize("env", ENVS)
def test_budget_is_the_cost_estimate_plus_margin(synthesis, platform, env):
    templates = synthesis.templates(env)
    facts = facts_from_templates(templates)
    from innovate_platform.observability.budget import PRICED_TYPES

    config_facts = facts_from_config(platform, platform.env(env))
    assert config_facts == facts.__class__(**{**facts.__dict__, "source": "platform.yaml"})
    assert config_facts.resource_counts == {t: facts.resource_counts.get(t, 0) for t in PRICED_TYPES}
    apps = load_workloads(platform, env, ROOT)
    desired = estimate(platform, env, facts, apps, root=ROOT).total("desired")
    budget = one(synthesis, env, "AWS::Budgets::Budget")
    assert budget["Budget"]["BudgetLimit"] == {
        "Amount": round(desired * (1 + platform.alerts.budget_margin_percent / 100)), "Unit": "USD"}
    assert {n["Notification"]["NotificationType"] for n in budget["NotificationsWithSubscribers"]} == {"ACTUAL", "FORECASTED"}
    assert all(n["Subscribers"] == [{"SubscriptionType": "SNS", "Address": topic_ref(synthesis, env)}]
               for n in budget["NotificationsWithSubscribers"])


@pytest.mark.parametrize("env", ENVS)
def test_one_dashboard_per_environment(synthesis, platform, env):
    dashboard = one(synthesis, env, "AWS::CloudWatch::Dashboard")
    assert dashboard["DashboardName"] == f"{platform.env(env).cluster_name}-oncall"
    body = text(dashboard["DashboardBody"])
    for metric in ("TargetResponseTime", "pod_status_pending", "node_cpu_reserved_capacity", "FreeStorageSpace",
                   "IncomingBytes", "ConsumedLCUs"):
        assert metric in body


def test_dev_alarm_actions_muted_exactly_while_asleep(synthesis, platform):
    sleep = platform.env("dev").sleep
    schedules = {s["Name"]: s for s in resources(synthesis, "dev", "AWS::Scheduler::Schedule")}
    mute, unmute = schedules["innovate-dev-alarms-mute"], schedules["innovate-dev-alarms-unmute"]
    hours, minutes = map(int, sleep.wake_at.split(":"))
    wake = hours * 60 + minutes + 20
    assert mute["ScheduleExpression"] == f"cron({int(sleep.sleep_at[3:])} {int(sleep.sleep_at[:2])} ? * MON-FRI *)"
    assert unmute["ScheduleExpression"] == f"cron({wake % 60} {wake // 60} ? * MON-FRI *)"
    assert mute["Target"]["Arn"].endswith("cloudwatch:disableAlarmActions")
    assert unmute["Target"]["Arn"].endswith("cloudwatch:enableAlarmActions")
    names = set(json.loads(mute["Target"]["Input"])["AlarmNames"])
    assert names == set(alarms(synthesis, "dev")) | set(composites(synthesis, "dev"))
    for env in ("staging", "prod"):
        assert not any("alarms-mute" in str(s.get("Name")) for s in resources(synthesis, env, "AWS::Scheduler::Schedule"))
