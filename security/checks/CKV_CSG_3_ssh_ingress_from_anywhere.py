"""CKV_CSG_3: no security group admits port 22 from anywhere (0.0.0.0/0 or ::/0).

Loaded by checkov (--external-checks-dir), so it runs in the checkov venv; the main venv has no checkov.
Stock CKV_AWS_24 covers the simple case but misses the cases listed in README.md, so this check
evaluates every ingress rule itself and fails closed when a rule from anywhere has ports it cannot read.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

SSH_PORT = 22
# Protocol values meaning "every protocol and port" in the AWS API and provider.
ALL_PROTOCOLS = {"-1", "all"}
# TCP by name or IANA number; SSH is TCP only.
TCP_PROTOCOLS = {"tcp", "6"}


def _scalar(value: Any) -> Any:
    """checkov wraps each attribute value in a one-element list; unwrap it."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def _strings(value: Any) -> list[str]:
    """All string items of an attribute that may be a string, a list, or a checkov-wrapped list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for element in value for item in _strings(element)]
    return []


def _is_anywhere(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        # Not a literal CIDR (e.g. an unresolved reference): it cannot be proven to be "anywhere".
        return False


def _port(value: Any) -> int | None:
    port = _scalar(value)
    if isinstance(port, bool):
        return None
    if isinstance(port, int):
        return port
    if isinstance(port, str) and port.lstrip("-").isdigit():
        return int(port)
    return None


def _admits_ssh(rule: dict[str, Any], protocol_key: str) -> bool:
    """Whether the rule's protocol/port range covers TCP 22; unreadable ports count as covering it."""
    protocol = str(_scalar(rule.get(protocol_key))).lower()
    if protocol in ALL_PROTOCOLS:
        return True
    if protocol not in TCP_PROTOCOLS:
        return False
    from_port, to_port = _port(rule.get("from_port")), _port(rule.get("to_port"))
    if from_port is None or to_port is None:
        return True
    return from_port <= SSH_PORT <= to_port


def _from_anywhere(rule: dict[str, Any], cidr_keys: tuple[str, ...]) -> bool:
    return any(_is_anywhere(cidr) for key in cidr_keys for cidr in _strings(rule.get(key)))


class SshIngressFromAnywhere(BaseResourceCheck):  # type: ignore[misc]  # checkov is untyped in the main venv
    def __init__(self) -> None:
        super().__init__(
            name="Ensure no security group rule admits SSH (port 22) from anywhere (0.0.0.0/0 or ::/0)",
            id="CKV_CSG_3",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=(
                "aws_security_group",
                "aws_security_group_rule",
                "aws_vpc_security_group_ingress_rule",
            ),
            guideline="security/checks/README.md#ckv_csg_3",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if self.entity_type == "aws_security_group":
            rules = [rule for rule in conf.get("ingress") or [] if isinstance(rule, dict)]
            violating = [
                index
                for index, rule in enumerate(rules)
                if _admits_ssh(rule, "protocol") and _from_anywhere(rule, ("cidr_blocks", "ipv6_cidr_blocks"))
            ]
            self.evaluated_keys = [f"ingress/[{index}]" for index in violating] or ["ingress"]
            return CheckResult.FAILED if violating else CheckResult.PASSED
        if self.entity_type == "aws_security_group_rule":
            self.evaluated_keys = [
                "type",
                "protocol",
                "from_port",
                "to_port",
                "cidr_blocks",
                "ipv6_cidr_blocks",
            ]
            if _scalar(conf.get("type")) != "ingress":
                return CheckResult.PASSED
            admits = _admits_ssh(conf, "protocol") and _from_anywhere(
                conf, ("cidr_blocks", "ipv6_cidr_blocks")
            )
            return CheckResult.FAILED if admits else CheckResult.PASSED
        self.evaluated_keys = ["ip_protocol", "from_port", "to_port", "cidr_ipv4", "cidr_ipv6"]
        admits = _admits_ssh(conf, "ip_protocol") and _from_anywhere(conf, ("cidr_ipv4", "cidr_ipv6"))
        return CheckResult.FAILED if admits else CheckResult.PASSED


check = SshIngressFromAnywhere()
