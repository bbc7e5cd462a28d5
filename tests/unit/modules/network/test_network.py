"""PlatformVpc, FlowLogs and VpcEndpoints: private by default, logged, reachable only through endpoints."""

import ipaddress

import pytest
from cdktf import TerraformStack

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.keys.platform_keys import PlatformKeys
from modules.network.endpoints import VpcEndpoints, VpcEndpointsProps
from modules.network.flow_logs import FlowLogs, FlowLogsProps
from modules.network.vpc import PlatformVpc, PlatformVpcProps
from tests.unit.modules.conftest import Synthesized, only, policy_statements, resources, synth, warnings_of

CIDR = "10.50.0.0/16"


def _zones(count: int) -> tuple[str, ...]:
    return tuple(f"eu-west-1{letter}" for letter in "abc"[:count])


def _network(stack: TerraformStack, context: AccountContext, *, azs: int = 3, public: bool = False) -> None:
    keys = PlatformKeys(stack, "keys", context=context)
    vpc = PlatformVpc(
        stack,
        "net",
        props=PlatformVpcProps(name="t", cidr=CIDR, availability_zones=_zones(azs), public_subnets=public),
    )
    FlowLogs(
        stack, "flow", context=context, network=vpc, key=keys.logs, props=FlowLogsProps(retention_days=30)
    )
    VpcEndpoints(
        stack,
        "endpoints",
        context=context,
        network=vpc,
        props=VpcEndpointsProps(interface_services=("ssm", "kms", "logs")),
    )


@pytest.fixture(scope="module")
def private() -> Synthesized:
    return synth(_network)


def test_private_subnets_in_each_az_inside_the_vpc_without_public_ips(private: Synthesized) -> None:
    subnets = resources(private, "aws_subnet")
    assert len(subnets) == 3
    blocks = [ipaddress.IPv4Network(s["cidr_block"]) for s in subnets.values()]
    assert all(block.subnet_of(ipaddress.IPv4Network(CIDR)) for block in blocks)
    assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])
    assert all(s["map_public_ip_on_launch"] is False for s in subnets.values())
    assert sorted(s["availability_zone"] for s in subnets.values()) == [
        "eu-west-1a",
        "eu-west-1b",
        "eu-west-1c",
    ]


def test_no_route_leaves_the_vpc_and_no_internet_gateway(private: Synthesized) -> None:
    assert resources(private, "aws_internet_gateway") == {}
    assert resources(private, "aws_route") == {}
    for table in resources(private, "aws_route_table").values():
        assert not table.get("route")


def test_public_subnets_only_when_asked_and_reported() -> None:
    synthesized = synth(lambda stack, context: _network(stack, context, azs=2, public=True))
    assert len(resources(synthesized, "aws_internet_gateway")) == 1
    assert len(resources(synthesized, "aws_subnet")) == 4
    reported = warnings_of(lambda stack, context: _network(stack, context, azs=2, public=True))
    assert any("weakened default: public_subnets" in w for w in reported)


def test_default_security_group_has_no_rules(private: Synthesized) -> None:
    default = only(resources(private, "aws_default_security_group"))
    assert default["ingress"] == [] and default["egress"] == []


def test_flow_logs_capture_all_traffic_into_an_encrypted_retained_group(private: Synthesized) -> None:
    flow = only(resources(private, "aws_flow_log"))
    assert flow["traffic_type"] == "ALL"
    group = only(resources(private, "aws_cloudwatch_log_group"))
    assert group["retention_in_days"] == 30
    assert group["kms_key_id"].startswith("${aws_kms_key.")
    assert flow["log_destination"].startswith("${aws_cloudwatch_log_group.")


def test_flow_log_role_can_write_only_its_own_log_group(private: Synthesized) -> None:
    policy = only(resources(private, "aws_iam_role_policy"))
    statements = policy_statements(private, policy["policy"])
    resources_named = [r for s in statements for r in s["resources"]]
    assert resources_named and all(r.startswith("${aws_cloudwatch_log_group.") for r in resources_named)


def test_gateway_endpoints_on_every_private_route_table(private: Synthesized) -> None:
    tables = {f"${{aws_route_table.{name}.id}}" for name in resources(private, "aws_route_table")}
    gateways = [
        e for e in resources(private, "aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "Gateway"
    ]
    assert sorted(e["service_name"].rsplit(".", 1)[1] for e in gateways) == ["dynamodb", "s3"]
    assert all(set(e["route_table_ids"]) == tables for e in gateways)


def test_interface_endpoints_private_dns_behind_https_from_vpc_only(private: Synthesized) -> None:
    interfaces = [
        e for e in resources(private, "aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "Interface"
    ]
    assert len(interfaces) == 3
    assert all(e["private_dns_enabled"] is True for e in interfaces)
    rule = only(resources(private, "aws_vpc_security_group_ingress_rule"))
    assert (rule["from_port"], rule["to_port"], rule["cidr_ipv4"]) == (443, 443, CIDR)


def test_invalid_network_props_are_all_reported() -> None:
    with pytest.raises(PropsError) as error:
        synth(
            lambda stack, context: PlatformVpc(
                stack,
                "net",
                props=PlatformVpcProps(name="t", cidr="10.0.0.0/28", availability_zones=_zones(1)),
            )
        )
    assert len(error.value.problems) == 2


def test_unknown_interface_endpoint_is_rejected() -> None:
    def unknown(stack: TerraformStack, context: AccountContext) -> None:
        vpc = PlatformVpc(
            stack, "net", props=PlatformVpcProps(name="t", cidr=CIDR, availability_zones=_zones(2))
        )
        VpcEndpoints(
            stack, "e", context=context, network=vpc, props=VpcEndpointsProps(interface_services=("ftp",))
        )

    with pytest.raises(PropsError, match="ftp"):
        synth(unknown)
