"""An alarm on an EC2 instance's status checks; a failed system check also triggers automatic recovery."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.instance import Instance
from constructs import Construct

from modules.core.context import AccountContext
from modules.observability.alerts_topic import AlertsTopic
from modules.observability.topic_alarm import AlarmMetric, TopicAlarm, TopicAlarmProps


@dataclass(frozen=True, kw_only=True)
class InstanceStatusAlarmProps:
    """Settings of an InstanceStatusAlarm."""

    name_prefix: str
    """Required. Alarm-name prefix, e.g. "csg-dev-app-host"."""
    evaluation_periods: int = 2
    """Default 2 one-minute periods (the instance has detailed monitoring)."""


class InstanceStatusAlarm(Construct):
    """`self.alarms`: "status-check" (instance or system check failed; silence = instance not running) and
    "system-check" (hardware/host failure; its alarm action also recovers the instance on new hardware)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        instance: Instance,
        topic: AlertsTopic,
        props: InstanceStatusAlarmProps,
    ) -> None:
        super().__init__(scope, construct_id)
        dimensions = {"InstanceId": instance.id}
        self.alarms = {
            "status-check": TopicAlarm(
                self,
                "status-check",
                topic=topic,
                props=TopicAlarmProps(
                    name=f"{props.name_prefix}-status-check",
                    description="App host failed an EC2 status check, or reports nothing (stopped or gone).",
                    metric=AlarmMetric(
                        namespace="AWS/EC2",
                        metric_name="StatusCheckFailed",
                        dimensions=dimensions,
                        statistic="Maximum",
                    ),
                    comparison="GreaterThanOrEqualToThreshold",
                    threshold=1,
                    treat_missing_data="breaching",
                    period_seconds=60,
                    evaluation_periods=props.evaluation_periods,
                ),
            ),
            "system-check": TopicAlarm(
                self,
                "system-check",
                topic=topic,
                props=TopicAlarmProps(
                    name=f"{props.name_prefix}-system-check",
                    description="App host's underlying hardware failed; EC2 recovers it onto a new host.",
                    metric=AlarmMetric(
                        namespace="AWS/EC2",
                        metric_name="StatusCheckFailed_System",
                        dimensions=dimensions,
                        statistic="Maximum",
                    ),
                    comparison="GreaterThanOrEqualToThreshold",
                    threshold=1,
                    # Missing data is already covered by status-check; recovery needs a real failure.
                    treat_missing_data="missing",
                    period_seconds=60,
                    evaluation_periods=props.evaluation_periods,
                    extra_alarm_actions=(f"arn:{context.partition}:automate:{context.region}:ec2:recover",),
                ),
            ),
        }
