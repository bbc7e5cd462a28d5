"""IngestFunction: an object created under incoming/ in the raw bucket invokes it through EventBridge; its
environment is what functions/ingest reads; its role can do exactly what the handler does."""

import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from modules.core.validation import PropsError
from modules.ingest.ingest_function import IngestFunction, IngestFunctionProps
from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    logical_id,
    reference,
    single,
    stack_json,
    statements_of_grants,
    throwaway_stack,
)

INGEST = "data-services/ingest/"
HANDLER = Path(__file__).resolve().parents[4] / "functions" / "ingest" / "ingest_handler.py"


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


def test_object_created_events_of_the_raw_bucket_invoke_the_function(dev: Synthesized) -> None:
    rule = single(dev, "aws_cloudwatch_event_rule", INGEST)
    raw = reference("aws_s3_bucket", logical_id(dev, "aws_s3_bucket", "data-lake/raw/"), "bucket")
    pattern = rule["event_pattern"]
    assert pattern.startswith("${jsonencode(") and raw.strip("${}") in pattern
    for fragment in ('"source" = ["aws.s3"]', '"detail-type" = ["Object Created"]', '"prefix" = "incoming/"'):
        assert fragment in pattern
    target = single(dev, "aws_cloudwatch_event_target", INGEST)
    function = logical_id(dev, "aws_lambda_function", INGEST)
    assert target["arn"] == reference("aws_lambda_function", function, "arn")
    permission = single(dev, "aws_lambda_permission", INGEST)
    rule_id = logical_id(dev, "aws_cloudwatch_event_rule", INGEST)
    assert (permission["principal"], permission["source_arn"]) == (
        "events.amazonaws.com",
        reference("aws_cloudwatch_event_rule", rule_id, "arn"),
    )


def test_environment_holds_every_setting_the_handler_requires(dev: Synthesized) -> None:
    variables = single(dev, "aws_lambda_function", INGEST)["environment"]["variables"]
    # The handler's docstring lists its environment; every required name must be set.
    documented = set(re.findall(r"^    ([A-Z_]{4,})\s{2,}", HANDLER.read_text(), flags=re.MULTILINE))
    assert documented - {"LOG_LEVEL"} <= set(variables)
    assert variables["QUARANTINE_PREFIX"] == "quarantine/"
    assert variables["LEDGER_TABLE"] == reference(
        "aws_dynamodb_table", logical_id(dev, "aws_dynamodb_table", "table-ingestion_ledger/"), "name"
    )
    assert variables["GLUE_WORKFLOW_NAME"] == reference(
        "aws_glue_workflow", logical_id(dev, "aws_glue_workflow", "glue-workflow/"), "name"
    )


def test_role_reads_incoming_writes_quarantine_and_deletes_only_rejected_versions(dev: Synthesized) -> None:
    role = logical_id(dev, "aws_iam_role", INGEST + "function/role/")
    granted = actions_on(statements_of_grants(dev, role))
    raw = reference("aws_s3_bucket", logical_id(dev, "aws_s3_bucket", "data-lake/raw/"), "arn")
    assert granted["s3:GetObjectVersion"] == {f"{raw}/incoming/*"}
    assert granted["s3:PutObject"] == {f"{raw}/quarantine/*"}
    assert granted["s3:DeleteObjectVersion"] == {f"{raw}/incoming/*"}
    assert "s3:DeleteObject" not in granted
    assert "glue:StartWorkflowRun" in granted


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"quarantine_prefix": "incoming/rejected/"}, "must not overlap 'incoming/'"),
        ({"quarantine_prefix": "quarantine"}, "must end with '/'"),
        ({"allowed_suffixes": ("csv",)}, "allowed_suffixes: 'csv'"),
        ({"allowed_content_types": ("text/csv; charset=utf-8",)}, "is not a lower-case media type"),
        ({"max_object_bytes": 0}, "max_object_bytes: 0"),
    ],
)
def test_settings_the_handler_would_refuse_are_rejected_at_synth(
    overrides: dict[str, Any], problem: str
) -> None:
    stack, context = throwaway_stack()
    props: dict[str, Any] = {
        "name": "csg-test-ingest",
        "log_retention_days": 30,
        "reserved_concurrency": 1,
        **overrides,
    }
    absent: Any = None  # validation fails before any collaborator is used
    with pytest.raises(PropsError) as error:
        IngestFunction(
            stack,
            "ingest",
            context=context,
            network=absent,
            endpoints=absent,
            raw_bucket=absent,
            ledger=absent,
            workflow=absent,
            environment_key=absent,
            logs_key=absent,
            dead_letter_key=absent,
            props=IngestFunctionProps(**props),
        )
    assert any(problem in found for found in error.value.problems)


def test_the_handler_accepts_the_environment_the_construct_sets(dev: Synthesized) -> None:
    """The handler's own configuration check, fed the synthesized environment (references filled in)."""
    # Lambda imports the handler top-level from its package root; so does this test.
    if str(HANDLER.parent) not in sys.path:
        sys.path.insert(0, str(HANDLER.parent))
    handler = importlib.import_module("ingest_handler")
    variables = dict(single(dev, "aws_lambda_function", INGEST)["environment"]["variables"])
    variables.update(LEDGER_TABLE="csg-dev-ingestion-ledger", GLUE_WORKFLOW_NAME="csg-dev-curation")
    config = handler.load_config(variables)
    assert config.quarantine_prefix == "quarantine/"
    assert json.dumps(list(config.allowed_suffixes)) == '[".csv", ".json", ".jsonl", ".parquet"]'
