"""The local deployment, for people and for CI: `python -m harness.local up | down | e2e`.

- `up`: start a detached emulator on a free 127.0.0.1 port, synthesize the local target, terraform init +
  apply, save the outputs, write `.local/env` and print the `export` lines that point the aws CLI, boto3 or
  Terraform at the emulator. `make verify ENV=local` and `make local-down` read `.local/`.
- `down`: stop that emulator and delete the deployment (throwing the emulator away is faster than destroy).
- `e2e`: the whole flow in a fresh folder, cleaning up even when a step fails: emulator, synth, init, apply,
  the post-deploy suite and the idempotence check (`terraform plan -detailed-exitcode`) side by side, the
  fault self-test (tests/e2e) on the same deployment, destroy, emulator stopped. Prints resources applied,
  the idempotence result, tests passed / failed / skipped per control area and each phase's wall time; JUnit
  XML and logs go to reports/e2e/. Exit 0 only when every step passed.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypeVar

from harness import detached_emulator
from harness.emulator.server import EmulatorServer
from harness.local_deployment import (
    DEFAULT_ROOT,
    REPOSITORY_ROOT,
    LocalDeployment,
    PlanResult,
    shell_exports,
    synthesize_local_target,
)
from harness.verify import LOCAL_ENVIRONMENT_SOURCE, SuiteResult, format_area_counts, run_suite, suite_outputs

REPORT_DIR: Final = REPOSITORY_ROOT / "reports" / "e2e"
FAULT_SELFTEST_DIR: Final = REPOSITORY_ROOT / "tests" / "e2e"
DEPLOYMENT_ROOT_VARIABLE: Final = "CSG_E2E_DEPLOYMENT_ROOT"
"""Set for the fault self-test: the root of a deployment it may break (else it deploys its own)."""
EMULATOR_URL_VARIABLE: Final = "CSG_E2E_EMULATOR_URL"
"""Set for the fault self-test: the URL of the emulator that deployment runs on."""

_Result = TypeVar("_Result")


@dataclass
class Clock:
    """Wall time of each named phase, in order."""

    phases: list[tuple[str, float]] = field(default_factory=list)

    def run(self, name: str, step: Callable[[], _Result]) -> _Result:
        print(f"==> {name}", flush=True)
        started = time.monotonic()
        try:
            return step()
        finally:
            self.phases.append((name, time.monotonic() - started))

    def lines(self) -> list[str]:
        lines = [f"  {name:<28} {seconds:7.1f} s" for name, seconds in self.phases]
        return [*lines, f"  {'total':<28} {sum(seconds for _, seconds in self.phases):7.1f} s"]


def up() -> int:
    """Deploy the local target on a detached emulator and print the export lines."""
    record, root = DEFAULT_ROOT / "emulator.json", DEFAULT_ROOT
    clock = Clock()
    if detached_emulator.running(record):
        print(
            f"error: a local deployment is already up ({record}); run `make local-down` first",
            file=sys.stderr,
        )
        return 2
    _remove_deployment(root)
    endpoint = clock.run(
        "emulator", lambda: detached_emulator.start(record=record, log_path=root / "logs" / "emulator.log")
    )
    deployment = LocalDeployment(endpoint=endpoint, root=root)
    try:
        print("\n".join(clock.run("synth", deployment.synthesize)))
        clock.run("terraform init", deployment.init)
        applied = clock.run("terraform apply", deployment.apply)
        clock.run("outputs", deployment.outputs)
    except BaseException:
        detached_emulator.stop(record)
        raise
    exports = shell_exports(endpoint)
    (root / "env").write_text("\n".join(exports) + "\n")
    print(f"\nlocal deployment up: {applied} resources on {endpoint.url}; phases:")
    print("\n".join(clock.lines()))
    print(f"\nPoint the aws CLI / boto3 at it (also in {root / 'env'}):")
    print("\n".join(exports))
    print("\nThen: make verify ENV=local | make local-down")
    return 0


def down() -> int:
    """Stop the detached emulator and delete the local deployment."""
    stopped = detached_emulator.stop(DEFAULT_ROOT / "emulator.json")
    _remove_deployment(DEFAULT_ROOT)
    print("local deployment removed" + ("" if stopped else " (no emulator was running)"))
    return 0


def _remove_deployment(root: Path) -> None:
    for name in ("cdktf.out", "env", "outputs.json"):
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


@dataclass
class E2eReport:
    """What the e2e run found, for the summary."""

    resources_applied: int | None = None
    plans: list[PlanResult] | None = None
    suite: SuiteResult | None = None
    fault_selftest_exit: int | None = None
    resources_destroyed: int | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            not self.failures
            and self.plans is not None
            and not any(plan.changes for plan in self.plans)
            and self.suite is not None
            and self.suite.exit_code == 0
            and self.fault_selftest_exit == 0
        )


def e2e() -> int:
    """The whole local flow; see the module doc."""
    clock, report = Clock(), E2eReport()
    shutil.rmtree(REPORT_DIR, ignore_errors=True)
    REPORT_DIR.mkdir(parents=True)
    DEFAULT_ROOT.mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="e2e-", dir=DEFAULT_ROOT))
    server = EmulatorServer(log_path=root / "emulator.log")
    try:
        deployment = None
        try:
            synthesized = clock.run("emulator start + synth", lambda: _start_while_synthesizing(server, root))
            print("\n".join(synthesized))
            deployment = LocalDeployment(endpoint=server.endpoint, root=root)
            _deploy_and_check(clock, deployment, report)
        except Exception as error:
            report.failures.append(str(error))
        if deployment is not None and report.resources_applied is not None:
            try:
                report.resources_destroyed = clock.run("terraform destroy", deployment.destroy)
            except Exception as error:
                report.failures.append(str(error))
        clock.run("emulator stop", server.stop)
    finally:
        server.stop()
        _keep_logs(root)
        shutil.rmtree(root, ignore_errors=True)
    _print_summary(clock, report)
    return 0 if report.passed else 1


def _start_while_synthesizing(server: EmulatorServer, root: Path) -> list[str]:
    """Start the emulator and synthesize at the same time (synthesis needs no emulator)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = pool.submit(server.start)
        synthesized = synthesize_local_target(root)
        started.result()
    return synthesized


