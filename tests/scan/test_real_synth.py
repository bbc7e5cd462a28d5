"""The gate on the real synthesized stacks with the real registry: it must pass, and not vacuously."""

from __future__ import annotations

from pathlib import Path

import pytest

from security.gate import DEFAULT_SUPPRESSIONS_DIR
from tests.scan.helpers import GateRun, run_gate

# A floor well below what each stack gets today (about 190 for the account baseline, 2,200 for each
# environment), so a scan that silently evaluated little or nothing fails.
MIN_PASSED_PER_STACK = 100


@pytest.fixture(scope="module")
def real_run(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> GateRun:
    return run_gate(synth_dir, tmp_path_factory.mktemp("real-scan"), DEFAULT_SUPPRESSIONS_DIR)


def test_real_stacks_pass_the_gate(real_run: GateRun) -> None:
    verdict = real_run.verdict()
    assert verdict["failures"] == []
    assert verdict["errors"] == []
    assert real_run.exit_code == 0, real_run.stdout + real_run.stderr


def test_every_real_stack_is_scanned_in_depth(real_run: GateRun, synth_dir: Path) -> None:
    scanned = {stack["name"]: stack["passed"] for stack in real_run.verdict()["stacks"]}
    assert set(scanned) == {path.parent.name for path in (synth_dir / "stacks").glob("*/cdk.tf.json")}
    assert {name: passed for name, passed in scanned.items() if passed < MIN_PASSED_PER_STACK} == {}
