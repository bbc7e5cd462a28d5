"""ForbiddenSettings and port 22: rules whose peer is a security group (such as the all-TCP self-reference
AWS Glue requires between its workers) are allowed; the same ports from or to an address range are not."""

import pytest

from modules.aspects.forbidden_settings import violations

ALL_TCP = {"ip_protocol": "tcp", "from_port": 0, "to_port": 65535}


@pytest.mark.parametrize(
    "resource_type", ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"]
)
def test_all_tcp_to_its_own_security_group_is_allowed(resource_type: str) -> None:
    rule = {**ALL_TCP, "security_group_id": "sg-1", "referenced_security_group_id": "sg-1"}
    assert violations(resource_type, rule, production=True) == []


@pytest.mark.parametrize(
    "peer", [{"cidr_ipv4": "10.0.0.0/16"}, {"cidr_ipv6": "fd00::/8"}, {"prefix_list_id": "pl-1"}]
)
def test_all_tcp_ingress_from_an_address_range_is_rejected(peer: dict[str, str]) -> None:
    found = violations(
        "aws_vpc_security_group_ingress_rule",
        {**ALL_TCP, "security_group_id": "sg-1", **peer},
        production=False,
    )
    assert any("port 22 from an address range" in message for message in found)


def test_inline_self_rule_is_allowed_but_inline_cidr_rule_is_not() -> None:
    self_rule = {"from_port": 0, "to_port": 65535, "protocol": "tcp", "self": True, "cidr_blocks": None}
    cidr_rule = {"from_port": 0, "to_port": 65535, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}
    assert violations("aws_security_group", {"ingress": [self_rule]}, production=True) == []
    assert violations("aws_security_group", {"ingress": [self_rule, cidr_rule]}, production=True) != []
