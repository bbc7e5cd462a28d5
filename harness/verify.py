"""Run the post-deploy suite (tests/postdeploy) on a deployed environment; exit non-zero if a control fails.

    python -m harness.verify --env local     # the local deployment left by `make local-up`
    python -m harness.verify --env dev       # the real dev environment, standard AWS credential chain

The suite reads every identifier from the stacks' Terraform outputs. Local: `.local/outputs.json`, written by
`make local-up`, and the endpoint from `.local/env`. Any other environment: `terraform output -json` in
cdktf.out/stacks/<env> and cdktf.out/stacks/account-baseline (as deployed with `make deploy ENV=<env>`; the
state backend must be reachable), or a file given with --outputs. JUnit XML goes to
reports/postdeploy-<env>.xml; pytest prints the per-control summary.
"""

import argparse
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from harness.local_deployment import DEFAULT_ROOT, REPOSITORY_ROOT, read_exports
from harness.terraform_cli import run_terraform

SUITE_DIR: Final = REPOSITORY_ROOT / "tests" / "postdeploy"
TARGET_VARIABLE: Final = "CSG_POSTDEPLOY_TARGET"
"""Tells the suite which target it runs against: "local" (the emulator) or "aws"."""
OUTPUTS_VARIABLE: Final = "CSG_POSTDEPLOY_OUTPUTS"
"""Path of the outputs file the suite reads: {"environment_name", "environment": {...}, "account": {...}}."""
ACCOUNT_STACK: Final = "account-baseline"
LOCAL_ENVIRONMENT_SOURCE: Final = "dev"


@dataclass(frozen=True, kw_only=True)
class SuiteResult:
    """What one run of the suite found."""

    exit_code: int
    """pytest's exit code (0: every test passed or was skipped)."""
    junit_path: Path
    """The JUnit XML report."""
    by_area: dict[str, Counter[str]] = field(default_factory=dict)
    """Control area -> outcome ("passed", "failed", "skipped") -> number of tests."""
    failed_tests: tuple[str, ...] = ()
    """Names of the tests that failed or errored."""


def suite_outputs(environment_name: str, stacks: Mapping[str, Mapping[str, object]]) -> dict[str, object]:
    """The outputs file's content, from {stack name: outputs} holding the environment's and the baseline's."""
    missing = [name for name in (environment_name, ACCOUNT_STACK) if name not in stacks]
    if missing:
        raise SystemExit(f"error: no Terraform outputs for stack(s) {', '.join(missing)}")
    return {
        "environment_name": environment_name,
        "environment": dict(stacks[environment_name]),
        "account": dict(stacks[ACCOUNT_STACK]),
    }


def run_suite(
    *,
    target: str,
    outputs_file: Path,
    junit_path: Path,
    environment: Mapping[str, str],
    pytest_arguments: tuple[str, ...] = (),
) -> SuiteResult:
    """Run tests/postdeploy in a child pytest against `target`; `environment` holds the AWS settings."""
    junit_path.parent.mkdir(parents=True, exist_ok=True)
    child_environment = {**environment, TARGET_VARIABLE: target, OUTPUTS_VARIABLE: str(outputs_file)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(SUITE_DIR),
            "-p",
            "no:cacheprovider",
            "-q",
            "-rfs",
            f"--junitxml={junit_path}",
            "-o",
            "junit_family=xunit2",
            *pytest_arguments,
        ],
        cwd=REPOSITORY_ROOT,
        env=child_environment,
        check=False,
    )
    by_area, failed = parse_junit(junit_path) if junit_path.exists() else ({}, ())
    return SuiteResult(
        exit_code=result.returncode, junit_path=junit_path, by_area=by_area, failed_tests=failed
    )


def parse_junit(path: Path) -> tuple[dict[str, Counter[str]], tuple[str, ...]]:
    """(area -> outcome counts, failed test names) from a JUnit report written by the suite."""
    by_area: dict[str, Counter[str]] = {}
    failed = []
    report = ElementTree.parse(path)  # noqa: S314 - our own pytest's report
    for case in report.getroot().iter("testcase"):
        properties = {prop.get("name"): prop.get("value") for prop in case.iter("property")}
        area = properties.get("control_area") or "(no control)"
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
            failed.append(case.get("name", "?"))
        elif case.find("skipped") is not None:
            outcome = "skipped"
        else:
            outcome = "passed"
        by_area.setdefault(area, Counter())[outcome] += 1
    return by_area, tuple(failed)


def format_area_counts(by_area: Mapping[str, Counter[str]]) -> list[str]:
    """One line per control area: passed / failed / skipped."""
    return [
        f"  {area:<16} {counts['passed']:>3} passed  {counts['failed']:>3} failed"
        f"  {counts['skipped']:>3} skipped"
        for area, counts in sorted(by_area.items())
    ]


def _aws_outputs(environment_name: str) -> dict[str, dict[str, object]]:
    stacks = {}
    for stack in (environment_name, ACCOUNT_STACK):
        folder = REPOSITORY_ROOT / "cdktf.out" / "stacks" / stack
        if not (folder / "cdk.tf.json").exists():
            raise SystemExit(f"error: {folder} is not synthesized: run `make synth` (and deploy) first")
        run_terraform(["init", "-input=false", "-no-color"], cwd=folder)
        result = run_terraform(["output", "-json", "-no-color"], cwd=folder)
        stacks[stack] = {name: entry["value"] for name, entry in json.loads(result.stdout).items()}
    return stacks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.verify", description=__doc__.split("\n")[0])
    parser.add_argument("--env", default="dev", help="environment name, or 'local' for the local deployment")
    parser.add_argument("--outputs", type=Path, help="Terraform outputs JSON ({stack: {name: value}}) to use")
    parser.add_argument("--junitxml", type=Path, help="default reports/postdeploy-<env>.xml")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    arguments = parser.parse_args(argv)
    junit = arguments.junitxml or REPOSITORY_ROOT / "reports" / f"postdeploy-{arguments.env}.xml"
    report_dir = REPOSITORY_ROOT / "reports" / f"postdeploy-{arguments.env}"
    report_dir.mkdir(parents=True, exist_ok=True)

    if arguments.env == "local":
        env_file, outputs_path = DEFAULT_ROOT / "env", DEFAULT_ROOT / "outputs.json"
        if not env_file.exists() or not outputs_path.exists():
            print("error: no local deployment: run `make local-up` first", file=sys.stderr)
            return 2
        target, environment_name = "local", LOCAL_ENVIRONMENT_SOURCE
        environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        environment.update(read_exports(env_file))
        stacks = json.loads(outputs_path.read_text())
    else:
        target, environment_name = "aws", arguments.env
        # The standard credential chain; an emulator endpoint left in the shell must not redirect the run.
        environment = {
            name: value for name, value in os.environ.items() if not name.startswith("AWS_ENDPOINT_URL")
        }
        stacks = (
            json.loads(arguments.outputs.read_text()) if arguments.outputs else _aws_outputs(arguments.env)
        )

    outputs_file = report_dir / "outputs.json"
    outputs_file.write_text(json.dumps(suite_outputs(environment_name, stacks), indent=2, sort_keys=True))
    result = run_suite(
        target=target,
        outputs_file=outputs_file,
        junit_path=junit,
        environment=environment,
        pytest_arguments=tuple(arguments.pytest_args),
    )
    print(f"post-deploy suite on {arguments.env} ({target}): JUnit XML in {junit}")
    print("\n".join(format_area_counts(result.by_area)))
    return 0 if result.exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
