"""Paths of the scan fixtures and a runner for the gate as a separate process (as `make scan` runs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from security.checkov_run import Finding

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POLICY_FIXTURES = FIXTURES / "policies"
INSECURE_SYNTH = FIXTURES / "insecure_synth"
SUPPRESSED_SYNTH = FIXTURES / "suppressed_synth"

FindingsByKey = dict[tuple[str, str, str], Finding]


def check_results(findings: FindingsByKey, check_id: str, stack: str) -> dict[str, bool]:
    """Pass (True) or fail (False) of `check_id` for every resource address of fixture stack `stack`."""
    return {
        address: finding.passed
        for (found_check, found_stack, address), finding in findings.items()
        if found_check == check_id and found_stack == stack
    }


"""Check results keyed by (check ID, stack, Terraform address)."""


@dataclass(frozen=True, kw_only=True)
class GateRun:
    """One `python -m security.gate` process and what it left behind."""

    exit_code: int
    """The process exit code."""
    stdout: str
    """Its standard output (the summary)."""
    stderr: str
    """Its standard error."""
    reports_dir: Path
    """Where it was told to write its reports."""

    def verdict(self) -> dict[str, Any]:
        """The gate's gate.json."""
        result: dict[str, Any] = json.loads((self.reports_dir / "gate.json").read_text(encoding="utf-8"))
        return result


def run_gate(
    synth_dir: Path, reports_dir: Path, suppressions_dir: Path, environment: dict[str, str] | None = None
) -> GateRun:
    """Run `python -m security.gate` from the repository root with this interpreter."""
    command = [
        sys.executable,
        "-m",
        "security.gate",
        "--synth-dir",
        str(synth_dir),
        "--reports-dir",
        str(reports_dir),
        "--suppressions-dir",
        str(suppressions_dir),
    ]
    completed = subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(environment or {})},
    )
    return GateRun(
        exit_code=completed.returncode,
        stdout=completed.stdout,
        stderr=completed.stderr,
        reports_dir=reports_dir,
    )
