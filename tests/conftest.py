"""Session-wide fixtures: one real synthesis of every stack, shared by every test that reads it."""

import os
from pathlib import Path

import pytest

from harness import provider_loader

# Before any test imports cdktf or the provider (it starts the jsii kernel): issue 7.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
provider_loader.install()


@pytest.fixture(scope="session")
def synthesis(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Every environment and the account baseline, synthesized once: (cdktf.out folder, notes printed)."""
    from main import synthesize

    outdir = tmp_path_factory.mktemp("synth") / "cdktf.out"
    notes: list[str] = []
    synthesize(outdir, notes)
    return outdir, notes


@pytest.fixture(scope="session")
def synth_dir(synthesis: tuple[Path, list[str]]) -> Path:
    """A cdktf.out-shaped folder holding every environment and the account baseline."""
    return synthesis[0]


@pytest.fixture(scope="session")
def stack_dirs(synth_dir: Path) -> list[Path]:
    """Each synthesized stack's folder (the ones holding cdk.tf.json)."""
    found = sorted(path.parent for path in (synth_dir / "stacks").glob("*/cdk.tf.json"))
    assert found, f"no stacks synthesized under {synth_dir}"
    return found
