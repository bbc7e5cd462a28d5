"""The gate end to end (`python -m security.gate` as a process, real checkov): it fails on insecure
infrastructure, passes when every failure is suppressed, and reports registry problems all at once."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.scan.helpers import INSECURE_SYNTH, SUPPRESSED_SYNTH, GateRun, run_gate

# What the insecure fixture stack was written to violate: (check, resource).
INSECURE_STACK_VIOLATIONS = [
    ("CKV_CSG_1", "aws_s3_bucket.exports_bucket_0A1B2C3D"),
    ("CKV_CSG_2", "aws_security_group.orders_db-sg_1B2C3D4E"),
    ("CKV_CSG_3", "aws_vpc_security_group_ingress_rule.bastion_ssh-from-anywhere_3D4E5F6A"),
    ("CKV_CSG_4", "aws_instance.bastion_host_5F6A7B8C"),
    ("CKV_AWS_16", "aws_db_instance.orders_db_4E5F6A7B"),
    ("CKV_AWS_24", "aws_vpc_security_group_ingress_rule.bastion_ssh-from-anywhere_3D4E5F6A"),
    ("CKV_AWS_79", "aws_instance.bastion_host_5F6A7B8C"),
]


def test_insecure_stack_fails_the_gate(insecure_run: GateRun) -> None:
    assert insecure_run.exit_code == 1, insecure_run.stderr
    assert insecure_run.stdout.rstrip().splitlines()[-3] == "FAILED"


@pytest.mark.parametrize(("check_id", "address"), INSECURE_STACK_VIOLATIONS)
def test_insecure_stack_failure_is_listed(insecure_run: GateRun, check_id: str, address: str) -> None:
    failures = {
        (item["check_id"], item["stack"], item["address"]) for item in insecure_run.verdict()["failures"]
    }
    assert (check_id, "insecure", address) in failures
    # The console lists the check and, on the next line, its stack and resource.
    lines = insecure_run.stdout.splitlines()
    positions = [index for index, line in enumerate(lines) if line.strip().startswith(f"{check_id} ")]
    assert any(f"stack insecure  resource {address}" in lines[index + 1] for index in positions)


def test_insecure_summary_counts_the_stack(insecure_run: GateRun) -> None:
    (stack,) = insecure_run.verdict()["stacks"]
    assert stack["name"] == "insecure"
    assert stack["resources"] == 6  # the fixture has six resource blocks
    assert stack["failed"] >= len(INSECURE_STACK_VIOLATIONS)
    assert stack["passed"] > 0
    assert stack["suppressed"] == 0
    summary_row = next(line for line in insecure_run.stdout.splitlines() if line.startswith("insecure "))
    assert summary_row.split() == ["insecure", "6", str(stack["passed"]), str(stack["failed"]), "0"]


def test_insecure_reports_are_written(insecure_run: GateRun) -> None:
    verdict = insecure_run.verdict()
    junit = ElementTree.parse(insecure_run.reports_dir / "junit.xml").getroot()  # noqa: S314  # gate's own file
    failed_cases = junit.findall(".//testcase/failure/..")
    assert len(failed_cases) == len(verdict["failures"])
    sarif = json.loads((insecure_run.reports_dir / "results.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert {(r["ruleId"], r["properties"]["address"]) for r in results} >= set(INSECURE_STACK_VIOLATIONS)
    assert not any("suppressions" in result for result in results)
    for name in ("results_json.json", "results_junitxml.xml", "results_sarif.sarif"):
        assert (insecure_run.reports_dir / "checkov" / name).stat().st_size > 0


@pytest.fixture(scope="module")
def suppressed_run(tmp_path_factory: pytest.TempPathFactory) -> GateRun:
    """Two stacks; the only failing resource (in `exposed`) has both its failures suppressed."""
    return run_gate(
        SUPPRESSED_SYNTH, tmp_path_factory.mktemp("suppressed-reports"), SUPPRESSED_SYNTH / "suppressions"
    )


def test_fully_suppressed_scan_passes(suppressed_run: GateRun) -> None:
    assert suppressed_run.exit_code == 0, suppressed_run.stdout + suppressed_run.stderr
    assert suppressed_run.stdout.rstrip().splitlines()[-3] == "PASSED"


def test_suppressed_failures_are_counted_as_suppressed_not_failed(suppressed_run: GateRun) -> None:
    stacks = {stack["name"]: stack for stack in suppressed_run.verdict()["stacks"]}
    assert stacks["exposed"]["failed"] == 0
    assert stacks["exposed"]["suppressed"] == 2
    assert stacks["clean"]["failed"] == 0
    assert stacks["clean"]["suppressed"] == 0
    assert stacks["clean"]["passed"] > 0
    suppressed = {
        (item["check_id"], item["stack"], item["source"]) for item in suppressed_run.verdict()["suppressed"]
    }
    assert suppressed == {
        ("CKV_AWS_24", "exposed", "network.toml#1"),
        ("CKV_CSG_3", "exposed", "network.toml#2"),
    }


def test_suppressions_show_in_junit_and_sarif(suppressed_run: GateRun) -> None:
    junit = ElementTree.parse(suppressed_run.reports_dir / "junit.xml").getroot()  # noqa: S314  # gate's own file
    skipped = junit.findall(".//testcase/skipped")
    assert len(skipped) == 2
    assert all("Honeypot" in element.get("message", "") for element in skipped)
    assert junit.findall(".//failure") == []
    sarif = json.loads((suppressed_run.reports_dir / "results.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert len(results) == 2
    for result in results:
        (suppression,) = result["suppressions"]
        assert suppression["kind"] == "external"
        assert "Honeypot" in suppression["justification"]


BROKEN_REGISTRY = {
    "compute.toml": """
