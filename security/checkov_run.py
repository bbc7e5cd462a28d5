"""Run checkov once over every stack file and read its JSON report into findings with real addresses."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from security.stacks import Stack

REPO_ROOT = Path(__file__).resolve().parent.parent
CHECKOV_ENV_VAR = "CSG_CHECKOV"
"""Path of the checkov executable; default: .venv-checkov/bin/checkov in the repository."""
DEFAULT_CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
CUSTOM_CHECKS_DIR = REPO_ROOT / "security" / "checks"
JSON_REPORT = "results_json.json"
JUNIT_REPORT = "results_junitxml.xml"
SARIF_REPORT = "results_sarif.sarif"
# -o format -> file. Naming a file per format (comma-separated --output-file-path) also stops checkov
# from printing every report to stdout.
REPORT_FILES = {"json": JSON_REPORT, "junitxml": JUNIT_REPORT, "sarif": SARIF_REPORT}
LOG_FILE = "checkov.log"
# checkov exits 1 when a check failed; anything else but 0 is a crash or a usage error.
CHECKOV_OK_EXIT_CODES = (0, 1)
# Settings that would make checkov talk to the Prisma/Bridgecrew platform; the gate is offline by design.
PLATFORM_ENV_VARS = ("BC_API_KEY", "PRISMA_API_URL", "BC_API_URL")


class CheckovError(Exception):
    """checkov could not produce a report."""


def checkov_executable() -> Path:
    return Path(os.environ.get(CHECKOV_ENV_VAR) or DEFAULT_CHECKOV)


def checkov_command(checkov: Path, stack_files: Sequence[Path], output_dir: Path) -> list[str]:
    """One invocation over every stack file: -f per file, framework terraform_json (security/README.md)."""
    command = [str(checkov), "--skip-download", "--skip-results-upload", "--framework", "terraform_json"]
    for stack_file in stack_files:
        command += ["-f", str(stack_file)]
    command += ["--external-checks-dir", str(CUSTOM_CHECKS_DIR)]
    for output_format in REPORT_FILES:
        command += ["-o", output_format]
    command += ["--output-file-path", ",".join(str(output_dir / name) for name in REPORT_FILES.values())]
    return command


def run_checkov(checkov: Path, stack_files: Sequence[Path], output_dir: Path) -> dict[str, Any]:
    """Run checkov and return its JSON report; its own JSON/JUnit/SARIF files and log stay in output_dir."""
    if not checkov.is_file():
        raise CheckovError(f"checkov not found at {checkov} (set {CHECKOV_ENV_VAR} to its path)")
    if "," in str(output_dir):
        raise CheckovError(f"{output_dir}: checkov's --output-file-path cannot take a path with a comma")
    output_dir.mkdir(parents=True, exist_ok=True)
    for stale in (JSON_REPORT, JUNIT_REPORT, SARIF_REPORT, LOG_FILE):
        (output_dir / stale).unlink(missing_ok=True)
    environment = {name: value for name, value in os.environ.items() if name not in PLATFORM_ENV_VARS}
    # Without this, importing checkov asks pypi.org for a newer version.
    environment["CKV_SKIP_PACKAGE_UPDATE_CHECK"] = "true"
    command = checkov_command(checkov, stack_files, output_dir)
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    (output_dir / LOG_FILE).write_text(
        f"$ {' '.join(command)}\nexit code {completed.returncode}\n"
        f"--- stdout\n{completed.stdout}\n--- stderr\n{completed.stderr}",
        encoding="utf-8",
    )
    json_report = output_dir / JSON_REPORT
    if completed.returncode not in CHECKOV_OK_EXIT_CODES or not json_report.is_file():
        raise CheckovError(
            f"checkov failed (exit code {completed.returncode}); see {output_dir / LOG_FILE}:\n"
            f"{completed.stderr[-2000:]}"
        )
    report = json.loads(json_report.read_text(encoding="utf-8"))
    # With several frameworks checkov writes a list; with one, a dict.
    reports = report if isinstance(report, list) else [report]
    terraform_json = [entry for entry in reports if entry.get("check_type") == "terraform_json"]
    # A scan with no results at all is written as a bare summary; treat it as an empty report.
    return terraform_json[0] if terraform_json else {"results": {}}


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One check result on one resource."""

    check_id: str
    """checkov check ID."""
    check_name: str
    """checkov's title for the check."""
    stack: str
    """Stack name."""
    address: str
    """Terraform address (`aws_s3_bucket.x`, `data.aws_iam_policy_document.y`)."""
    passed: bool
    """True for PASSED, False for FAILED."""
    guideline: str | None
    """Link or path explaining the check; None for stock checks run with --skip-download."""
    file: str
    """Stack file as checkov reported it (the path it was given)."""
    sarif_uri: str
    """The stack file as checkov's SARIF names it (its repo_file_path, quoted, without the leading /)."""
    start_line: int
    """Line of the entity's opening brace (also the SARIF region start)."""


@dataclass(frozen=True, kw_only=True)
class ScanResult:
    findings: tuple[Finding, ...]
    """Every PASSED/FAILED result."""
    errors: tuple[str, ...]
    """Files checkov could not parse, results that belong to no known stack."""


def read_findings(report: dict[str, Any], stacks: Sequence[Stack]) -> ScanResult:
    stack_by_file = {stack.file.resolve(): stack for stack in stacks}
    results = report.get("results", {})
    errors = [f"checkov could not parse {path}" for path in results.get("parsing_errors", [])]
    findings = []
    for key, passed in (("passed_checks", True), ("failed_checks", False)):
        for record in results.get(key, []):
            stack = stack_by_file.get(Path(record["file_abs_path"]).resolve())
            if stack is None:
                errors.append(
                    f"{record['check_id']} reported on {record['file_abs_path']}, which is no stack"
                )
                continue
            start_line = record["file_line_range"][0]
            findings.append(
                Finding(
                    check_id=record["check_id"],
                    check_name=record["check_name"],
                    stack=stack.name,
                    # Unindexed entities (e.g. a `terraform` block) keep checkov's own name.
                    address=stack.address_by_line.get(start_line, record["resource"]),
                    passed=passed,
                    guideline=record.get("guideline"),
                    file=record["file_abs_path"],
                    sarif_uri=quote(record["repo_file_path"].lstrip("/")),
                    start_line=start_line,
                )
            )
    return ScanResult(findings=tuple(findings), errors=tuple(errors))
