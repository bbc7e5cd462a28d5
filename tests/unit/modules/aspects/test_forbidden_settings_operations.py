"""The forbidden-settings rules added for operations (issue 5), a passing and a failing case each:
alarms must notify on alarm and recovery and state a missing-data policy; metadata hop limit 1; no egress
on port 22 to an address range (security-group peers, e.g. Glue's self-reference, are fine)."""

from typing import Any

import pytest

from modules.aspects.forbidden_settings import violations

TOPIC = "arn:aws:sns:eu-west-1:111122223333:alerts"
GOOD_ALARM = {
    "alarm_actions": [TOPIC],
    "ok_actions": [TOPIC],
    "treat_missing_data": "notBreaching",
    "actions_enabled": True,
}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (GOOD_ALARM, []),
        (
            {**GOOD_ALARM, "alarm_actions": []},
            ["alarm without alarm actions (nobody would be told it fired)"],
        ),
        (
            {**GOOD_ALARM, "ok_actions": None},
            ["alarm without OK actions (nobody would be told it recovered)"],
        ),
        (
            {k: v for k, v in GOOD_ALARM.items() if k != "treat_missing_data"},
            ["alarm does not say what missing data means (set treat_missing_data deliberately)"],
        ),
        ({**GOOD_ALARM, "actions_enabled": False}, ["alarm has its actions disabled (nobody would be told)"]),
    ],
)
def test_alarm_rule(config: dict[str, Any], expected: list[str]) -> None:
    assert violations("aws_cloudwatch_metric_alarm", config, production=False) == expected


@pytest.mark.parametrize(
    ("metadata", "allowed"),
    [
        ({"http_tokens": "required", "http_put_response_hop_limit": 1}, True),
        ({"http_endpoint": "disabled"}, True),
        ({"http_tokens": "required", "http_put_response_hop_limit": 2}, False),
        ({"http_tokens": "required"}, False),  # unset: the AMI decides (2 on Amazon Linux 2023)
    ],
)
def test_metadata_hop_limit_rule(metadata: dict[str, Any], allowed: bool) -> None:
    found = violations("aws_instance", {"metadata_options": metadata}, production=False)
    assert ("instance metadata hop limit is not 1" in " ".join(found)) is not allowed


@pytest.mark.parametrize(
    ("rule", "allowed"),
    [
        ({"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0"}, True),
        ({"ip_protocol": "-1", "referenced_security_group_id": "${aws_security_group.glue.id}"}, True),
        ({"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "10.0.0.0/8"}, False),
        ({"ip_protocol": "-1", "prefix_list_id": "pl-123"}, False),
    ],
)
def test_egress_port_22_rule(rule: dict[str, Any], allowed: bool) -> None:
    assert (violations("aws_vpc_security_group_egress_rule", rule, production=False) == []) is allowed
    legacy = {
        "type": "egress",
        "protocol": rule["ip_protocol"],
        "from_port": rule.get("from_port"),
        "to_port": rule.get("to_port"),
        "cidr_blocks": [rule["cidr_ipv4"]] if "cidr_ipv4" in rule else None,
        "prefix_list_ids": [rule["prefix_list_id"]] if "prefix_list_id" in rule else None,
        "source_security_group_id": rule.get("referenced_security_group_id"),
    }
    assert (violations("aws_security_group_rule", legacy, production=False) == []) is allowed
    inline = {"egress": [{**legacy, "type": None}]}
    assert (violations("aws_security_group", inline, production=False) == []) is allowed
