"""An Aspect that fails synth when any resource, whoever wrote it, carries a setting the platform forbids.

Constructs are secure by default; this is the backstop for resources added by hand or by a future
construct. Rules read each resource's rendered Terraform configuration, so they see exactly what
Terraform will see.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jsii
from cdktf import Annotations, Aspects, IAspect, TerraformStack
from constructs import Construct, IConstruct

Config = dict[str, Any]
OPEN_CIDRS = ("0.0.0.0/0", "::/0")
SSH_PORT = 22


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A forbidden setting on one resource type: `violation(config)` returns a message or None."""

    resource_type: str
    violation: Callable[[Config], str | None]
    production_only: bool = False


def _covers_ssh(rule: Config) -> bool:
    protocol = str(rule.get("ip_protocol", rule.get("protocol", "")))
    if protocol in ("-1", "all"):
        return True
    from_port, to_port = rule.get("from_port"), rule.get("to_port")
    return (
        isinstance(from_port, int | float)
        and isinstance(to_port, int | float)
        and from_port <= SSH_PORT <= to_port
    )


def _names_addresses(rule: Config) -> bool:
    """Whether a rule's peer is an address range (CIDR or prefix list) rather than a security group."""
    keys = ("cidr_ipv4", "cidr_ipv6", "cidr_blocks", "ipv6_cidr_blocks", "prefix_list_id", "prefix_list_ids")
    return any(rule.get(key) for key in keys)


def _inline_ingress_problem(config: Config) -> str | None:
    for rule in config.get("ingress") or []:
        cidrs = list(rule.get("cidr_blocks") or []) + list(rule.get("ipv6_cidr_blocks") or [])
        if any(cidr in OPEN_CIDRS for cidr in cidrs):
            return "security group admits ingress from the whole internet"
        if _names_addresses(rule) and _covers_ssh(rule):
            return "security group admits ingress on port 22 from an address range (use SSM Session Manager)"
    return None


def _ingress_rule_problem(config: Config) -> str | None:
    if config.get("cidr_ipv4") in OPEN_CIDRS or config.get("cidr_ipv6") in OPEN_CIDRS:
        return "ingress rule admits the whole internet"
    # As for egress: a security-group source is a known peer (e.g. Glue's required all-TCP self-reference).
    if _names_addresses(config) and _covers_ssh(config):
        return "ingress rule opens port 22 from an address range (use SSM Session Manager)"
    return None


def _legacy_rule_problem(config: Config) -> str | None:
    return (
        _ingress_rule_problem({**config, "cidr_ipv4": next(iter(config.get("cidr_blocks") or []), None)})
        if config.get("type") == "ingress"
        else None
    )


def _instance_problem(config: Config) -> str | None:
    if config.get("associate_public_ip_address") is True:
        return "instance has a public IP address"
    if config.get("key_name"):
        return "instance has an SSH key pair (use SSM Session Manager)"
    metadata = config.get("metadata_options") or {}
    if metadata.get("http_tokens") != "required":
        return "instance allows IMDSv1 (metadata_options.http_tokens must be 'required')"
    return None


def _public_access_block_problem(config: Config) -> str | None:
    settings = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    relaxed = [name for name in settings if config.get(name) is not True]
    return f"public access block relaxes {', '.join(relaxed)}" if relaxed else None


def _is_true(setting: str, message: str) -> Callable[[Config], str | None]:
    return lambda config: message if config.get(setting) is True else None


def _is_not_true(setting: str, message: str) -> Callable[[Config], str | None]:
    return lambda config: message if config.get(setting) is not True else None


def _alarm_problem(config: Config) -> str | None:
    if config.get("actions_enabled") is False:
        return "alarm has its actions disabled (nobody would be told)"
    if not config.get("alarm_actions"):
        return "alarm without alarm actions (nobody would be told it fired)"
    if not config.get("ok_actions"):
        return "alarm without OK actions (nobody would be told it recovered)"
    if not config.get("treat_missing_data"):
        return "alarm does not say what missing data means (set treat_missing_data deliberately)"
    return None


def _metadata_hop_limit_problem(config: Config) -> str | None:
    metadata = config.get("metadata_options") or {}
    if metadata.get("http_endpoint") != "disabled" and metadata.get("http_put_response_hop_limit") != 1:
        return (
            "instance metadata hop limit is not 1 (containers or forwarded traffic could reach credentials)"
        )
    return None


def _egress_rule_problem(config: Config) -> str | None:
    # Rules towards a security group reach known peers (e.g. Glue's required self-reference); rules towards
    # address ranges could reach any SSH server on them.
    if _names_addresses(config) and _covers_ssh(config):
        return "egress rule opens port 22 to an address range (use SSM Session Manager)"
    return None


