"""Security gate: `python -m security.gate [--synth-dir cdktf.out] [--reports-dir reports/scan]`.

Scans an existing synthesized folder (cdktf.out or a CI artifact shaped like it) with one checkov run,
applies the suppression registry, prints a per-stack summary and every unsuppressed failure, and writes
JUnit XML, SARIF and a JSON verdict (plus checkov's untouched reports in <reports-dir>/checkov/).

Exit codes: 0 no unsuppressed failure and no registry/scan error; 1 otherwise; 2 nothing could be scanned
(no stacks, checkov missing or crashed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from security.checkov_run import (
    SARIF_REPORT,
    CheckovError,
    checkov_executable,
    read_findings,
    run_checkov,
)
from security.reports import (
    JUNIT_FILE,
    SARIF_FILE,
    VERDICT_FILE,
    format_summary,
    write_junit,
    write_sarif,
    write_verdict_json,
)
from security.stacks import SynthLayoutError, discover_stacks
from security.suppressions import load_registry
from security.verdict import decide

DEFAULT_SUPPRESSIONS_DIR = Path(__file__).resolve().parent / "suppressions"
EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_CANNOT_SCAN = 2


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m security.gate", description=__doc__.split("\n")[0])
    parser.add_argument("--synth-dir", type=Path, default=Path("cdktf.out"), help="default: cdktf.out")
    parser.add_argument(
        "--reports-dir", type=Path, default=Path("reports/scan"), help="default: reports/scan"
    )
    parser.add_argument(
        "--suppressions-dir",
        type=Path,
        default=DEFAULT_SUPPRESSIONS_DIR,
        help="directory of *.toml suppression files; default: security/suppressions",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    reports_dir: Path = arguments.reports_dir
    # A run that stops early must not leave an earlier run's verdict behind for CI to pick up.
    for stale in (JUNIT_FILE, SARIF_FILE, VERDICT_FILE):
        (reports_dir / stale).unlink(missing_ok=True)
    try:
        stacks = discover_stacks(arguments.synth_dir)
    except SynthLayoutError as error:
        print("Cannot scan:", *error.problems, sep="\n  ", file=sys.stderr)
        return EXIT_CANNOT_SCAN
    registry = load_registry(arguments.suppressions_dir)
    checkov_dir = reports_dir / "checkov"
    try:
        report = run_checkov(checkov_executable(), [stack.file for stack in stacks], checkov_dir)
    except CheckovError as error:
        print(f"Cannot scan: {error}", file=sys.stderr)
        return EXIT_CANNOT_SCAN
    scan = read_findings(report, stacks)
    verdict = decide(stacks, scan, registry)
    write_junit(verdict, scan.findings, reports_dir / JUNIT_FILE)
    write_sarif(checkov_dir / SARIF_REPORT, verdict, scan.findings, reports_dir / SARIF_FILE)
    write_verdict_json(verdict, reports_dir / VERDICT_FILE)
    print(format_summary(verdict))
    print(f"\nReports: {reports_dir} ({JUNIT_FILE}, {SARIF_FILE}, {VERDICT_FILE}, checkov/)")
    return EXIT_PASSED if verdict.passed else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
