"""PostgresDatabase: each security rule with a compliant case (as the environments synthesize it) and a
non-compliant one (refused by props validation, or a weakened default that is reported)."""

from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack

from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.database.postgres_database import PostgresDatabase, PostgresDatabaseProps
from modules.network.vpc import PlatformVpc
from tests.unit.modules.conftest import synth
from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    key,
    logical_id,
    network,
    reference,
    security_group,
    single,
    stack_json,
    statements_of_grants,
    throwaway_stack,
    under,
)

DATABASE = "data-services/database/"


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


@pytest.fixture(scope="module")
def prod(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "prod")


def _instance(synthesized: Synthesized) -> dict[str, Any]:
    return single(synthesized, "aws_db_instance", DATABASE)


def _build(
    stack: TerraformStack | None = None,
    context: AccountContext | None = None,
    vpc: PlatformVpc | None = None,
    **overrides: Any,
) -> PostgresDatabase:
    if stack is None or context is None or vpc is None:
        stack, context = throwaway_stack()
        vpc, _ = network(stack, context)
    props: dict[str, Any] = {"identifier": "csg-test-postgres", "log_retention_days": 30, **overrides}
    return PostgresDatabase(
        stack,
        "database",
        context=context,
        network=vpc,
        storage_key=key(stack, context, "db"),
        secrets_key=key(stack, context, "secrets"),
        logs_key=key(stack, context, "logs"),
        props=PostgresDatabaseProps(**props),
    )


def test_engine_is_postgres_16_on_the_current_ca_with_minor_upgrades(dev: Synthesized) -> None:
    instance = _instance(dev)
    assert (instance["engine"], instance["engine_version"]) == ("postgres", "16")
    assert instance["ca_cert_identifier"] == "rds-ca-rsa2048-g1"
    assert instance["auto_minor_version_upgrade"] is True
    assert instance["publicly_accessible"] is False


def test_parameter_group_forces_tls_and_logs_connections(dev: Synthesized) -> None:
    group_id = logical_id(dev, "aws_db_parameter_group", DATABASE)
    group = dev["resource"]["aws_db_parameter_group"][group_id]
    parameters = {parameter["name"]: parameter["value"] for parameter in group["parameter"]}
    assert group["family"] == "postgres16"
    assert parameters["rds.force_ssl"] == "1"
    assert parameters["log_connections"] == parameters["log_disconnections"] == "1"
    assert parameters["log_statement"] == "ddl"  # not "all": statements may carry data
    assert _instance(dev)["parameter_group_name"] == reference("aws_db_parameter_group", group_id, "name")


def test_storage_and_performance_insights_use_the_database_key(dev: Synthesized) -> None:
    instance = _instance(dev)
    database_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/database/"), "arn")
    assert instance["storage_encrypted"] is True
    assert instance["kms_key_id"] == database_key
    assert instance["performance_insights_enabled"] is True
    assert instance["performance_insights_kms_key_id"] == database_key


def test_master_password_is_generated_by_rds_under_the_secrets_key(dev: Synthesized) -> None:
    instance = _instance(dev)
    assert instance["manage_master_user_password"] is True
    assert "password" not in instance and "password_wo" not in instance
    secrets_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/secrets/"), "arn")
    assert instance["master_user_secret_kms_key_id"] == secrets_key
    assert instance["iam_database_authentication_enabled"] is True


def test_master_secret_policy_denies_reading_to_all_but_granted_roles(dev: Synthesized) -> None:
    policy = single(dev, "aws_secretsmanager_secret_policy", DATABASE + "master-secret/")
    instance_id = logical_id(dev, "aws_db_instance", DATABASE)
    assert policy["secret_arn"] == f"${{aws_db_instance.{instance_id}.master_user_secret[0].secret_arn}}"
    document = policy["policy"].removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
    (statement,) = dev["data"]["aws_iam_policy_document"][document]["statement"]
    assert statement["effect"] == "Deny" and statement["actions"] == ["secretsmanager:GetSecretValue"]
    allowed = next(c["values"] for c in statement["condition"] if c["variable"] == "aws:PrincipalArn")
    rotation_role = logical_id(dev, "aws_iam_role", "data-services/rotation/function/role/")
    assert reference("aws_iam_role", rotation_role, "arn") in allowed
    assert any("AWSServiceRoleForRDS" in value for value in allowed)  # RDS rotates it


def test_backups_snapshots_and_monitoring(dev: Synthesized, prod: Synthesized) -> None:
    for synthesized in (dev, prod):
        instance = _instance(synthesized)
        assert instance["copy_tags_to_snapshot"] is True
        assert instance["final_snapshot_identifier"].endswith("-final")
        assert instance["monitoring_interval"] == 60
        role = logical_id(synthesized, "aws_iam_role", DATABASE + "monitoring-role/")
        assert instance["monitoring_role_arn"] == reference("aws_iam_role", role, "arn")
    assert _instance(dev)["backup_retention_period"] == 7  # environments/dev.toml (default)
    assert _instance(prod)["backup_retention_period"] == 30  # environments/prod.toml


def test_prod_has_deletion_protection_multi_az_and_a_final_snapshot(
    prod: Synthesized, dev: Synthesized
) -> None:
    instance = _instance(prod)
    assert instance["deletion_protection"] is True
    assert instance["multi_az"] is True
    assert instance["skip_final_snapshot"] is False
    # dev relaxes them through its environment file (reported as weakened defaults, below).
    assert _instance(dev)["deletion_protection"] is False and _instance(dev)["skip_final_snapshot"] is True


