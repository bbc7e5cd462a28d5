"""PostgresRotationFunction: what its role may do (rotate, read the master secret, generate passwords) and
that it reaches the database on 5432 through a rule the database's group admits by security group."""

from pathlib import Path

import pytest

from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    logical_id,
    reference,
    single,
    stack_json,
    statements_of_grants,
)

ROTATION = "data-services/rotation/function/"


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


def test_role_reads_the_master_secret_and_rotates_only_the_etl_secret(dev: Synthesized) -> None:
    role = logical_id(dev, "aws_iam_role", ROTATION + "role/")
    granted = actions_on(statements_of_grants(dev, role))
    etl = reference(
        "aws_secretsmanager_secret",
        logical_id(dev, "aws_secretsmanager_secret", "secret-database-etl/"),
        "arn",
    )
    database = logical_id(dev, "aws_db_instance", "data-services/database/")
    master = f"${{aws_db_instance.{database}.master_user_secret[0].secret_arn}}"
    assert granted["secretsmanager:PutSecretValue"] == {etl}
    assert granted["secretsmanager:UpdateSecretVersionStage"] == {etl}
    assert granted["secretsmanager:GetSecretValue"] == {etl, master}
    assert granted["secretsmanager:GetRandomPassword"] == {"*"}  # no resource-level permission exists


def test_runs_the_packaged_handler_with_the_read_only_role_for_new_users(dev: Synthesized) -> None:
    function = single(dev, "aws_lambda_function", ROTATION)
    assert function["handler"] == "secret_rotation_handler.handle"
    assert function["environment"]["variables"]["NEW_USER_ROLES"] == "pg_read_all_data"
    assert "dead_letter_config" not in function  # invoked synchronously by Secrets Manager


def test_the_database_admits_the_function_by_security_group(dev: Synthesized) -> None:
    function_group = reference(
        "aws_security_group", logical_id(dev, "aws_security_group", ROTATION + "security-group"), "id"
    )
    rules = [
        rule
        for rule in dev["resource"]["aws_vpc_security_group_ingress_rule"].values()
        if rule.get("referenced_security_group_id") == function_group
    ]
    database_group = reference(
        "aws_security_group",
        logical_id(dev, "aws_security_group", "data-services/database/security-group"),
        "id",
    )
    assert [(rule["security_group_id"], rule["from_port"]) for rule in rules] == [(database_group, 5432)]
