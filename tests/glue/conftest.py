"""Fixtures for the Glue script tests: Glue's import layout and one local SparkSession per run."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

GLUE_SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "glue_scripts"

# Glue puts --extra-py-files on sys.path and runs the entry point as a top-level script, so the
# scripts import each other as top-level modules; the tests import them the same way.
if str(GLUE_SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(GLUE_SCRIPTS_DIR))


@pytest.fixture(scope="session")
def glue_scripts_dir() -> Path:
    """The directory holding the Glue scripts."""
    return GLUE_SCRIPTS_DIR


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """A small local SparkSession shared by every test of the run (starting one takes seconds)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("cloudsafeguard-glue-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        # Only loopback traffic is allowed here.
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        # The jobs pin UTC too; partition dates depend on it.
        .config("spark.sql.session.timeZone", "UTC")
        # Tiny data: compiling generated code and adaptive re-planning cost more than they save.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .config("spark.local.dir", str(tmp_path_factory.mktemp("spark-local")))
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
