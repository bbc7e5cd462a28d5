"""Fault self-test: break a deployed local target out of band and prove the post-deploy suite notices.

Each fault is made with boto3 behind Terraform's back, the way a console click or a stray script would. All
faults are injected together, then the suite runs once: every fault must fail exactly the tests that check
its control, each failure's message must name the fault, and no other test may fail.
"""

import json
import os
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from harness.verify import run_suite
from tests.e2e.conftest import Deployment

pytestmark = pytest.mark.e2e

Clients = Callable[[str], Any]
Outputs = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One out-of-band change, and how the suite must report it."""

    name: str
    """What is broken."""
    inject: Callable[[Clients, Outputs], str]
    """Makes the change; returns the identifier every matching failure message must contain."""
    expected_failures: dict[str, tuple[str, ...]]
    """Test name -> phrases its failure message must contain (besides the identifier)."""


def _remove_raw_bucket_encryption(client: Clients, outputs: Outputs) -> str:
    bucket = str(outputs["bucket_names"]["raw"])
    client("s3").delete_bucket_encryption(Bucket=bucket)
    return bucket


def _open_database_group_to_internet(client: Clients, outputs: Outputs) -> str:
    group = str(outputs["data_security_group_ids"]["database"])
    client("ec2").authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    return "0.0.0.0/0"


def _disable_data_lake_key_rotation(client: Clients, outputs: Outputs) -> str:
    key = str(outputs["kms_key_arns"]["data_lake"])
    client("kms").disable_key_rotation(KeyId=key)
    return key


def _delete_an_alarm(client: Clients, outputs: Outputs) -> str:
    alarm = sorted(name for name in outputs["alarm_names"].values() if "-cis-" not in name)[0]
    client("cloudwatch").delete_alarms(AlarmNames=[alarm])
    return str(alarm)


def _make_database_public(client: Clients, outputs: Outputs) -> str:
    instance = str(outputs["database_instance_id"])
    client("rds").modify_db_instance(
        DBInstanceIdentifier=instance, PubliclyAccessible=True, ApplyImmediately=True
    )
    return instance


def _stop_trail_logging(client: Clients, outputs: Outputs) -> str:
    trail = str(outputs["trail_name"])
    client("cloudtrail").stop_logging(Name=trail)
    return trail


FAULTS = (
    Fault(
        name="raw bucket default encryption removed",
        inject=_remove_raw_bucket_encryption,
        expected_failures={
            "test_data_bucket_default_encryption_uses_our_key[raw]": ("no default encryption",),
            "test_object_written_to_raw_is_encrypted_with_our_key": ("object stored with",),
        },
    ),
    Fault(
        name="database security group opened to 0.0.0.0/0",
        inject=_open_database_group_to_internet,
        expected_failures={
            "test_rds_security_group_admits_only_glue_and_app_host": ("admits address range",)
        },
    ),
    Fault(
        name="data-lake key rotation disabled",
        inject=_disable_data_lake_key_rotation,
        expected_failures={"test_every_customer_managed_key_rotates": ("rotation is off",)},
    ),
    Fault(
        name="an alarm deleted",
        inject=_delete_an_alarm,
        expected_failures={"test_required_alarms_exist_armed_and_notify_topic": ("does not exist",)},
    ),
    Fault(
        name="database made publicly accessible",
        inject=_make_database_public,
        expected_failures={"test_rds_not_publicly_accessible": ("is publicly accessible",)},
    ),
    Fault(
        name="CloudTrail logging stopped",
        inject=_stop_trail_logging,
        expected_failures={"test_trail_is_logging": ("is not logging",)},
    ),
)


def _failures(junit: Path) -> dict[str, str]:
    """Failed or errored test name -> its failure message and text."""
    found = {}
    report = ElementTree.parse(junit)  # noqa: S314 - our own pytest's report
    for case in report.getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            found[case.get("name", "?")] = f"{problem.get('message', '')}\n{problem.text or ''}"
    return found


@pytest.fixture(scope="module")
def broken(
    local_deployment: Deployment, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], dict[str, str]]:
    """Inject every fault, run the suite; return (fault name -> identifier, failed test -> message)."""
    endpoint = local_deployment.deployment.endpoint
    environment = endpoint.environment(os.environ)
    reports = tmp_path_factory.mktemp("fault-selftest")
    if not local_deployment.handed_over:
        intact = run_suite(
            target="local",
            outputs_file=local_deployment.outputs_file,
            junit_path=reports / "intact.xml",
            environment=environment,
        )
        assert intact.exit_code == 0, f"the suite fails on the intact deployment: {intact.failed_tests}"
    outputs = json.loads(local_deployment.outputs_file.read_text())["environment"]
    config = Config(retries={"max_attempts": 2}, s3={"addressing_style": "path"})

    def client(service: str) -> Any:
        return boto3.client(service, config=config, **endpoint.client_kwargs())  # type: ignore[call-overload]

    identifiers = {fault.name: fault.inject(client, outputs) for fault in FAULTS}
    result = run_suite(
        target="local",
        outputs_file=local_deployment.outputs_file,
        junit_path=reports / "broken.xml",
        environment=environment,
    )
    return identifiers, _failures(result.junit_path)


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_fault_is_caught_for_the_right_reason(
    fault: Fault, broken: tuple[dict[str, str], dict[str, str]]
) -> None:
    identifiers, failures = broken
    identifier = identifiers[fault.name]
    for test, phrases in fault.expected_failures.items():
        assert test in failures, f"{fault.name}: {test} did not fail (failed: {sorted(failures)})"
        message = failures[test]
        assert identifier in message, f"{fault.name}: {test} failed without naming {identifier}:\n{message}"
        for phrase in phrases:
            assert phrase in message, f"{fault.name}: {test} failed, but not with {phrase!r}:\n{message}"


def test_no_other_test_fails(broken: tuple[dict[str, str], dict[str, str]]) -> None:
    _, failures = broken
    expected = {test for fault in FAULTS for test in fault.expected_failures}
    unexpected = {test: message.splitlines()[0] for test, message in failures.items() if test not in expected}
    assert not unexpected, f"tests failed that no fault targets: {unexpected}"
