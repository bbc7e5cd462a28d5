"""The single-alarm store constructs: BucketSizeAlarm, QueueDepthAlarm, AthenaScanAlarm and
InstanceStatusAlarm, each wired to the topic with a deliberate missing-data policy."""

from typing import Any

import pytest
from cdktf_cdktf_provider_aws.instance import Instance, InstanceMetadataOptions
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.observability.athena_scan_alarm import AthenaScanAlarm, AthenaScanAlarmProps
from modules.observability.bucket_size_alarm import BucketSizeAlarm, BucketSizeAlarmProps
from modules.observability.instance_status_alarm import InstanceStatusAlarm, InstanceStatusAlarmProps
from modules.observability.queue_depth_alarm import QueueDepthAlarm, QueueDepthAlarmProps
from tests.unit.modules.conftest import Synthesized, resources, synth
from tests.unit.modules.operations_support import alerts_topic, topic_reference


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    def build(stack: Any, context: AccountContext) -> None:
        topic = alerts_topic(stack, context)
        bucket = S3Bucket(stack, "bucket", bucket="csg-test-raw")
        BucketSizeAlarm(
            stack,
            "bucket-size",
            bucket=bucket,
            topic=topic,
            props=BucketSizeAlarmProps(name="bucket-size", max_size_gib=2),
        )
        queue = SqsQueue(stack, "dlq", name="csg-test-dlq")
        QueueDepthAlarm(
            stack,
            "dead-letters",
            queue=queue,
            topic=topic,
            props=QueueDepthAlarmProps(name="dead-letters", description="lost work"),
        )
        AthenaScanAlarm(
            stack,
            "athena",
            topic=topic,
            props=AthenaScanAlarmProps(
                name="athena", workgroup_name="csg-test-analytics", max_scanned_gib_per_hour=10
            ),
        )
        host = Instance(
            stack,
            "host",
            ami="ami-1",
            instance_type="t3.micro",
            metadata_options=InstanceMetadataOptions(http_tokens="required", http_put_response_hop_limit=1),
        )
        InstanceStatusAlarm(
            stack,
            "host-alarms",
            context=context,
            instance=host,
            topic=topic,
            props=InstanceStatusAlarmProps(name_prefix="host"),
        )

    return synth(build, aspects_production=True)


def _alarms(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {a["alarm_name"]: a for a in resources(synthesized, "aws_cloudwatch_metric_alarm").values()}


def test_every_alarm_notifies_the_topic_on_alarm_and_ok(synthesized: Synthesized) -> None:
    topic = topic_reference(resources(synthesized, "aws_sns_topic"))
    for alarm in _alarms(synthesized).values():
        assert alarm["alarm_actions"][0] == topic
        assert alarm["ok_actions"] == [topic]


def test_bucket_size_alarm_watches_the_bucket_daily(synthesized: Synthesized) -> None:
    (bucket_id,) = resources(synthesized, "aws_s3_bucket")
    alarm = _alarms(synthesized)["bucket-size"]
    assert alarm["dimensions"] == {
        "BucketName": f"${{aws_s3_bucket.{bucket_id}.bucket}}",
        "StorageType": "StandardStorage",
    }
    assert (alarm["metric_name"], alarm["period"], alarm["threshold"]) == (
        "BucketSizeBytes",
        86400,
        2 * 1024**3,
    )
    assert alarm["treat_missing_data"] == "notBreaching"  # empty buckets report nothing


def test_any_dead_letter_alarms(synthesized: Synthesized) -> None:
    (queue_id,) = resources(synthesized, "aws_sqs_queue")
    alarm = _alarms(synthesized)["dead-letters"]
    assert alarm["dimensions"] == {"QueueName": f"${{aws_sqs_queue.{queue_id}.name}}"}
    assert (alarm["comparison_operator"], alarm["threshold"]) == ("GreaterThanThreshold", 0)
    assert alarm["alarm_description"] == "lost work"


def test_athena_alarm_sums_bytes_scanned_per_hour_in_the_workgroup(synthesized: Synthesized) -> None:
    alarm = _alarms(synthesized)["athena"]
    assert alarm["dimensions"] == {"WorkGroup": "csg-test-analytics"}
    assert (alarm["metric_name"], alarm["statistic"], alarm["period"]) == ("ProcessedBytes", "Sum", 3600)
    assert alarm["threshold"] == 10 * 1024**3


def test_a_silent_host_alarms_and_a_failed_host_is_recovered(synthesized: Synthesized) -> None:
    alarms = _alarms(synthesized)
    status, system = alarms["host-status-check"], alarms["host-system-check"]
    assert (status["metric_name"], status["treat_missing_data"]) == ("StatusCheckFailed", "breaching")
    assert system["metric_name"] == "StatusCheckFailed_System"
    assert system["alarm_actions"][1].endswith(":ec2:recover")
    (host_id,) = resources(synthesized, "aws_instance")
    assert status["dimensions"] == {"InstanceId": f"${{aws_instance.{host_id}.id}}"}


def test_invalid_store_alarm_props_are_rejected() -> None:
    def build(stack: Any, context: AccountContext) -> None:
        topic = alerts_topic(stack, context)
        AthenaScanAlarm(
            stack,
            "athena",
            topic=topic,
            props=AthenaScanAlarmProps(name="a", workgroup_name="", max_scanned_gib_per_hour=0),
        )

    with pytest.raises(PropsError) as error:
        synth(build)
    assert len(error.value.problems) == 2
