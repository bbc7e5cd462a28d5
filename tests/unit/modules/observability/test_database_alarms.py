"""DatabaseAlarms: the six RDS alarms on one instance, thresholds from the environment, wired to the topic."""

from typing import Any

import pytest
from cdktf_cdktf_provider_aws.db_instance import DbInstance

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.observability.database_alarms import DatabaseAlarms, DatabaseAlarmsProps
from tests.unit.modules.conftest import Synthesized, resources, synth
from tests.unit.modules.operations_support import alerts_topic, topic_reference

GIB, MIB = 1024**3, 1024**2


def _build(**settings: Any) -> Any:
    def build(stack: Any, context: AccountContext) -> None:
        topic = alerts_topic(stack, context)
        database = DbInstance(
            stack,
            "db",
            identifier="csg-test-postgres",
            instance_class="db.t4g.micro",
            engine="postgres",
            deletion_protection=True,
        )
        DatabaseAlarms(
            stack,
            "database-alarms",
            database=database,
            topic=topic,
            props=DatabaseAlarmsProps(name_prefix="csg-test-database", **settings),
        )

    return build


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    return synth(
        _build(
            cpu_percent=70,
            free_storage_gib=4,
            freeable_memory_mib=512,
            connections=50,
            read_latency_ms=15,
            write_latency_ms=30,
            period_seconds=60,
            evaluation_periods=5,
        ),
        aspects_production=True,
    )


def test_each_database_metric_alarms_at_its_configured_threshold(synthesized: Synthesized) -> None:
    alarms = {a["metric_name"]: a for a in resources(synthesized, "aws_cloudwatch_metric_alarm").values()}
    expected = {
        "CPUUtilization": ("GreaterThanThreshold", 70),
        "FreeStorageSpace": ("LessThanThreshold", 4 * GIB),
        "FreeableMemory": ("LessThanThreshold", 512 * MIB),
        "DatabaseConnections": ("GreaterThanThreshold", 50),
        "ReadLatency": ("GreaterThanThreshold", 0.015),
        "WriteLatency": ("GreaterThanThreshold", 0.03),
    }
    assert {name: (a["comparison_operator"], a["threshold"]) for name, a in alarms.items()} == expected


def test_alarms_watch_this_instance_and_notify_the_topic(synthesized: Synthesized) -> None:
    (db_id,) = resources(synthesized, "aws_db_instance")
    topic = topic_reference(resources(synthesized, "aws_sns_topic"))
    for alarm in resources(synthesized, "aws_cloudwatch_metric_alarm").values():
        assert alarm["dimensions"] == {"DBInstanceIdentifier": f"${{aws_db_instance.{db_id}.identifier}}"}
        assert alarm["alarm_actions"] == alarm["ok_actions"] == [topic]
        assert (alarm["period"], alarm["evaluation_periods"]) == (60, 5)


def test_silence_counts_as_down_only_for_the_cpu_heartbeat(synthesized: Synthesized) -> None:
    policies = {
        a["metric_name"]: a["treat_missing_data"]
        for a in resources(synthesized, "aws_cloudwatch_metric_alarm").values()
    }
    assert policies.pop("CPUUtilization") == "breaching"
    assert set(policies.values()) == {"missing"}


def test_impossible_thresholds_are_all_reported() -> None:
    with pytest.raises(PropsError) as error:
        synth(_build(cpu_percent=120, connections=0, read_latency_ms=-1))
    assert len(error.value.problems) == 3