def _deploy_and_check(clock: Clock, deployment: LocalDeployment, report: E2eReport) -> None:
    clock.run("terraform init", deployment.init)
    report.resources_applied = clock.run("terraform apply", deployment.apply)
    stacks = clock.run("outputs", deployment.outputs)
    outputs_file = deployment.root / "suite-outputs.json"
    outputs_file.write_text(json.dumps(suite_outputs(LOCAL_ENVIRONMENT_SOURCE, stacks)))
    environment = deployment.endpoint.environment(os.environ)

    def suite() -> SuiteResult:
        return run_suite(
            target="local",
            outputs_file=outputs_file,
            junit_path=REPORT_DIR / "postdeploy.xml",
            environment=environment,
        )

    def checks() -> tuple[SuiteResult, list[PlanResult]]:
        # Both only read the deployment (the data-flow tests' object and item are not Terraform's), so they
        # run side by side.
        with ThreadPoolExecutor(max_workers=2) as pool:
            suite_future, plan_future = pool.submit(suite), pool.submit(deployment.plan)
            return suite_future.result(), plan_future.result()

    report.suite, report.plans = clock.run("post-deploy suite + plan", checks)
    fault_environment = {
        **environment,
        DEPLOYMENT_ROOT_VARIABLE: str(deployment.root),
        EMULATOR_URL_VARIABLE: deployment.endpoint.url,
    }
    report.fault_selftest_exit = clock.run(
        "fault self-test",
        lambda: (
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    str(FAULT_SELFTEST_DIR),
                    "-p",
                    "no:cacheprovider",
                    "-q",
                    "-rfs",
                    f"--junitxml={REPORT_DIR / 'fault-selftest.xml'}",
                ],
                cwd=REPOSITORY_ROOT,
                env=fault_environment,
                check=False,
            ).returncode
        ),
    )


def _keep_logs(root: Path) -> None:
    logs = REPORT_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for path in [*root.glob("logs/*.log"), root / "emulator.log"]:
        if path.exists():
            shutil.copy(path, logs / path.name)


def _print_summary(clock: Clock, report: E2eReport) -> None:
    print("\n" + "=" * 72 + "\ne2e summary (local target on the emulator)")
    print(f"resources applied: {report.resources_applied if report.resources_applied is not None else 'n/a'}")
    if report.plans is None:
        print("idempotence: not checked")
    else:
        changed = [plan for plan in report.plans if plan.changes]
        print(
            "idempotence: "
            + (
                "no changes after apply"
                if not changed
                else f"CHANGES in {', '.join(plan.stack for plan in changed)}"
            )
        )
        for plan in changed:
            print(plan.summary)
    if report.suite is not None:
        print(f"post-deploy suite (JUnit: {report.suite.junit_path}):")
        print("\n".join(format_area_counts(report.suite.by_area)))
        for name in report.suite.failed_tests:
            print(f"  FAILED {name}")
    if report.fault_selftest_exit is not None:
        print(
            f"fault self-test: {'passed' if report.fault_selftest_exit == 0 else 'FAILED'} "
            f"(JUnit: {REPORT_DIR / 'fault-selftest.xml'})"
        )
    print(
        "resources destroyed: "
        + (str(report.resources_destroyed) if report.resources_destroyed is not None else "n/a")
    )
    print("phases (wall time):")
    print("\n".join(clock.lines()))
    for failure in report.failures:
        print(f"FAILED: {failure}")
    print(f"result: {'PASSED' if report.passed else 'FAILED'}; logs in {REPORT_DIR / 'logs'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.local", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("up", "down", "e2e"))
    command = parser.parse_args(argv).command
    return {"up": up, "down": down, "e2e": e2e}[command]()


if __name__ == "__main__":
    sys.exit(main())
