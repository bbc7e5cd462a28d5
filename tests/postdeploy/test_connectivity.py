"""Connectivity controls: services reach each other only as intended; nothing is reachable from outside."""

from typing import Any

import pytest

from tests.postdeploy.database_probe import ProbeResult
from tests.postdeploy.platform import Aws, Outputs

CONNECTIVITY = "connectivity"
POSTGRES_PORT = 5432
OPEN_RANGES = ("0.0.0.0/0", "::/0")


def _database(aws: Aws, outputs: Outputs) -> dict[str, Any]:
    found = aws.client("rds").describe_db_instances(DBInstanceIdentifier=outputs.env("database_instance_id"))
    return dict(found["DBInstances"][0])


def _routes(aws: Aws, subnet_ids: list[str], vpc_id: str) -> dict[str, list[dict[str, Any]]]:
    """Subnet ID -> the routes of the route table it uses (its own, else the VPC's main table)."""
    tables = aws.client("ec2").describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"
    ]
    main = [table for table in tables if any(a.get("Main") for a in table.get("Associations", []))]
    routes = {}
    for subnet in subnet_ids:
        own = [
            table
            for table in tables
            if any(a.get("SubnetId") == subnet for a in table.get("Associations", []))
        ]
        chosen = own or main
        assert chosen, f"subnet {subnet} has no route table"
        routes[subnet] = list(chosen[0].get("Routes", []))
    return routes


@pytest.mark.control(CONNECTIVITY, "RDS: not publicly accessible")
def test_rds_not_publicly_accessible(aws: Aws, outputs: Outputs) -> None:
    database = _database(aws, outputs)
    assert database["PubliclyAccessible"] is False, (
        f"{database['DBInstanceIdentifier']} is publicly accessible"
    )


@pytest.mark.control(CONNECTIVITY, "RDS: only in private subnets (no route to an internet gateway)")
def test_rds_subnets_have_no_internet_route(aws: Aws, outputs: Outputs) -> None:
    database = _database(aws, outputs)
    subnets = [subnet["SubnetIdentifier"] for subnet in database["DBSubnetGroup"]["Subnets"]]
    assert set(subnets) <= set(outputs.env("private_subnet_ids")), (
        f"database subnets {subnets} are not all platform private subnets {outputs.env('private_subnet_ids')}"
    )
    for subnet, routes in _routes(aws, subnets, outputs.env("vpc_id")).items():
        to_internet = [route for route in routes if str(route.get("GatewayId", "")).startswith("igw-")]
        assert not to_internet, f"database subnet {subnet} routes to an internet gateway: {to_internet}"


@pytest.mark.control(
    CONNECTIVITY, "RDS: security group admits 5432 only from Glue, app host, secret rotation"
)
def test_rds_security_group_admits_only_glue_and_app_host(aws: Aws, outputs: Outputs) -> None:
    groups = outputs.env("data_security_group_ids")
    database_group = groups["database"]
    # The Glue connection and the app host are the database's clients; the secret rotation function must log
    # in too, to change the ETL user's password.
    allowed = {
        groups["glue_connection"],
        outputs.env("app_host_security_group_id"),
        groups["rotation_function"],
    }
    rules = aws.client("ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [database_group]}]
    )["SecurityGroupRules"]
    ingress = [rule for rule in rules if not rule["IsEgress"]]
    problems = []
    for rule in ingress:
        source = rule.get("ReferencedGroupInfo", {}).get("GroupId")
        ports = (rule.get("FromPort"), rule.get("ToPort"))
        if rule.get("CidrIpv4") or rule.get("CidrIpv6") or rule.get("PrefixListId"):
            open_range = rule.get("CidrIpv4") or rule.get("CidrIpv6") or rule.get("PrefixListId")
            problems.append(
                f"{rule['SecurityGroupRuleId']} admits address range {open_range} on ports {ports}"
            )
        elif source not in allowed:
            problems.append(f"{rule['SecurityGroupRuleId']} admits group {source} (not a database client)")
        elif ports != (POSTGRES_PORT, POSTGRES_PORT) or rule.get("IpProtocol") != "tcp":
            problems.append(f"{rule['SecurityGroupRuleId']} admits {rule.get('IpProtocol')} ports {ports}")
    assert not problems, f"database security group {database_group}: " + "; ".join(problems)
    sources = {rule.get("ReferencedGroupInfo", {}).get("GroupId") for rule in ingress}
    assert sources == allowed, f"database security group admits {sources}, expected exactly {allowed}"