def test_logs_go_to_encrypted_log_groups_with_retention_created_first(dev: Synthesized) -> None:
    instance = _instance(dev)
    assert instance["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
    groups = under(dev, "aws_cloudwatch_log_group", DATABASE)
    names = {group["name"] for group in groups.values()}
    assert names == {
        "/aws/rds/instance/csg-dev-postgres/postgresql",
        "/aws/rds/instance/csg-dev-postgres/upgrade",
    }
    logs_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/logs/"), "arn")
    assert all(
        group["kms_key_id"] == logs_key and group["retention_in_days"] == 30 for group in groups.values()
    )
    assert sorted(instance["depends_on"]) == sorted(f"aws_cloudwatch_log_group.{name}" for name in groups)


def test_security_group_admits_postgres_only_from_named_security_groups(dev: Synthesized) -> None:
    group_id = logical_id(dev, "aws_security_group", DATABASE + "security-group")
    rules = [
        rule
        for rule in dev["resource"]["aws_vpc_security_group_ingress_rule"].values()
        if rule["security_group_id"] == reference("aws_security_group", group_id, "id")
    ]
    sources = {rule["referenced_security_group_id"] for rule in rules}
    expected = {
        reference("aws_security_group", logical_id(dev, "aws_security_group", path), "id")
        for path in ("glue-connection/security-group", "rotation/function/security-group")
    }
    assert expected <= sources
    for rule in rules:
        assert (rule["from_port"], rule["to_port"], rule["ip_protocol"]) == (5432, 5432, "tcp")
        assert not {"cidr_ipv4", "cidr_ipv6", "prefix_list_id"} & set(rule)
    assert dev["resource"]["aws_security_group"][group_id]["tags"]["DataStore"] == "true"  # CKV_CSG_2 scope


def test_allow_connections_from_a_security_group_adds_a_separate_rule() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        vpc, _ = network(stack, context)
        database = _build(stack=stack, context=context, vpc=vpc)
        database.allow_connections_from(security_group(stack, vpc, "app"), "App host")

    synthesized = synth(build)
    (rule,) = under(synthesized, "aws_vpc_security_group_ingress_rule", "database/ingress-from-").values()
    assert rule["referenced_security_group_id"] == "${aws_security_group.sg-app.id}"
    assert rule["security_group_id"].startswith("${aws_security_group.database_security-group_")
    assert (rule["from_port"], rule["to_port"], rule["ip_protocol"]) == (5432, 5432, "tcp")
    assert not {"cidr_ipv4", "cidr_ipv6", "prefix_list_id"} & set(rule)


@pytest.mark.parametrize("source", ["10.0.0.0/8", "0.0.0.0/0"])
def test_an_ingress_from_a_cidr_is_rejected(source: str) -> None:
    database = _build()
    with pytest.raises(PropsError, match="never an address range"):
        database.allow_connections_from(source, "a CIDR")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"deletion_protection": False}, "deletion_protection: must be true in production"),
        ({"multi_az": False}, "multi_az: must be true in production"),
        ({"skip_final_snapshot": True}, "skip_final_snapshot: must be false in production"),
        ({"backup_retention_days": 7}, "backup_retention_days: must be >= 14 in production"),
    ],
)
def test_production_refuses_each_weakened_protection(overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(PropsError) as error:
        _build(production=True, **overrides)
    assert problem in error.value.problems


def test_production_with_every_protection_is_accepted() -> None:
    assert _build(production=True).instance.deletion_protection is not None


def test_every_invalid_setting_is_reported_at_once() -> None:
    with pytest.raises(PropsError) as error:
        _build(
            identifier="Bad_Name",
            parameter_group_family="postgres15",
            monitoring_interval_seconds=0,
            ca_cert_identifier="rds-ca-2019",
            max_allocated_storage_gb=10,
        )
    assert len(error.value.problems) == 5


def test_weakened_defaults_outside_production_are_reported() -> None:
    database = _build(
        deletion_protection=False, multi_az=False, skip_final_snapshot=True, backup_retention_days=7
    )
    warnings = [str(entry.data) for entry in database.node.metadata if "warn" in entry.type]
    for setting in ("deletion_protection", "multi_az", "skip_final_snapshot", "backup_retention_days"):
        assert any(f"weakened default: {setting}" in warning for warning in warnings)
    assert not [str(e.data) for e in _build().node.metadata if "warn" in e.type]


def test_iam_authentication_grant_names_one_database_user(dev: Synthesized) -> None:
    """The app host (Operations) logs in as its one user through IAM, granted with grant_connect."""
    instance = logical_id(dev, "aws_db_instance", DATABASE)
    granted: set[str] = set()
    for role in dev["resource"]["aws_iam_role"]:
        granted |= actions_on(statements_of_grants(dev, role)).get("rds-db:connect", set())
    assert granted, "no role may connect with IAM authentication"
    assert all(r.endswith(f":dbuser:${{aws_db_instance.{instance}.resource_id}}/app_reader") for r in granted)


def test_grant_connect_refuses_a_user_name_that_is_not_a_sql_name() -> None:
    stack, context = throwaway_stack()
    vpc, _ = network(stack, context)
    built = _build(stack=stack, context=context, vpc=vpc)
    role = ServiceRole(
        stack,
        "app",
        context=context,
        props=ServiceRoleProps(name="csg-test-app", service="ec2.amazonaws.com", description="t"),
    )
    with pytest.raises(PropsError, match="not a SQL user name"):
        built.grant_connect(role.role, "app*")
