"""GlueJdbcConnection: TLS enforced, credentials from Secrets Manager (no password), workers in a private
subnet behind a group with the all-TCP self-reference Glue requires and no address-range rule."""

from pathlib import Path

import pytest

from modules.analytics.glue_jdbc_connection import GlueJdbcConnection, GlueJdbcConnectionProps
from modules.core.validation import PropsError
from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    database,
    logical_id,
    network,
    reference,
    single,
    stack_json,
    statements_of_grants,
    throwaway_stack,
    under,
)

CONNECTION = "data-services/glue-connection/"


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


def _group(synthesized: Synthesized) -> str:
    return reference("aws_security_group", logical_id(synthesized, "aws_security_group", CONNECTION), "id")


def test_connection_enforces_tls_and_reads_the_etl_secret(dev: Synthesized) -> None:
    connection = single(dev, "aws_glue_connection", CONNECTION)
    properties = connection["connection_properties"]
    database = logical_id(dev, "aws_db_instance", "data-services/database/")
    assert properties["JDBC_CONNECTION_URL"] == (
        f"jdbc:postgresql://{reference('aws_db_instance', database, 'address')}:5432/platform"
    )
    assert properties["JDBC_ENFORCE_SSL"] == "true"
    secret = logical_id(dev, "aws_secretsmanager_secret", "secret-database-etl/")
    assert properties["SECRET_ID"] == reference("aws_secretsmanager_secret", secret, "name")
    assert not {"PASSWORD", "USERNAME"} & set(properties)


def test_workers_run_in_a_private_subnet_behind_the_connection_group(dev: Synthesized) -> None:
    requirements = single(dev, "aws_glue_connection", CONNECTION)["physical_connection_requirements"]
    subnet = logical_id(dev, "aws_subnet", "network/private-0")
    assert requirements["subnet_id"] == reference("aws_subnet", subnet, "id")
    assert requirements["availability_zone"] == reference("aws_subnet", subnet, "availability_zone")
    assert requirements["security_group_id_list"] == [_group(dev)]


def test_group_has_the_self_reference_and_no_address_range_inbound(dev: Synthesized) -> None:
    group = _group(dev)
    inbound = [
        rule
        for rule in dev["resource"]["aws_vpc_security_group_ingress_rule"].values()
        if rule["security_group_id"] == group
    ]
    assert [
        (r["ip_protocol"], r["from_port"], r["to_port"], r["referenced_security_group_id"]) for r in inbound
    ] == [("tcp", 0, 65535, group)]
    outbound = under(dev, "aws_vpc_security_group_egress_rule", CONNECTION).values()
    assert all("cidr_ipv4" not in rule and "cidr_ipv6" not in rule for rule in outbound)
    database = reference(
        "aws_security_group",
        logical_id(dev, "aws_security_group", "data-services/database/security-group"),
        "id",
    )
    peers = {(rule.get("referenced_security_group_id"), rule["from_port"]) for rule in outbound}
    assert {(group, 0), (database, 5432)} <= peers


def test_users_get_the_connection_its_secret_and_interfaces_in_its_subnet_only(dev: Synthesized) -> None:
    role = logical_id(dev, "aws_iam_role", "data-services/glue-crawler-rds/role/")
    granted = actions_on(statements_of_grants(dev, role))
    connection = reference("aws_glue_connection", logical_id(dev, "aws_glue_connection", CONNECTION), "name")
    assert {resource.rsplit(":", 1)[1] for resource in granted["glue:GetConnection"]} == {
        "catalog",
        f"connection/{connection}",
    }
    subnet = reference("aws_subnet", logical_id(dev, "aws_subnet", "network/private-0"), "arn")
    assert subnet in granted["ec2:CreateNetworkInterface"]
    assert "*" not in granted["ec2:CreateNetworkInterface"]
    assert "secretsmanager:GetSecretValue" in granted


def test_a_bad_name_and_a_subnet_that_does_not_exist_are_both_rejected() -> None:
    stack, context = throwaway_stack()
    vpc, endpoints = network(stack, context)
    with pytest.raises(PropsError) as error:
        GlueJdbcConnection(
            stack,
            "connection",
            context=context,
            network=vpc,
            endpoints=endpoints,
            database=database(stack, context, vpc),
            credentials=None,  # type: ignore[arg-type]  # validation fails before the secret is used
            props=GlueJdbcConnectionProps(name="bad name", subnet_index=5),
        )
    assert len(error.value.problems) == 2