@pytest.mark.control(
    CONNECTIVITY, "Glue connection: targets the RDS endpoint with SSL, right subnet and group"
)
def test_glue_connection_targets_database_over_ssl(aws: Aws, outputs: Outputs) -> None:
    connection = aws.client("glue").get_connection(Name=outputs.env("glue_connection_name"))["Connection"]
    properties = connection["ConnectionProperties"]
    endpoint, port, name = (
        outputs.env("database_endpoint"),
        outputs.env("database_port"),
        outputs.env("database_name"),
    )
    assert properties.get("JDBC_CONNECTION_URL") == f"jdbc:postgresql://{endpoint}:{port}/{name}", (
        f"connection URL is {properties.get('JDBC_CONNECTION_URL')!r}"
    )
    assert properties.get("JDBC_ENFORCE_SSL") == "true", "the Glue connection does not enforce SSL"
    requirements = connection["PhysicalConnectionRequirements"]
    assert requirements.get("SubnetId") in outputs.env("private_subnet_ids"), (
        f"connection subnet {requirements.get('SubnetId')} is not a private subnet"
    )
    assert requirements.get("SecurityGroupIdList") == [
        outputs.env("data_security_group_ids")["glue_connection"]
    ], f"connection security groups are {requirements.get('SecurityGroupIdList')}"


@pytest.mark.control(CONNECTIVITY, "App host: no public IP, no ingress")
def test_app_host_has_no_public_ip_and_no_ingress(aws: Aws, outputs: Outputs) -> None:
    ec2 = aws.client("ec2")
    instance = ec2.describe_instances(InstanceIds=[outputs.env("app_host_instance_id")])["Reservations"][0][
        "Instances"
    ][0]
    assert not instance.get("PublicIpAddress"), f"app host has public IP {instance.get('PublicIpAddress')}"
    assert instance.get("SubnetId") in outputs.env("private_subnet_ids"), (
        "app host is not in a private subnet"
    )
    group_ids = [group["GroupId"] for group in instance["SecurityGroups"]]
    assert group_ids == [outputs.env("app_host_security_group_id")], f"app host security groups: {group_ids}"
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": group_ids}])[
        "SecurityGroupRules"
    ]
    ingress = [rule["SecurityGroupRuleId"] for rule in rules if not rule["IsEgress"]]
    assert not ingress, f"app host security group has ingress rules {ingress}"


@pytest.mark.control(CONNECTIVITY, "VPC endpoints: S3 and DynamoDB gateways on every private route table")
def test_gateway_endpoints_on_every_private_route_table(aws: Aws, outputs: Outputs) -> None:
    endpoint_ids = outputs.env("gateway_endpoint_ids")
    assert set(endpoint_ids) == {"s3", "dynamodb"}, f"gateway endpoints: {sorted(endpoint_ids)}"
    found = aws.client("ec2").describe_vpc_endpoints(VpcEndpointIds=list(endpoint_ids.values()))[
        "VpcEndpoints"
    ]
    expected = set(outputs.env("private_route_table_ids"))
    for endpoint in found:
        assert endpoint["VpcEndpointType"] == "Gateway", f"{endpoint['VpcEndpointId']} is not a gateway"
        missing = expected - set(endpoint.get("RouteTableIds", []))
        assert not missing, (
            f"{endpoint['ServiceName']} is missing from private route tables {sorted(missing)}"
        )


