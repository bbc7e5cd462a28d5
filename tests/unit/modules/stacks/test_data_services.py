"""DataServices in every environment: all of issue 4 is there, and the outputs the post-deploy suite reads
exist under their stable names and point at the right resources."""

from pathlib import Path

import pytest

from tests.unit.modules.data_services_support import Synthesized, logical_id, reference, stack_json

ENVIRONMENTS = ("dev", "staging", "prod")
EXPECTED_TYPES = {
    "aws_db_instance": 1,
    "aws_dynamodb_table": 2,
    "aws_secretsmanager_secret": 1,
    "aws_secretsmanager_secret_rotation": 1,
    "aws_glue_catalog_database": 2,
    "aws_glue_connection": 1,
    "aws_glue_crawler": 4,
    "aws_glue_job": 2,
    "aws_glue_workflow": 1,
    "aws_glue_security_configuration": 1,
    "aws_athena_workgroup": 1,
    "aws_lambda_function": 2,
}
OUTPUTS = (
    "database_endpoint",
    "database_port",
    "database_instance_id",
    "database_name",
    "data_security_group_ids",
    "secret_arns",
    "table_names",
    "glue_database_names",
    "glue_connection_name",
    "glue_crawler_names",
    "glue_job_names",
    "glue_workflow_name",
    "glue_assets_bucket_name",
    "athena_workgroup_name",
    "athena_named_query_ids",
    "ingest_function_name",
    "ingest_dead_letter_queue_url",
    "rotation_function_name",
)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_environment_has_all_the_data_services(synth_dir: Path, environment: str) -> None:
    synthesized = stack_json(synth_dir, environment)
    for resource_type, count in EXPECTED_TYPES.items():
        found = [
            key for key in synthesized["resource"].get(resource_type, {}) if key.startswith("data-services_")
        ]
        assert len(found) == count, f"{environment}: {resource_type}: {found}"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_outputs_have_stable_names(synth_dir: Path, environment: str) -> None:
    assert set(OUTPUTS) <= set(stack_json(synth_dir, environment)["output"])


def test_outputs_point_at_the_resources(synth_dir: Path) -> None:
    dev: Synthesized = stack_json(synth_dir, "dev")
    outputs = {name: output["value"] for name, output in dev["output"].items()}
    database = logical_id(dev, "aws_db_instance", "data-services/database/")
    assert outputs["database_endpoint"] == reference("aws_db_instance", database, "address")
    assert outputs["database_instance_id"] == reference("aws_db_instance", database, "identifier")
    assert outputs["database_port"] == 5432
    assert outputs["secret_arns"] == {
        "database_master": f"${{aws_db_instance.{database}.master_user_secret[0].secret_arn}}",
        "database_etl": reference(
            "aws_secretsmanager_secret",
            logical_id(dev, "aws_secretsmanager_secret", "secret-database-etl/"),
            "arn",
        ),
    }
    assert sorted(outputs["data_security_group_ids"]) == [
        "database",
        "glue_connection",
        "ingest_function",
        "rotation_function",
    ]
    assert sorted(outputs["glue_crawler_names"]) == ["curated", "dynamodb", "raw", "rds"]
    assert sorted(outputs["glue_job_names"]) == ["dynamodb", "rds"]
    assert sorted(outputs["table_names"]) == ["application", "ingestion_ledger"]
    assert outputs["ingest_function_name"] == reference(
        "aws_lambda_function",
        logical_id(dev, "aws_lambda_function", "data-services/ingest/"),
        "function_name",
    )


def test_catalog_key_output_in_the_account_baseline(synth_dir: Path) -> None:
    baseline = stack_json(synth_dir, "account-baseline")
    key = logical_id(baseline, "aws_kms_key", "glue-catalog-key/")
    assert baseline["output"]["glue_catalog_kms_key_arn"]["value"] == reference("aws_kms_key", key, "arn")
