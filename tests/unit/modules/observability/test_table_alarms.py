"""TableAlarms: throttles and system errors of one DynamoDB table, wired to the topic."""

from typing import Any

import pytest
from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable, DynamodbTableAttribute

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.observability.table_alarms import SYSTEM_ERROR_OPERATIONS, TableAlarms, TableAlarmsProps
from tests.unit.modules.conftest import Synthesized, resources, synth
from tests.unit.modules.operations_support import alerts_topic, topic_reference


def _build(throttled: int, errors: int) -> Any:
    def build(stack: Any, context: AccountContext) -> None:
        topic = alerts_topic(stack, context)
        table = DynamodbTable(
            stack,
            "table",
            name="csg-test-items",
            hash_key="pk",
            billing_mode="PAY_PER_REQUEST",
            deletion_protection_enabled=True,
            attribute=[DynamodbTableAttribute(name="pk", type="S")],
        )
        TableAlarms(
            stack,
            "table-alarms",
            table=table,
            topic=topic,
            props=TableAlarmsProps(
                name_prefix="csg-test-items", throttled_events=throttled, system_errors=errors
            ),
        )

    return build


@pytest.fixture(scope="module")
def alarms() -> dict[str, dict[str, Any]]:
    synthesized: Synthesized = synth(_build(throttled=3, errors=2), aspects_production=True)
    (table_id,) = resources(synthesized, "aws_dynamodb_table")
    topic = topic_reference(resources(synthesized, "aws_sns_topic"))
    found = {a["alarm_name"]: a for a in resources(synthesized, "aws_cloudwatch_metric_alarm").values()}
    for alarm in found.values():
        assert alarm["alarm_actions"] == alarm["ok_actions"] == [topic]
        for query in alarm["metric_query"][:-1]:
            assert query["metric"]["dimensions"]["TableName"] == f"${{aws_dynamodb_table.{table_id}.name}}"
    return found


def test_read_and_write_throttles_are_summed(alarms: dict[str, dict[str, Any]]) -> None:
    throttles = alarms["csg-test-items-throttles"]
    metrics = [q["metric"]["metric_name"] for q in throttles["metric_query"][:-1]]
    assert metrics == ["ReadThrottleEvents", "WriteThrottleEvents"]
    assert throttles["metric_query"][-1]["expression"] == "FILL(m0, 0) + FILL(m1, 0)"
    assert (throttles["comparison_operator"], throttles["threshold"]) == ("GreaterThanOrEqualToThreshold", 3)
    assert throttles["treat_missing_data"] == "notBreaching"


def test_system_errors_cover_every_operation_the_platform_uses(alarms: dict[str, dict[str, Any]]) -> None:
    errors = alarms["csg-test-items-system-errors"]
    operations = [q["metric"]["dimensions"]["Operation"] for q in errors["metric_query"][:-1]]
    assert sorted(operations) == sorted(SYSTEM_ERROR_OPERATIONS)
    assert {"GetItem", "PutItem", "Query"} <= set(operations)
    assert errors["threshold"] == 2


def test_zero_thresholds_are_rejected() -> None:
    with pytest.raises(PropsError) as error:
        synth(_build(throttled=0, errors=0))
    assert len(error.value.problems) == 2
