"""PlatformAlarms: the environment's SNS topic and its subscribers from platform.yaml, every alarm of
observability/alarms.py with its runbook link and the topic as its action, the monthly AWS Budget,
and (dev) the schedule that mutes alarm actions while the environment sleeps."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from ....config import Environment, Platform
from ....observability.alarms import MISSING, AlarmSpec, CompositeSpec, EnvironmentAlarms, MetricSpec, runbook_link
from ..sleep import scheduler_role, weekday_api_call

DISABLE_ACTIONS = "arn:aws:scheduler:::aws-sdk:cloudwatch:disableAlarmActions"
ENABLE_ACTIONS = "arn:aws:scheduler:::aws-sdk:cloudwatch:enableAlarmActions"
PUBLISHERS = ("cloudwatch.amazonaws.com", "budgets.amazonaws.com")
# Actions come back this long after the workloads (pods pending and nodes joining while dev wakes up).
WAKE_GRACE_MINUTES = 20


def alarm_topic_name(env: Environment) -> str:
    return f"{env.cluster_name}-alerts"


class PlatformAlarms(Construct):
    """Topic, alarms, composites, budget; `dimension_values` resolves {LB}/{TG:<app>} placeholders."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, env: Environment,
                 specs: EnvironmentAlarms, dimension_values: dict[str, str], monthly_budget_usd: float) -> None:
        super().__init__(scope, construct_id)
        assert platform.alerts is not None
        alerts = platform.alerts
        self._platform, self._values = platform, dimension_values
        # A key of our own: CloudWatch and Budgets cannot publish to a topic under the AWS managed aws/sns key.
        key = kms.Key(self, "TopicKey", description=f"Encrypts the {env.cluster_name} alerts topic", enable_key_rotation=True)
        publishers = [iam.ServicePrincipal(s) for s in PUBLISHERS]
        key.add_to_resource_policy(iam.PolicyStatement(
            actions=["kms:Decrypt", "kms:GenerateDataKey*"], resources=["*"], principals=publishers,
            conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}}))
        self.topic = sns.Topic(self, "Topic", topic_name=alarm_topic_name(env), display_name=f"{env.cluster_name} alerts",
                               master_key=key, enforce_ssl=True)
        for i, address in enumerate(alerts.emails):
            sns.Subscription(self, f"Email{i}", topic=self.topic, protocol=sns.SubscriptionProtocol.EMAIL, endpoint=address)
        if alerts.chat and alerts.chat.sns_https_endpoint:
            sns.Subscription(self, "Chat", topic=self.topic, protocol=sns.SubscriptionProtocol.HTTPS,
                             endpoint=alerts.chat.sns_https_endpoint)
        # CloudWatch alarms and AWS Budgets publish to the topic (same account only).
        for service in PUBLISHERS:
            self.topic.add_to_resource_policy(iam.PolicyStatement(
                actions=["sns:Publish"], resources=[self.topic.topic_arn], principals=[iam.ServicePrincipal(service)],
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}}))
        self.alarms = {spec.name: self._alarm(spec) for spec in specs.alarms}
        self.composites = {c.name: self._composite(c) for c in specs.composites}
        self.budget = self._budget(env, monthly_budget_usd)
        if env.sleep:
            self._mute_while_asleep(env, specs.names)

    def _dimension(self, value: str) -> str:
        return self._values.get(value, value)

    def _metric(self, metric: MetricSpec) -> cloudwatch.CfnAlarm.MetricProperty:
        return cloudwatch.CfnAlarm.MetricProperty(
            namespace=metric.namespace, metric_name=metric.name,
            dimensions=[cloudwatch.CfnAlarm.DimensionProperty(name=k, value=self._dimension(v)) for k, v in metric.dimensions])

    def _description(self, summary: str, key: str) -> str:
        return f"{summary}. Runbook: {runbook_link(self._platform, key)}"

    def _alarm(self, spec: AlarmSpec) -> cloudwatch.CfnAlarm:
        common = dict(
            alarm_name=spec.name, alarm_description=self._description(spec.summary, spec.key),
            comparison_operator=spec.comparison, threshold=spec.threshold,
            evaluation_periods=spec.evaluation_periods, datapoints_to_alarm=spec.datapoints,
            treat_missing_data=MISSING, actions_enabled=True,
            alarm_actions=[self.topic.topic_arn] if spec.paged else None,
            ok_actions=[self.topic.topic_arn] if spec.paged else None)
        if spec.expression is None:
            (metric,) = spec.metrics.values()
            return cloudwatch.CfnAlarm(self, spec.name, namespace=metric.namespace, metric_name=metric.name,
                                       dimensions=self._metric(metric).dimensions,
                                       statistic=metric.statistic, period=metric.period, **common)
        queries = [cloudwatch.CfnAlarm.MetricDataQueryProperty(id="e1", expression=spec.expression, return_data=True,
                                                               label=spec.summary)]
        queries += [cloudwatch.CfnAlarm.MetricDataQueryProperty(
            id=mid, return_data=False,
            metric_stat=cloudwatch.CfnAlarm.MetricStatProperty(metric=self._metric(m), period=m.period, stat=m.statistic))
            for mid, m in spec.metrics.items()]
        return cloudwatch.CfnAlarm(self, spec.name, metrics=queries, **common)

    def _composite(self, spec: CompositeSpec) -> cloudwatch.CfnCompositeAlarm:
        rule = " AND ".join(f'ALARM("{child}")' for child in spec.children)
        composite = cloudwatch.CfnCompositeAlarm(
            self, spec.name, alarm_name=spec.name, alarm_rule=rule, alarm_description=self._description(spec.summary, spec.key),
            actions_enabled=True, alarm_actions=[self.topic.topic_arn], ok_actions=[self.topic.topic_arn])
        for child in spec.children:
            composite.add_resource_dependency(self.alarms[child])
        return composite

    def _budget(self, env: Environment, amount: float) -> budgets.CfnBudget:
        notifications = [
            budgets.CfnBudget.NotificationWithSubscribersProperty(
                notification=budgets.CfnBudget.NotificationProperty(
                    notification_type=kind, comparison_operator="GREATER_THAN", threshold=100, threshold_type="PERCENTAGE"),
                subscribers=[budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=self.topic.topic_arn)])
            for kind in ("ACTUAL", "FORECASTED")
        ]
        return budgets.CfnBudget(self, "MonthlyBudget", budget=budgets.CfnBudget.BudgetDataProperty(
            budget_name=f"{env.cluster_name}-monthly", budget_type="COST", time_unit="MONTHLY",
            budget_limit=budgets.CfnBudget.SpendProperty(amount=amount, unit="USD")),
            notifications_with_subscribers=notifications)

    def _mute_while_asleep(self, env: Environment, names: tuple[str, ...]) -> None:
        """Alarm actions off when the workloads go down, on again WAKE_GRACE_MINUTES after they are up
        (weekday schedules, so Friday's mute lasts the weekend). States still change and show on the
        dashboard; nobody is paged for a cluster that is asleep on purpose."""
        assert env.sleep is not None
        timeline = env.sleep.timeline()
        hours, minutes = map(int, timeline["workloads_up"].split(":"))
        total = (hours * 60 + minutes + WAKE_GRACE_MINUTES) % (24 * 60)
        enable_at = f"{total // 60:02d}:{total % 60:02d}"
        stack = Stack.of(self)
        arns = [f"arn:{stack.partition}:cloudwatch:{stack.region}:{stack.account}:alarm:{n}" for n in names]
        role = scheduler_role(self, ["cloudwatch:DisableAlarmActions", "cloudwatch:EnableAlarmActions"], arns)
        for step, at, target in (("Mute", timeline["workloads_down"], DISABLE_ACTIONS), ("Unmute", enable_at, ENABLE_ACTIONS)):
            schedule = weekday_api_call(
                self, step, name=f"{env.cluster_name}-alarms-{step.lower()}",
                description=f"{step} alarm actions of {env.cluster_name} ({at} {env.sleep.timezone})", at=at,
                timezone=env.sleep.timezone, target=target, role=role, payload={"AlarmNames": list(names)})
            for alarm in [*self.alarms.values(), *self.composites.values()]:
                schedule.add_resource_dependency(alarm)
