"""PlatformSecret and SecretAccess: our key, rotation by the rotation function, a resource policy that denies
reading to every principal but the granted roles, and no credential ever written by Terraform."""

from pathlib import Path
from typing import Any

import pytest

from modules.core.validation import PropsError
from modules.database.postgres_database import PostgresDatabase, PostgresDatabaseProps
from modules.secrets.platform_secret import PlatformSecret, PlatformSecretProps
from modules.secrets.postgres_rotation_function import PostgresRotationFunction, PostgresRotationFunctionProps
from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    key,
    logical_id,
    network,
    reference,
    single,
    stack_json,
    statements_of_grants,
    throwaway_stack,
)

ETL = "data-services/secret-database-etl/"


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


def _policy_statement(synthesized: Synthesized, path: str) -> dict[str, Any]:
    policy = single(synthesized, "aws_secretsmanager_secret_policy", path)
    assert policy["block_public_policy"] is True
    document = policy["policy"].removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
    (statement,) = synthesized["data"]["aws_iam_policy_document"][document]["statement"]
    return statement  # type: ignore[no-any-return]


def _build(**overrides: Any) -> PlatformSecret:
    stack, context = throwaway_stack()
    vpc, endpoints = network(stack, context)
    secrets_key, logs_key = key(stack, context, "secrets"), key(stack, context, "logs")
    database = PostgresDatabase(
        stack,
        "database",
        context=context,
        network=vpc,
        storage_key=key(stack, context, "db"),
        secrets_key=secrets_key,
        logs_key=logs_key,
        props=PostgresDatabaseProps(identifier="csg-test-postgres", log_retention_days=30),
    )
    rotation = PostgresRotationFunction(
        stack,
        "rotation",
        context=context,
        network=vpc,
        endpoints=endpoints,
        database=database,
        secrets_key=secrets_key,
        logs_key=logs_key,
        props=PostgresRotationFunctionProps(name="csg-test-rotation", log_retention_days=30),
    )
    props: dict[str, Any] = {"name": "csg-test/database/etl", "description": "test", **overrides}
    return PlatformSecret(
        stack,
        "secret",
        context=context,
        key=secrets_key,
        rotation_function=rotation.function,
        props=PlatformSecretProps(**props),
    )


def test_secret_is_encrypted_with_the_secrets_key_and_recoverable(dev: Synthesized) -> None:
    secret = single(dev, "aws_secretsmanager_secret", ETL)
    assert secret["kms_key_id"] == reference(
        "aws_kms_key", logical_id(dev, "aws_kms_key", "keys/secrets/"), "arn"
    )
    assert secret["recovery_window_in_days"] == 30


def test_terraform_writes_no_value_only_non_secret_connection_fields_as_tags(dev: Synthesized) -> None:
    assert "aws_secretsmanager_secret_version" not in dev["resource"]
    tags = single(dev, "aws_secretsmanager_secret", ETL)["tags"]
    assert sorted(tags) == [
        "field:dbname",
        "field:engine",
        "field:host",
        "field:masterarn",
        "field:port",
        "field:username",
    ]
    database = logical_id(dev, "aws_db_instance", "data-services/database/")
    assert tags["field:host"] == reference("aws_db_instance", database, "address")


def test_rotation_is_configured_with_the_rotation_function_within_90_days(dev: Synthesized) -> None:
    rotation = single(dev, "aws_secretsmanager_secret_rotation", ETL)
    function = logical_id(dev, "aws_lambda_function", "data-services/rotation/")
    assert rotation["rotation_lambda_arn"] == reference("aws_lambda_function", function, "arn")
    assert rotation["rotation_rules"] == {"automatically_after_days": 30}
    assert rotation["rotate_immediately"] is True
    permission = single(dev, "aws_lambda_permission", "data-services/rotation/function/invoke-rotate-")
    secret = logical_id(dev, "aws_secretsmanager_secret", ETL)
    assert permission["principal"] == "secretsmanager.amazonaws.com"
    assert permission["source_arn"] == reference("aws_secretsmanager_secret", secret, "arn")


def test_policy_denies_reading_to_all_but_the_roles_granted_it(dev: Synthesized) -> None:
    statement = _policy_statement(dev, ETL)
    assert statement["effect"] == "Deny"
    assert statement["principals"] == [{"type": "AWS", "identifiers": ["*"]}]
    conditions = {c["variable"]: c for c in statement["condition"]}
    assert conditions["aws:PrincipalIsAWSService"]["values"] == ["false"]
    allowed = set(conditions["aws:PrincipalArn"]["values"])

    def role(path: str) -> str:
        return reference("aws_iam_role", logical_id(dev, "aws_iam_role", path), "arn")

    # Granted after the secret was built (connection.grant_use): the lazily rendered list still has them.
    expected = {
        role("rotation/function/role/"),
        role("glue-crawler-rds/role/"),
        role("glue-job-rds/role/"),
        role("glue-job-dynamodb/role/"),
    }
    assert expected <= allowed
    assert role("ingest/function/role/") not in allowed


def test_readers_get_the_value_and_the_key_only_through_secrets_manager(dev: Synthesized) -> None:
    job_role = logical_id(dev, "aws_iam_role", "data-services/glue-job-rds/role/")
    statements = statements_of_grants(dev, job_role)
    secret = reference("aws_secretsmanager_secret", logical_id(dev, "aws_secretsmanager_secret", ETL), "arn")
    granted = actions_on(statements)
    assert granted["secretsmanager:GetSecretValue"] == {secret}
    assert "secretsmanager:PutSecretValue" not in granted
    secrets_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/secrets/"), "arn")
    (key_grant,) = [s for s in statements if s["resources"] == [secrets_key]]
    assert key_grant["actions"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert key_grant["condition"][0]["values"] == ["secretsmanager.eu-west-1.amazonaws.com"]


def test_only_the_rotation_function_may_write_the_secret(dev: Synthesized) -> None:
    secret = reference("aws_secretsmanager_secret", logical_id(dev, "aws_secretsmanager_secret", ETL), "arn")
    writers = []
    for role in dev["resource"]["aws_iam_role"]:
        granted = actions_on(statements_of_grants(dev, role))
        if secret in granted.get("secretsmanager:PutSecretValue", set()):
            writers.append(role)
    assert writers == [logical_id(dev, "aws_iam_role", "data-services/rotation/function/role/")]


@pytest.mark.parametrize("field", ["password", "api_key", "token", "db_secret", "Credentials"])
def test_a_credential_among_the_terraform_fields_is_rejected(field: str) -> None:
    with pytest.raises(PropsError, match="looks like a credential"):
        _build(non_secret_fields={"username": "etl", field: "x"})


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"rotation_days": 0}, "rotation_days: 0 must be between 1 and 90"),
        ({"rotation_days": 91}, "rotation_days: 91 must be between 1 and 90"),
        ({"recovery_window_days": 3}, "recovery_window_days: 3 must be between 7 and 30"),
    ],
)
def test_rotation_and_recovery_limits(overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(PropsError) as error:
        _build(**overrides)
    assert problem in error.value.problems


def test_a_secret_without_immediate_rotation_is_reported_as_weakened() -> None:
    secret = _build(rotate_immediately=False)
    assert any("weakened default: rotate_immediately" in str(e.data) for e in secret.node.metadata)
    assert not any("weakened" in str(e.data) for e in _build().node.metadata)
