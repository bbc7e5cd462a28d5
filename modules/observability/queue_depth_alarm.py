"""An alarm on messages waiting in an SQS queue, for dead-letter queues: any message there is lost work."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.observability.alerts_topic import AlertsTopic
from modules.observability.topic_alarm import AlarmMetric, TopicAlarm, TopicAlarmProps


@dataclass(frozen=True, kw_only=True)
class QueueDepthAlarmProps:
    """Settings of a QueueDepthAlarm."""

    name: str
    """Required. Alarm name, e.g. "csg-dev-ingest-dead-letters"."""
    description: str
    """Required. What a waiting message means and where to look."""
    max_visible_messages: int = 0
    """Default 0: any visible message alarms (right for a dead-letter queue)."""


class QueueDepthAlarm(Construct):
    """`self.alarm` on ApproximateNumberOfMessagesVisible (maximum over 5 minutes)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queue: SqsQueue,
        topic: AlertsTopic,
        props: QueueDepthAlarmProps,
    ) -> None:
        super().__init__(scope, construct_id)
        raise_if_problems(
            self,
            [] if props.max_visible_messages >= 0 else ["max_visible_messages: must not be negative"],
        )
        self.alarm = TopicAlarm(
            self,
            "alarm",
            topic=topic,
            props=TopicAlarmProps(
                name=props.name,
                description=props.description,
                metric=AlarmMetric(
                    namespace="AWS/SQS",
                    metric_name="ApproximateNumberOfMessagesVisible",
                    dimensions={"QueueName": queue.name},
                    statistic="Maximum",
                ),
                comparison="GreaterThanThreshold",
                threshold=props.max_visible_messages,
                # A queue holding messages counts as active and always reports; SQS stops reporting only for
                # empty queues nobody touched for 6 hours.
                treat_missing_data="notBreaching",
                period_seconds=300,
            ),
        )