[[suppression]]
check = "CKV_AWS_79"
resources = ["aws_instance.bastion_host_5F6A7B8C"]
reason = "The bastion runs a vendor agent that only speaks IMDSv1; replacement is tracked in SEC-12."

[[suppression]]
check = "CKV_AWS_135"
resources = ["aws_instance.bastion_host_5F6A7B8C"]

[[suppression]]
check = "CKV_AWS_126"
resources = ["aws_instance.bastion_host_5F6A7B8C"]
reason = "Detailed monitoring costs more than the bastion is worth to us."
expires = "2027-01-01"
""",
    "network.toml": """
[[suppression]]
check = "CKV-AWS-24"
resources = ["aws_vpc_security_group_ingress_rule.bastion_ssh-from-anywhere_3D4E5F6A"]
reason = "Written with dashes, so it is not a checkov check ID and must be rejected."

[[suppression]]
check = "CKV_CSG_3"
resources = ["aws_security_group.orders_db-sg_1B2C3D4E"]
reason = "Names a resource this check never fails on, so it must be reported as unused."

[[suppression]]
check = "CKV_CSG_2"
resources = ["aws_security_group.orders_db-sg_1B2C3D4E"]
stacks = ["staging"]
reason = "Fails in stack insecure, but the entry is limited to staging, so it is unused."
""",
}


@pytest.fixture(scope="module")
def broken_registry_run(tmp_path_factory: pytest.TempPathFactory) -> GateRun:
    registry = tmp_path_factory.mktemp("broken-registry")
    for name, text in BROKEN_REGISTRY.items():
        (registry / name).write_text(text, encoding="utf-8")
    return run_gate(INSECURE_SYNTH, tmp_path_factory.mktemp("broken-registry-reports"), registry)


@pytest.mark.parametrize(
    "expected_error",
    [
        "compute.toml#2: missing required field 'reason'",
        "compute.toml#3: unknown field 'expires'",
        "network.toml#1: check: String should match pattern",
        "network.toml#2: unused: CKV_CSG_3 did not fail on aws_security_group.orders_db-sg_1B2C3D4E"
        " in any stack",
        "network.toml#3: unused: CKV_CSG_2 did not fail on aws_security_group.orders_db-sg_1B2C3D4E"
        " in stack staging",
    ],
)
def test_registry_errors_are_all_reported_in_one_run(
    broken_registry_run: GateRun, expected_error: str
) -> None:
    assert broken_registry_run.exit_code == 1
    errors = broken_registry_run.verdict()["errors"]
    assert any(error.startswith(expected_error) for error in errors), errors
    assert expected_error in broken_registry_run.stdout


def test_broken_registry_still_applies_its_valid_entries(broken_registry_run: GateRun) -> None:
    verdict = broken_registry_run.verdict()
    assert len(verdict["errors"]) == 5
    assert [(item["check_id"], item["address"]) for item in verdict["suppressed"]] == [
        ("CKV_AWS_79", "aws_instance.bastion_host_5F6A7B8C")
    ]
    # Invalid and stack-filtered entries suppress nothing.
    failed = {(item["check_id"], item["address"]) for item in verdict["failures"]}
    assert ("CKV_AWS_135", "aws_instance.bastion_host_5F6A7B8C") in failed
    assert ("CKV_AWS_126", "aws_instance.bastion_host_5F6A7B8C") in failed
    assert ("CKV_AWS_24", "aws_vpc_security_group_ingress_rule.bastion_ssh-from-anywhere_3D4E5F6A") in failed
    assert ("CKV_CSG_2", "aws_security_group.orders_db-sg_1B2C3D4E") in failed


def test_registry_errors_alone_fail_the_gate(tmp_path: Path) -> None:
    """The suppressed fixture passes with its registry; one unused entry more must fail it."""
    registry = tmp_path / "registry"
    shutil.copytree(SUPPRESSED_SYNTH / "suppressions", registry)
    (registry / "storage.toml").write_text(
        '[[suppression]]\ncheck = "CKV_AWS_18"\nresources = ["aws_s3_bucket.gone"]\n'
        'reason = "This bucket was deleted long ago; the entry is stale."\n',
        encoding="utf-8",
    )
    run = run_gate(SUPPRESSED_SYNTH, tmp_path / "reports", registry)
    assert run.exit_code == 1
    assert run.verdict()["failures"] == []
    assert run.verdict()["errors"] == [
        "storage.toml#1: unused: CKV_AWS_18 did not fail on aws_s3_bucket.gone in any stack"
    ]


def test_folder_without_stacks_cannot_be_scanned(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "gate.json").write_text('{"passed": true}', encoding="utf-8")  # from an earlier run
    run = run_gate(tmp_path, reports, tmp_path)
    assert run.exit_code == 2
    assert "no such directory" in run.stderr
    assert not (reports / "gate.json").exists()


def test_stack_listed_in_manifest_but_missing_cannot_be_scanned(tmp_path: Path) -> None:
    synth = tmp_path / "cdktf.out"
    shutil.copytree(SUPPRESSED_SYNTH, synth)
    shutil.rmtree(synth / "stacks" / "exposed")
    run = run_gate(synth, tmp_path / "reports", synth / "suppressions")
    assert run.exit_code == 2
    assert "stack 'exposed' is listed" in run.stderr


def test_missing_checkov_cannot_scan(tmp_path: Path) -> None:
    run = run_gate(
        SUPPRESSED_SYNTH,
        tmp_path / "reports",
        SUPPRESSED_SYNTH / "suppressions",
        environment={"CSG_CHECKOV": str(tmp_path / "no-checkov")},
    )
    assert run.exit_code == 2
    assert "checkov not found" in run.stderr
