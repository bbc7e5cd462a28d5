"""Checkov runs shared by the security-gate tests: each runs the real checkov once per session."""

from __future__ import annotations

import pytest

from security.checkov_run import checkov_executable, read_findings, run_checkov
from security.stacks import discover_stacks
from tests.scan.helpers import INSECURE_SYNTH, POLICY_FIXTURES, FindingsByKey, GateRun, run_gate


@pytest.fixture(scope="session")
def policy_findings(tmp_path_factory: pytest.TempPathFactory) -> FindingsByKey:
    """Every check result on the policy fixtures, keyed by (check ID, stack, address); one checkov run."""
    stacks = discover_stacks(POLICY_FIXTURES)
    output_dir = tmp_path_factory.mktemp("policy-scan")
    report = run_checkov(checkov_executable(), [stack.file for stack in stacks], output_dir)
    scan = read_findings(report, stacks)
    assert not scan.errors, scan.errors
    return {(finding.check_id, finding.stack, finding.address): finding for finding in scan.findings}


@pytest.fixture(scope="session")
def insecure_run(tmp_path_factory: pytest.TempPathFactory) -> GateRun:
    """The gate on the deliberately insecure stack, with an empty suppression registry."""
    empty_registry = tmp_path_factory.mktemp("empty-registry")
    return run_gate(INSECURE_SYNTH, tmp_path_factory.mktemp("insecure-reports"), empty_registry)
