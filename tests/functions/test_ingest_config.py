"""The ingest function's configuration: parsed from the environment, every problem reported at once."""

import json
import os
import subprocess
import sys
from pathlib import Path

import ingest_handler
import pytest
from ingest_handler import ConfigError, load_config

VALID_ENVIRONMENT = {
    "LEDGER_TABLE": "csg-dev-ingestion-ledger",
    "GLUE_WORKFLOW_NAME": "csg-dev-curation",
    "QUARANTINE_PREFIX": "quarantine/",
    "MAX_OBJECT_BYTES": "104857600",
    "ALLOWED_SUFFIXES": " .CSV, .json ,.csv",
    "ALLOWED_CONTENT_TYPES": "text/csv,Application/JSON",
}


def test_valid_environment_is_parsed_and_lists_are_normalised() -> None:
    config = load_config(VALID_ENVIRONMENT)

    assert config.ledger_table == "csg-dev-ingestion-ledger"
    assert config.glue_workflow_name == "csg-dev-curation"
    assert config.quarantine_prefix == "quarantine/"
    assert config.max_object_bytes == 100 * 1024 * 1024
    assert config.allowed_suffixes == (".csv", ".json")
    assert config.allowed_content_types == ("text/csv", "application/json")
    assert config.log_level == "INFO"


def test_empty_environment_names_every_required_variable() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({})

    assert sorted(raised.value.problems) == sorted(
        f"{name} is not set"
        for name in (
            "LEDGER_TABLE",
            "GLUE_WORKFLOW_NAME",
            "QUARANTINE_PREFIX",
            "MAX_OBJECT_BYTES",
            "ALLOWED_SUFFIXES",
            "ALLOWED_CONTENT_TYPES",
        )
    )


def test_invalid_values_are_all_reported_in_one_error() -> None:
    environment = {
        **VALID_ENVIRONMENT,
        "LEDGER_TABLE": "ledger table",
        "QUARANTINE_PREFIX": "incoming/quarantine",
        "MAX_OBJECT_BYTES": "10MB",
        "ALLOWED_SUFFIXES": ".csv,json",
        "ALLOWED_CONTENT_TYPES": "text/csv; charset=utf-8",
        "LOG_LEVEL": "verbose",
    }

    with pytest.raises(ConfigError) as raised:
        load_config(environment)

    message = str(raised.value)
    assert len(raised.value.problems) == 7
    for fragment in (
        "LEDGER_TABLE",
        "QUARANTINE_PREFIX must end with '/'",
        "QUARANTINE_PREFIX must not overlap 'incoming/'",
        "MAX_OBJECT_BYTES",
        "'json'",
        "'text/csv; charset=utf-8'",
        "LOG_LEVEL",
    ):
        assert fragment in message


@pytest.mark.parametrize("value", ["0", "-1", "1e6", "1.5", "\u00b2"])
def test_max_object_bytes_must_be_a_positive_whole_number(value: str) -> None:
    with pytest.raises(ConfigError, match="MAX_OBJECT_BYTES"):
        load_config({**VALID_ENVIRONMENT, "MAX_OBJECT_BYTES": value})


def test_cold_start_with_a_bad_environment_fails_listing_every_problem() -> None:
    """As in Lambda: a fresh process imports the handler top-level and invokes it once."""
    environment = {name: value for name, value in os.environ.items() if name not in VALID_ENVIRONMENT}
    environment["MAX_OBJECT_BYTES"] = "lots"
    runner = "import ingest_handler; ingest_handler.handle({}, None)"

    completed = subprocess.run(
        [sys.executable, "-c", runner],
        cwd=Path(ingest_handler.__file__).parent,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode != 0
    assert "ConfigError: ingest configuration: 6 problem(s)" in completed.stderr
    (log_line,) = completed.stdout.splitlines()
    log = json.loads(log_line)
    assert log["level"] == "ERROR"
    assert log["message"] == "invalid configuration"
    assert len(log["problems"]) == 6
    assert any("'lots'" in problem for problem in log["problems"])
