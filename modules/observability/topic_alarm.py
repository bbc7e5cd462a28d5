"""A CloudWatch metric alarm that always notifies the alerts topic, on alarm and on recovery, and always says
what missing data means."""

from dataclasses import dataclass, field
from typing import Literal

from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import (
    CloudwatchMetricAlarm,
    CloudwatchMetricAlarmMetricQuery,
    CloudwatchMetricAlarmMetricQueryMetric,
)
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.observability.alerts_topic import AlertsTopic

TreatMissingData = Literal["breaching", "notBreaching", "ignore", "missing"]
Comparison = Literal[
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
]
Statistic = Literal["Average", "Sum", "Maximum", "Minimum", "SampleCount"]
MAX_EVALUATION_RANGE_SECONDS = 86400  # CloudWatch evaluates at most one day of periods
MAX_MATH_METRICS = 10  # CloudWatch's limit for a metric-math alarm


@dataclass(frozen=True, kw_only=True)
class AlarmMetric:
    """One metric: `namespace`/`metric_name` with `dimensions`, aggregated by `statistic`."""

    namespace: str
    """Required. e.g. "AWS/RDS"."""
    metric_name: str
    """Required. e.g. "CPUUtilization"."""
    dimensions: dict[str, str] = field(default_factory=dict)
    """Default none. e.g. {"DBInstanceIdentifier": ...}."""
    statistic: Statistic = "Average"
    """Default "Average"."""


@dataclass(frozen=True, kw_only=True)
class TopicAlarmProps:
    """Settings of a TopicAlarm: exactly one of `metric` or `expression` (math over `expression_metrics`)."""

    name: str
    """Required. Alarm name, e.g. "csg-dev-database-cpu"."""
    description: str
    """Required. What breached and what to look at first (it is the body of the alert)."""
    comparison: Comparison
    """Required. How the metric compares to `threshold`."""
    threshold: float
    """Required."""
    treat_missing_data: TreatMissingData
    """Required, deliberately: whether silence means healthy ("notBreaching"), broken ("breaching"), or
    unknown ("missing")."""
    metric: AlarmMetric | None = None
    """Default none. The metric, when the alarm watches a single one."""
    expression: str | None = None
    """Default none. Metric-math expression over `expression_metrics` (ids m0, m1, ...)."""
    expression_metrics: tuple[AlarmMetric, ...] = ()
    """Default none. The metrics `expression` combines, at most 10."""
    period_seconds: int = 300
    """Default 300 (5 minutes)."""
    evaluation_periods: int = 1
    """Default 1. Periods that must all breach before the alarm fires."""
    extra_alarm_actions: tuple[str, ...] = ()
    """Default none. Actions besides the topic, e.g. EC2 instance recovery."""


class TopicAlarm(Construct):
    """`self.alarm`, whose alarm and OK actions are the alerts topic (plus `extra_alarm_actions`)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, topic: AlertsTopic, props: TopicAlarmProps
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not 1 <= len(props.name) <= 255:
            problems.append(f"name: {props.name!r} must be 1-255 characters")
        if not props.description.strip():
            problems.append("description: required (it is the body of the alert)")
        if (props.metric is None) == (props.expression is None):
            problems.append("metric / expression: set exactly one")
        if props.expression is not None and not 1 <= len(props.expression_metrics) <= MAX_MATH_METRICS:
            problems.append(f"expression_metrics: an expression needs 1-{MAX_MATH_METRICS} metrics")
        if props.expression is None and props.expression_metrics:
            problems.append("expression_metrics: given without an expression")
        if props.period_seconds not in (10, 30) and (props.period_seconds < 60 or props.period_seconds % 60):
            problems.append(f"period_seconds: {props.period_seconds} is not 10, 30 or a multiple of 60")
        if props.evaluation_periods < 1:
            problems.append("evaluation_periods: must be at least 1")
        if props.period_seconds * props.evaluation_periods > MAX_EVALUATION_RANGE_SECONDS:
            problems.append("period_seconds x evaluation_periods: must not exceed one day")
        raise_if_problems(self, problems)

        single = props.metric
        self.alarm = CloudwatchMetricAlarm(
            self,
            "alarm",
            alarm_name=props.name,
            alarm_description=props.description,
            comparison_operator=props.comparison,
            threshold=props.threshold,
            evaluation_periods=props.evaluation_periods,
            datapoints_to_alarm=props.evaluation_periods,
            treat_missing_data=props.treat_missing_data,
            actions_enabled=True,
            alarm_actions=[topic.arn, *props.extra_alarm_actions],
            ok_actions=[topic.arn],
            namespace=single.namespace if single else None,
            metric_name=single.metric_name if single else None,
            dimensions=single.dimensions or None if single else None,
            statistic=single.statistic if single else None,
            period=props.period_seconds if single else None,
            metric_query=None if single else self._math_queries(props),
        )

    @staticmethod
    def _math_queries(props: TopicAlarmProps) -> list[CloudwatchMetricAlarmMetricQuery]:
        assert props.expression is not None
        queries = [
            CloudwatchMetricAlarmMetricQuery(
                id=f"m{index}",
                return_data=False,
                metric=CloudwatchMetricAlarmMetricQueryMetric(
                    namespace=metric.namespace,
                    metric_name=metric.metric_name,
                    dimensions=metric.dimensions or None,
                    stat=metric.statistic,
                    period=props.period_seconds,
                ),
            )
            for index, metric in enumerate(props.expression_metrics)
        ]
        queries.append(
            CloudwatchMetricAlarmMetricQuery(
                id="total", expression=props.expression, label=props.name, return_data=True
            )
        )
        return queries

    @property
    def name(self) -> str:
        return self.alarm.alarm_name
