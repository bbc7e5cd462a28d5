"""SecureTable: our key, point-in-time recovery, deletion protection in prod, on-demand billing, and grants
that give item access only, with the key only through DynamoDB."""

from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack

from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.database.dynamodb_table import KeyAttribute, SecureTable, SecureTableProps
from tests.unit.modules.conftest import synth
from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    key,
    logical_id,
    reference,
    stack_json,
    statements_of_grants,
    throwaway_stack,
    under,
)


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


@pytest.fixture(scope="module")
def prod(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "prod")


def _tables(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {
        table["name"]: table
        for table in under(synthesized, "aws_dynamodb_table", "data-services/table-").values()
    }


def _build(**overrides: Any) -> SecureTable:
    stack, context = throwaway_stack()
    props: dict[str, Any] = {"name": "csg-test-items", "partition_key": KeyAttribute(name="pk"), **overrides}
    return SecureTable(
        stack, "table", context=context, key=key(stack, context, "db"), props=SecureTableProps(**props)
    )


def test_application_and_ledger_tables_exist_with_the_ledger_key_layout(dev: Synthesized) -> None:
    tables = _tables(dev)
    assert set(tables) == {"csg-dev-application", "csg-dev-ingestion-ledger"}
    ledger = tables["csg-dev-ingestion-ledger"]
    # The layout functions/ingest writes: object_uri + version_id, both strings.
    assert (ledger["hash_key"], ledger["range_key"]) == ("object_uri", "version_id")
    assert {(a["name"], a["type"]) for a in ledger["attribute"]} == {("object_uri", "S"), ("version_id", "S")}


def test_tables_are_encrypted_with_the_database_key_and_recoverable(dev: Synthesized) -> None:
    database_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/database/"), "arn")
    for table in _tables(dev).values():
        assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": database_key}
        assert table["point_in_time_recovery"] == {"enabled": True}
        assert table["billing_mode"] == "PAY_PER_REQUEST"


def test_prod_tables_are_deletion_protected(prod: Synthesized, dev: Synthesized) -> None:
    assert all(table["deletion_protection_enabled"] is True for table in _tables(prod).values())
    assert all(table["deletion_protection_enabled"] is False for table in _tables(dev).values())  # dev.toml


def test_production_refuses_a_table_without_deletion_protection_or_recovery() -> None:
    with pytest.raises(PropsError) as error:
        _build(production=True, deletion_protection=False, point_in_time_recovery=False)
    assert set(error.value.problems) == {
        "deletion_protection: must be true in production",
        "point_in_time_recovery: must be true in production",
    }


def test_production_table_with_protections_is_accepted() -> None:
    assert _build(production=True).table is not None


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"billing_mode": "PROVISIONED"}, "read_capacity, write_capacity: required with PROVISIONED billing"),
        ({"read_capacity": 5, "write_capacity": 5}, "only allowed with PROVISIONED billing"),
        ({"sort_key": KeyAttribute(name="pk")}, "sort_key: must differ from the partition key"),
        ({"name": "x"}, "must be 3-255"),
    ],
)
def test_invalid_settings_are_rejected(overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(PropsError) as error:
        _build(**overrides)
    assert any(problem in found for found in error.value.problems)


def test_weakened_protections_are_reported_outside_production() -> None:
    table = _build(deletion_protection=False, point_in_time_recovery=False)
    warnings = [str(entry.data) for entry in table.node.metadata if "warn" in entry.type]
    assert any("deletion_protection" in warning for warning in warnings)
    assert any("point_in_time_recovery" in warning for warning in warnings)


def test_ingest_role_may_write_the_ledger_but_not_read_or_touch_the_application_table(
    dev: Synthesized,
) -> None:
    tables = {
        table["name"]: table_id for table_id, table in under(dev, "aws_dynamodb_table", "table-").items()
    }
    ledger = reference("aws_dynamodb_table", tables["csg-dev-ingestion-ledger"], "arn")
    role = logical_id(dev, "aws_iam_role", "data-services/ingest/function/role/")
    granted = actions_on(statements_of_grants(dev, role))
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert granted[action] == {ledger, f"{ledger}/index/*"}
    assert "dynamodb:Scan" not in granted and "dynamodb:Query" not in granted
    application = reference("aws_dynamodb_table", tables["csg-dev-application"], "arn")
    assert all(application not in resources for resources in granted.values())


def test_dynamodb_job_reads_the_application_table_with_the_key_only_through_dynamodb(
    dev: Synthesized,
) -> None:
    role = logical_id(dev, "aws_iam_role", "data-services/glue-job-dynamodb/role/")
    statements = statements_of_grants(dev, role)
    granted = actions_on(statements)
    assert "dynamodb:Scan" in granted and "dynamodb:PutItem" not in granted
    database_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/database/"), "arn")
    key_statements = [s for s in statements if database_key in s.get("resources", [])]
    assert key_statements
    for statement in key_statements:
        assert statement["condition"] == [
            {
                "test": "StringEquals",
                "variable": "kms:ViaService",
                "values": ["dynamodb.eu-west-1.amazonaws.com"],
            }
        ]


def test_read_write_grant_is_one_policy_with_item_access_and_the_key_via_dynamodb() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        role = ServiceRole(
            stack,
            "app",
            context=context,
            props=ServiceRoleProps(name="csg-test-app", service="ec2.amazonaws.com", description="t"),
        )
        table = SecureTable(
            stack,
            "table",
            context=context,
            key=key(stack, context, "db"),
            props=SecureTableProps(name="csg-test-items", partition_key=KeyAttribute(name="pk")),
        )
        table.grant_read_write(role.role)

    synthesized = synth(build)
    role = logical_id(synthesized, "aws_iam_role", "app/role")
    granted = actions_on(statements_of_grants(synthesized, role))
    table = reference("aws_dynamodb_table", logical_id(synthesized, "aws_dynamodb_table", "table/"), "arn")
    for action in ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"):
        assert granted[action] == {table, f"{table}/index/*"}
    assert "dynamodb:DeleteTable" not in granted and "dynamodb:*" not in granted
