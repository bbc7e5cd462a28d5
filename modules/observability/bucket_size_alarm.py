"""An alarm on an S3 bucket's size (S3's free daily storage metric): runaway growth costs, or leaks."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.observability.alerts_topic import AlertsTopic
from modules.observability.topic_alarm import AlarmMetric, TopicAlarm, TopicAlarmProps

GIB = 1024**3
DAY_SECONDS = 86400


@dataclass(frozen=True, kw_only=True)
class BucketSizeAlarmProps:
    """Settings of a BucketSizeAlarm."""

    name: str
    """Required. Alarm name, e.g. "csg-dev-raw-size"."""
    max_size_gib: float = 1024
    """Default 1024 (1 TiB). Bucket size (all storage classes' standard-tier bytes) above which it alarms."""


class BucketSizeAlarm(Construct):
    """`self.alarm` on BucketSizeBytes (StandardStorage), reported by S3 once a day."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: S3Bucket,
        topic: AlertsTopic,
        props: BucketSizeAlarmProps,
    ) -> None:
        super().__init__(scope, construct_id)
        raise_if_problems(self, [] if props.max_size_gib > 0 else ["max_size_gib: must be positive"])
        self.alarm = TopicAlarm(
            self,
            "alarm",
            topic=topic,
            props=TopicAlarmProps(
                name=props.name,
                description=f"Bucket larger than {props.max_size_gib} GiB: unexpected growth (cost, or data "
                "landing where it should not).",
                metric=AlarmMetric(
                    namespace="AWS/S3",
                    metric_name="BucketSizeBytes",
                    statistic="Maximum",
                    dimensions={"BucketName": bucket.bucket, "StorageType": "StandardStorage"},
                ),
                comparison="GreaterThanThreshold",
                threshold=props.max_size_gib * GIB,
                # S3 publishes nothing for an empty bucket, and only once a day.
                treat_missing_data="notBreaching",
                period_seconds=DAY_SECONDS,
            ),
        )
