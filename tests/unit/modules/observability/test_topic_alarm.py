"""TopicAlarm: always notifies the alerts topic on alarm and on recovery, always states its missing-data
policy; the forbidden-settings aspect rejects alarms built any other way."""

from typing import Any

import pytest
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.observability.topic_alarm import AlarmMetric, TopicAlarm, TopicAlarmProps
from tests.unit.modules.conftest import Synthesized, resources, synth
from tests.unit.modules.operations_support import alerts_topic, topic_reference

CPU = AlarmMetric(
    namespace="AWS/RDS", metric_name="CPUUtilization", dimensions={"DBInstanceIdentifier": "db"}
)


def _alarm(stack: Any, context: AccountContext, construct_id: str, **overrides: Any) -> TopicAlarm:
    settings: dict[str, Any] = {
        "name": construct_id,
        "description": "d",
        "comparison": "GreaterThanThreshold",
        "threshold": 80,
        "treat_missing_data": "breaching",
        "metric": CPU,
        **overrides,
    }
    return TopicAlarm(
        stack, construct_id, topic=stack.node.find_child("alerts"), props=TopicAlarmProps(**settings)
    )


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    def build(stack: Any, context: AccountContext) -> None:
        alerts_topic(stack, context)
        _alarm(
            stack,
            context,
            "single",
            evaluation_periods=3,
            extra_alarm_actions=("arn:aws:automate:x:ec2:recover",),
        )
        _alarm(
            stack,
            context,
            "math",
            metric=None,
            expression="m0 + m1",
            expression_metrics=(CPU, AlarmMetric(namespace="AWS/RDS", metric_name="ReadIOPS")),
        )

    return synth(build, aspects_production=True)


def _alarms(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {
        alarm["alarm_name"]: alarm for alarm in resources(synthesized, "aws_cloudwatch_metric_alarm").values()
    }


def test_alarm_and_recovery_both_notify_the_topic(synthesized: Synthesized) -> None:
    topic = topic_reference(resources(synthesized, "aws_sns_topic"))
    for alarm in _alarms(synthesized).values():
        assert alarm["alarm_actions"][0] == topic
        assert alarm["ok_actions"] == [topic]
        assert alarm["actions_enabled"] is True


def test_missing_data_policy_and_evaluation_are_as_given(synthesized: Synthesized) -> None:
    single = _alarms(synthesized)["single"]
    assert single["treat_missing_data"] == "breaching"
    assert single["evaluation_periods"] == single["datapoints_to_alarm"] == 3
    assert single["alarm_actions"][1] == "arn:aws:automate:x:ec2:recover"
    assert single["dimensions"] == {"DBInstanceIdentifier": "db"}


def test_metric_math_alarm_returns_only_the_expression(synthesized: Synthesized) -> None:
    queries = _alarms(synthesized)["math"]["metric_query"]
    assert [q["id"] for q in queries] == ["m0", "m1", "total"]
    assert [q["return_data"] for q in queries] == [False, False, True]
    assert queries[-1]["expression"] == "m0 + m1"
    assert "metric_name" not in _alarms(synthesized)["math"]


def test_inconsistent_alarm_props_are_all_reported() -> None:
    def build(stack: Any, context: AccountContext) -> None:
        alerts_topic(stack, context)
        _alarm(
            stack,
            context,
            "bad",
            description=" ",
            expression="m0",
            period_seconds=90,
            evaluation_periods=1000,
        )

    with pytest.raises(PropsError) as error:
        synth(build)
    assert len(error.value.problems) == 5  # description, metric+expression, no metrics, period, range


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "alarm without alarm actions"),
        ({"alarm_actions": ["arn:aws:sns:eu-west-1:111122223333:t"]}, "alarm without OK actions"),
        (
            {
                "alarm_actions": ["arn:aws:sns:eu-west-1:111122223333:t"],
                "ok_actions": ["arn:aws:sns:eu-west-1:111122223333:t"],
            },
            "does not say what missing data means",
        ),
        (
            {
                "alarm_actions": ["a"],
                "ok_actions": ["a"],
                "treat_missing_data": "missing",
                "actions_enabled": False,
            },
            "actions disabled",
        ),
    ],
)
def test_aspect_rejects_an_alarm_that_would_tell_nobody(settings: dict[str, Any], message: str) -> None:
    def build(stack: Any, context: AccountContext) -> None:
        CloudwatchMetricAlarm(
            stack,
            "raw",
            alarm_name="raw",
            comparison_operator="GreaterThanThreshold",
            evaluation_periods=1,
            metric_name="Errors",
            namespace="AWS/Lambda",
            period=60,
            statistic="Sum",
            threshold=1,
            **settings,
        )

    with pytest.raises(RuntimeError, match=message):
        synth(build, aspects_production=False)
