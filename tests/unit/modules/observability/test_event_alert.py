"""EventAlert: an EventBridge rule whose events go to the alerts topic."""

import json
from typing import Any

import pytest

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.observability.event_alert import EventAlert, EventAlertProps
from tests.unit.modules.conftest import only, resources, synth
from tests.unit.modules.operations_support import alerts_topic, topic_reference

PATTERN = {"source": ["aws.glue"], "detail-type": ["Glue Job State Change"], "detail": {"state": ["FAILED"]}}


def test_matching_events_are_sent_to_the_topic() -> None:
    def build(stack: Any, context: AccountContext) -> None:
        EventAlert(
            stack,
            "glue",
            topic=alerts_topic(stack, context),
            props=EventAlertProps(name="csg-test-glue-failed", description="d", event_pattern=PATTERN),
        )

    synthesized = synth(build)
    rule = only(resources(synthesized, "aws_cloudwatch_event_rule"))
    (rule_id,) = resources(synthesized, "aws_cloudwatch_event_rule")
    target = only(resources(synthesized, "aws_cloudwatch_event_target"))
    assert json.loads(rule["event_pattern"]) == PATTERN
    assert rule["state"] == "ENABLED"
    assert target["arn"] == topic_reference(resources(synthesized, "aws_sns_topic"))
    assert target["rule"] == f"${{aws_cloudwatch_event_rule.{rule_id}.name}}"


def test_a_rule_without_a_source_or_with_a_long_name_is_rejected() -> None:
    def build(stack: Any, context: AccountContext) -> None:
        EventAlert(
            stack,
            "bad",
            topic=alerts_topic(stack, context),
            props=EventAlertProps(name="x" * 65, description="d", event_pattern={"detail": {}}),
        )

    with pytest.raises(PropsError) as error:
        synth(build)
    assert len(error.value.problems) == 2
