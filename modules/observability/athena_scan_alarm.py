"""An alarm on the data an Athena workgroup scans per hour: the cost of a runaway or badly written query."""

from dataclasses import dataclass

from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.observability.alerts_topic import AlertsTopic
from modules.observability.topic_alarm import AlarmMetric, TopicAlarm, TopicAlarmProps

GIB = 1024**3
HOUR_SECONDS = 3600


@dataclass(frozen=True, kw_only=True)
class AthenaScanAlarmProps:
    """Settings of an AthenaScanAlarm."""

    name: str
    """Required. Alarm name, e.g. "csg-dev-athena-bytes-scanned"."""
    workgroup_name: str
    """Required. The workgroup (it must publish CloudWatch metrics)."""
    max_scanned_gib_per_hour: float = 100
    """Default 100. GiB scanned in one hour above which it alarms."""


class AthenaScanAlarm(Construct):
    """`self.alarm` on AWS/Athena ProcessedBytes (sum per hour) of one workgroup."""

    def __init__(
        self, scope: Construct, construct_id: str, *, topic: AlertsTopic, props: AthenaScanAlarmProps
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if props.max_scanned_gib_per_hour <= 0:
            problems.append("max_scanned_gib_per_hour: must be positive")
        if not props.workgroup_name:
            problems.append("workgroup_name: required")
        raise_if_problems(self, problems)
        self.alarm = TopicAlarm(
            self,
            "alarm",
            topic=topic,
            props=TopicAlarmProps(
                name=props.name,
                description=f"Athena workgroup {props.workgroup_name} scanned more than "
                f"{props.max_scanned_gib_per_hour} GiB in an hour (cost: check the query history).",
                metric=AlarmMetric(
                    namespace="AWS/Athena",
                    metric_name="ProcessedBytes",
                    statistic="Sum",
                    dimensions={"WorkGroup": props.workgroup_name},
                ),
                comparison="GreaterThanThreshold",
                threshold=props.max_scanned_gib_per_hour * GIB,
                treat_missing_data="notBreaching",  # no queries, no data
                period_seconds=HOUR_SECONDS,
            ),
        )