def _inline_egress_problem(config: Config) -> str | None:
    if any(_egress_rule_problem(rule) for rule in config.get("egress") or []):
        return "security group allows egress on port 22 to an address range (use SSM Session Manager)"
    return None


RULES: tuple[Rule, ...] = (
    Rule(resource_type="aws_security_group", violation=_inline_ingress_problem),
    Rule(resource_type="aws_vpc_security_group_ingress_rule", violation=_ingress_rule_problem),
    Rule(resource_type="aws_security_group_rule", violation=_legacy_rule_problem),
    Rule(resource_type="aws_instance", violation=_instance_problem),
    Rule(
        resource_type="aws_db_instance",
        violation=_is_true("publicly_accessible", "database is publicly accessible"),
    ),
    Rule(resource_type="aws_s3_bucket_public_access_block", violation=_public_access_block_problem),
    Rule(
        resource_type="aws_s3_bucket",
        production_only=True,
        violation=_is_true("force_destroy", "bucket may be destroyed with its data (force_destroy) in prod"),
    ),
    Rule(
        resource_type="aws_db_instance",
        production_only=True,
        violation=_is_not_true("deletion_protection", "database without deletion protection in prod"),
    ),
    Rule(
        resource_type="aws_dynamodb_table",
        production_only=True,
        violation=_is_not_true("deletion_protection_enabled", "table without deletion protection in prod"),
    ),
    Rule(resource_type="aws_cloudwatch_metric_alarm", violation=_alarm_problem),
    Rule(resource_type="aws_instance", violation=_metadata_hop_limit_problem),
    Rule(resource_type="aws_vpc_security_group_egress_rule", violation=_egress_rule_problem),
    Rule(resource_type="aws_security_group", violation=_inline_egress_problem),
    Rule(
        resource_type="aws_security_group_rule",
        violation=lambda config: _egress_rule_problem(config) if config.get("type") == "egress" else None,
    ),
)


def violations(
    resource_type: str, config: Config, *, production: bool, rules: Iterable[Rule] = RULES
) -> list[str]:
    """Messages for every rule `config` (a rendered resource of `resource_type`) breaks."""
    found = []
    for rule in rules:
        if rule.resource_type == resource_type and (production or not rule.production_only):
            message = rule.violation(config)
            if message:
                found.append(message)
    return found


@jsii.implements(IAspect)
class ForbiddenSettings:
    """Adds an error annotation (which fails synth) to every resource that breaks a rule.

    Apply it with `ForbiddenSettings.apply_to(stack, production=...)`. It checks the stack's whole rendered
    configuration once: one `to_terraform()` per stack instead of one per resource. cdktf visits every
    construct under an aspect's scope, and each visit is a callback from the jsii kernel into Python
    (about 1 ms; about 2,000 per full synth of the platform), so `apply_to` puts the aspect on an empty
    child of the stack, which is visited once, rather than on the stack itself. Added to a stack the
    usual way (`Aspects.of(stack).add(...)`), it works the same, only with a callback per construct.
    """

    ANCHOR_ID = "forbidden-settings"
    """Construct ID of the empty child of the stack that `apply_to` attaches the aspect to."""

    def __init__(self, *, production: bool) -> None:
        self.production = production

    @classmethod
    def apply_to(cls, stack: TerraformStack, *, production: bool) -> "ForbiddenSettings":
        """Check `stack` at synth with the rules (prod-only rules too if `production`)."""
        aspect = cls(production=production)
        Aspects.of(_Anchor(stack, cls.ANCHOR_ID)).add(aspect)
        return aspect

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, _Anchor):
            self._check(node.stack)
        elif isinstance(node, TerraformStack):
            self._check(node)

    def _check(self, stack: TerraformStack) -> None:
        rendered = stack.to_terraform().get("resource", {})
        for resource_type, by_id in rendered.items():
            for logical_id, config in by_id.items():
                for message in violations(resource_type, config, production=self.production):
                    target = _construct_at(stack, config) or stack
                    Annotations.of(target).add_error(
                        f"forbidden setting: {resource_type}.{logical_id}: {message}"
                    )


class _Anchor(Construct):
    """Empty construct (renders nothing) that carries the aspect for its stack."""

    def __init__(self, stack: TerraformStack, construct_id: str) -> None:
        super().__init__(stack, construct_id)
        self.stack = stack


def _construct_at(stack: TerraformStack, config: Config) -> IConstruct | None:
    """The construct that rendered `config`, found from the path cdktf records in its metadata."""
    path = str(config.get("//", {}).get("metadata", {}).get("path", ""))
    found: IConstruct | None = stack
    for part in path.split("/")[1:]:
        found = found.node.try_find_child(part) if found is not None else None
    return found
