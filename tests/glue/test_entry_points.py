"""The entry points import without awsglue, which exists only on Glue itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Runs in a fresh interpreter so that nothing imported by other tests hides an import. The finder
# records and refuses any attempt to import awsglue, even one guarded by try/except.
IMPORT_CHECK = """
import importlib, sys

attempts = []

class RefuseAwsglue:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "awsglue":
            attempts.append(name)
            raise ImportError("awsglue imported at module import time: " + name)
        return None

sys.meta_path.insert(0, RefuseAwsglue())
sys.path.insert(0, sys.argv[1])
module = importlib.import_module(sys.argv[2])
assert callable(module.main), "no main()"
assert not attempts, attempts
assert not [name for name in sys.modules if name.split(".")[0] == "awsglue"]
print("imported", module.__name__)
"""

ENTRY_POINTS = ["rds_to_curated", "dynamodb_to_curated"]


@pytest.mark.parametrize("module_name", ENTRY_POINTS)
def test_entry_point_imports_without_awsglue(glue_scripts_dir: Path, module_name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK, str(glue_scripts_dir), module_name],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"imported {module_name}"


@pytest.mark.parametrize("module_name", ENTRY_POINTS)
def test_entry_point_main_needs_awsglue(glue_scripts_dir: Path, module_name: str) -> None:
    """main() is where awsglue comes in: run here, without it, the job stops at that import."""
    result = subprocess.run(
        [sys.executable, str(glue_scripts_dir / f"{module_name}.py"), "--JOB_NAME", "test"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode != 0
    assert "No module named 'awsglue'" in result.stderr
