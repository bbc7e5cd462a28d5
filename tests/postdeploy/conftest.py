"""Post-deploy suite: checks the platform's controls on a deployed environment (local emulator or AWS).

Run it with `make verify ENV=<env>` (python -m harness.verify), which sets:
- CSG_POSTDEPLOY_TARGET: "local" (the emulator at $AWS_ENDPOINT_URL on 127.0.0.1) or "aws" (credential chain);
- CSG_POSTDEPLOY_OUTPUTS: the stacks' Terraform outputs, where every identifier comes from.
Without them there is nothing to check, and pytest collects nothing here (a plain `pytest` run stays offline).

Every test names its control: `@pytest.mark.control(area, name)`. A test that cannot run on one target says
why: `@pytest.mark.only_on(target, reason=...)` skips it elsewhere with that reason. The run ends with a
per-control table (pass / fail / skip on this target) and the JUnit XML carries area, control and target.
"""

import json
import os
import uuid
from collections import defaultdict
from typing import Final

import pytest

from tests.postdeploy.database_probe import (
    PROBE_DATABASE,
    PROBE_USER,
    ProbeResult,
    local_postgres,
    probe,
    probe_on_app_host,
    read_credentials,
)
from tests.postdeploy.platform import TARGETS, Aws, Outputs

TARGET: Final = os.environ.get("CSG_POSTDEPLOY_TARGET")
OUTPUTS_FILE: Final = os.environ.get("CSG_POSTDEPLOY_OUTPUTS")
AREAS: Final = ("encryption", "connectivity", "data flow", "alarms", "least privilege")

if TARGET is None or OUTPUTS_FILE is None:
    collect_ignore_glob = ["test_*.py"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "control(area, name): the platform control a post-deploy test checks")
    config.addinivalue_line("markers", "only_on(target, reason): run only on that target (local | aws)")
    if TARGET is not None and TARGET not in TARGETS:
        raise pytest.UsageError(f"CSG_POSTDEPLOY_TARGET={TARGET!r}: expected one of {TARGETS}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = []
    for item in items:
        if not item.nodeid.startswith("tests/postdeploy/"):
            continue
        control = item.get_closest_marker("control")
        if control is None or len(control.args) != 2 or control.args[0] not in AREAS:
            problems.append(f"{item.nodeid}: needs @pytest.mark.control(area, name) with area in {AREAS}")
            continue
        area, name = control.args
        item.user_properties += [("control_area", area), ("control", name), ("target", str(TARGET))]
        only_on = item.get_closest_marker("only_on")
        if only_on is not None and only_on.args[0] != TARGET:
            item.add_marker(pytest.mark.skip(reason=f"not on {TARGET}: {only_on.kwargs['reason']}"))
    if problems:
        raise pytest.UsageError("\n".join(problems))


@pytest.fixture(scope="session")
def outputs() -> Outputs:
    """The deployment's Terraform outputs."""
    assert OUTPUTS_FILE is not None
    return Outputs.load(OUTPUTS_FILE)


@pytest.fixture(scope="session")
def aws(outputs: Outputs) -> Aws:
    """Clients for the target the suite runs against."""
    assert TARGET is not None
    return Aws(target=TARGET, region=outputs.region)


@pytest.fixture(scope="session")
def database_probe(aws: Aws, outputs: Outputs) -> ProbeResult:
    """The database probe's result: against a local PostgreSQL with TLS (local), or on the app host (aws)."""
    if not aws.local:
        return probe_on_app_host(aws, outputs)
    secretsmanager = aws.client("secretsmanager")
    with local_postgres() as server:
        secret = secretsmanager.create_secret(
            Name=f"csg-postdeploy/database-probe-{uuid.uuid4().hex[:8]}",
            KmsKeyId=outputs.env("kms_key_arns")["secrets"],
            SecretString=json.dumps(
                {
                    "host": server.host,
                    "port": server.port,
                    "dbname": PROBE_DATABASE,
                    "username": PROBE_USER,
                    "password": server.password,
                }
            ),
        )
        try:
            return probe(credentials=read_credentials(aws, secret["ARN"]), ca_file=server.ca_file)
        finally:
            secretsmanager.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TARGET is None:
        return
    outcomes: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for status in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(status, []):
            properties = dict(getattr(report, "user_properties", []))
            if "control" not in properties:
                continue
            if status == "passed" and report.when != "call":
                continue
            outcome = "failed" if status == "error" else status
            outcomes[(properties["control_area"], properties["control"])][outcome] += 1
    if not outcomes:
        return
    terminalreporter.section(f"controls on target {TARGET}")
    for (area, control), counts in sorted(outcomes.items()):
        verdict = "FAIL" if counts["failed"] else "pass" if counts["passed"] else "skip"
        detail = ", ".join(f"{number} {name}" for name, number in sorted(counts.items()))
        terminalreporter.write_line(f"{verdict:<5} {area:<16} {control}  ({detail})")
