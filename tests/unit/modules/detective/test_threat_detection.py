"""ThreatDetection: a GuardDuty detector with the platform's protection features, medium+ findings to the
alerts topic."""

import json
from typing import Any

import pytest

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.detective.threat_detection import DEFAULT_FEATURES, ThreatDetection, ThreatDetectionProps
from tests.unit.modules.conftest import only, resources, synth
from tests.unit.modules.operations_support import alerts_topic, topic_reference


def _build(**settings: Any) -> Any:
    def build(stack: Any, context: AccountContext) -> None:
        ThreatDetection(
            stack,
            "threat-detection",
            topic=alerts_topic(stack, context),
            props=ThreatDetectionProps(name_prefix="csg-test", **settings),
        )

    return build


def test_detector_features_and_findings_alert() -> None:
    synthesized = synth(_build(), aspects_production=True)
    ((detector_id, detector),) = resources(synthesized, "aws_guardduty_detector").items()
    assert detector["enable"] is True
    assert detector["finding_publishing_frequency"] == "FIFTEEN_MINUTES"
    features = resources(synthesized, "aws_guardduty_detector_feature").values()
    assert sorted(f["name"] for f in features) == sorted(DEFAULT_FEATURES)
    assert {f["status"] for f in features} == {"ENABLED"}
    assert {f["detector_id"] for f in features} == {f"${{aws_guardduty_detector.{detector_id}.id}}"}
    pattern = json.loads(only(resources(synthesized, "aws_cloudwatch_event_rule"))["event_pattern"])
    assert pattern == {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", 4.0]}]},
    }
    assert only(resources(synthesized, "aws_cloudwatch_event_target"))["arn"] == topic_reference(
        resources(synthesized, "aws_sns_topic")
    )


def test_impossible_severity_and_repeated_features_are_rejected() -> None:
    with pytest.raises(PropsError) as error:
        synth(_build(alert_min_severity=11, features=("S3_DATA_EVENTS", "S3_DATA_EVENTS")))
    assert len(error.value.problems) == 2
