"""Alarms for one DynamoDB table: throttled requests and system errors."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.observability.alerts_topic import AlertsTopic
from modules.observability.topic_alarm import AlarmMetric, TopicAlarm, TopicAlarmProps

# SystemErrors is published per operation only; the alarm sums the operations the platform's code uses.
SYSTEM_ERROR_OPERATIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                           "BatchWriteItem", "TransactGetItems", "TransactWriteItems")  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class TableAlarmsProps:
    """Settings of TableAlarms (the environment's AlarmThresholds)."""

    name_prefix: str
    """Required. Alarm-name prefix, e.g. "csg-dev-table-events"."""
    throttled_events: int = 1
    """Default 1. Read + write throttle events per period at or above which the table alarms."""
    system_errors: int = 1
    """Default 1. System errors per period at or above which the table alarms."""
    period_seconds: int = 300
    """Default 300."""


class TableAlarms(Construct):
    """`self.alarms`: "throttles" and "system-errors", wired to the alerts topic. Both metrics are only
    published when something happens, so missing data means healthy."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: DynamodbTable,
        topic: AlertsTopic,
        props: TableAlarmsProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if props.throttled_events < 1:
            problems.append("throttled_events: must be at least 1")
        if props.system_errors < 1:
            problems.append("system_errors: must be at least 1")
        raise_if_problems(self, problems)

        dimensions = {"TableName": table.name}
        throttles = tuple(
            AlarmMetric(namespace="AWS/DynamoDB", metric_name=name, dimensions=dimensions, statistic="Sum")
            for name in ("ReadThrottleEvents", "WriteThrottleEvents")
        )
        errors = tuple(
            AlarmMetric(
                namespace="AWS/DynamoDB",
                metric_name="SystemErrors",
                dimensions={**dimensions, "Operation": operation},
                statistic="Sum",
            )
            for operation in SYSTEM_ERROR_OPERATIONS
        )
        self.alarms: dict[str, TopicAlarm] = {
            "throttles": TopicAlarm(
                self,
                "throttles",
                topic=topic,
                props=TopicAlarmProps(
                    name=f"{props.name_prefix}-throttles",
                    description=f"DynamoDB throttled {props.throttled_events}+ requests in "
                    f"{props.period_seconds} s.",
                    expression="FILL(m0, 0) + FILL(m1, 0)",
                    expression_metrics=throttles,
                    comparison="GreaterThanOrEqualToThreshold",
                    threshold=props.throttled_events,
                    treat_missing_data="notBreaching",
                    period_seconds=props.period_seconds,
                ),
            ),
            "system-errors": TopicAlarm(
                self,
                "system-errors",
                topic=topic,
                props=TopicAlarmProps(
                    name=f"{props.name_prefix}-system-errors",
                    description=f"DynamoDB returned {props.system_errors}+ internal (5xx) errors.",
                    expression=" + ".join(f"FILL(m{index}, 0)" for index in range(len(errors))),
                    expression_metrics=errors,
                    comparison="GreaterThanOrEqualToThreshold",
                    threshold=props.system_errors,
                    treat_missing_data="notBreaching",
                    period_seconds=props.period_seconds,
                ),
            ),
        }