@pytest.mark.control(
    CONNECTIVITY, "VPC endpoints: interface endpoints private-DNS, private subnets, HTTPS group"
)
def test_interface_endpoints_private_dns(aws: Aws, outputs: Outputs) -> None:
    endpoint_ids = outputs.env("interface_endpoint_ids")
    assert endpoint_ids, "no interface endpoints"
    found = aws.client("ec2").describe_vpc_endpoints(VpcEndpointIds=list(endpoint_ids.values()))[
        "VpcEndpoints"
    ]
    assert len(found) == len(endpoint_ids)
    for endpoint in found:
        name = endpoint["ServiceName"]
        assert endpoint["VpcEndpointType"] == "Interface", f"{name} is not an interface endpoint"
        assert endpoint.get("PrivateDnsEnabled") is True, f"{name} has private DNS off"
        assert set(endpoint.get("SubnetIds", [])) <= set(outputs.env("private_subnet_ids")), f"{name} subnets"
        groups = [group["GroupId"] for group in endpoint.get("Groups", [])]
        assert groups == [outputs.env("endpoint_security_group_id")], f"{name} security groups {groups}"


@pytest.mark.control(CONNECTIVITY, "VPC endpoints: security group admits HTTPS from the VPC only")
def test_endpoint_security_group_admits_https_from_vpc_only(aws: Aws, outputs: Outputs) -> None:
    group = outputs.env("endpoint_security_group_id")
    rules = aws.client("ec2").describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [group]}]
    )["SecurityGroupRules"]
    ingress = [rule for rule in rules if not rule["IsEgress"]]
    assert ingress, f"{group} admits nothing: endpoints unusable"
    for rule in ingress:
        assert (rule.get("IpProtocol"), rule.get("FromPort"), rule.get("ToPort")) == ("tcp", 443, 443), (
            f"{rule['SecurityGroupRuleId']} admits {rule.get('IpProtocol')} "
            f"{rule.get('FromPort')}-{rule.get('ToPort')}"
        )
        assert rule.get("CidrIpv4") == outputs.env("vpc_cidr"), (
            f"{rule['SecurityGroupRuleId']} admits {rule.get('CidrIpv4') or rule.get('ReferencedGroupInfo')}"
        )


@pytest.mark.control(CONNECTIVITY, "VPC: private subnets have no route to an internet gateway")
def test_private_subnets_have_no_internet_route(aws: Aws, outputs: Outputs) -> None:
    for subnet, routes in _routes(aws, outputs.env("private_subnet_ids"), outputs.env("vpc_id")).items():
        to_internet = [
            route
            for route in routes
            if str(route.get("GatewayId", "")).startswith("igw-") or route.get("NatGatewayId")
        ]
        assert not to_internet, f"private subnet {subnet} routes out of the VPC: {to_internet}"


@pytest.mark.control(CONNECTIVITY, "VPC: flow logs capture all traffic")
def test_flow_logs_capture_all_traffic(aws: Aws, outputs: Outputs) -> None:
    flow_logs = aws.client("ec2").describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [outputs.env("vpc_id")]}]
    )["FlowLogs"]
    assert flow_logs, "the VPC has no flow log"
    assert any(log["TrafficType"] == "ALL" and log.get("FlowLogStatus") == "ACTIVE" for log in flow_logs), (
        "no active flow log of ALL traffic: "
        f"{[(log['TrafficType'], log.get('FlowLogStatus')) for log in flow_logs]}"
    )


@pytest.mark.control(
    CONNECTIVITY, "RDS: TLS-required PostgreSQL login with the credentials in Secrets Manager"
)
def test_database_login_requires_tls(database_probe: ProbeResult) -> None:
    # Local: against a real PostgreSQL the suite starts; AWS: on the app host through SSM (database_probe).
    assert database_probe.tls_login_succeeded, f"TLS login failed: {database_probe.detail}"
    assert database_probe.connection_encrypted, f"the session was not encrypted: {database_probe.detail}"
    assert database_probe.plaintext_login_refused, (
        f"a login without TLS was accepted: {database_probe.detail}"
    )
