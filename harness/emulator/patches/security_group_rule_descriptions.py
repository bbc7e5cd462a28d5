"""EC2 DescribeSecurityGroupRules: the description of a rule that references a security group or prefix list.

Why the platform needs it: every rule between the platform's security groups (Glue to the database, the app
host to the endpoints, ...) and to the gateway endpoints' prefix lists carries a description saying why it
exists. moto 5.2.5 returned the description only for address-range rules, so Terraform saw those rules
without their descriptions after every apply and planned to set them again: never idempotent.
"""

from typing import Any

from moto.ec2.models.security_groups import SecurityGroupRule

_ORIGINAL_INIT = SecurityGroupRule.__init__
_ORIGINAL_DESCRIPTION = SecurityGroupRule.description
_PREFIX_LIST_DESCRIPTION = "_csg_prefix_list_description"
PREFIX_LIST_ARGUMENT_POSITION = 7
"""Position of `prefix_list_id` in SecurityGroupRule.__init__'s arguments (after self)."""


def _init(self: SecurityGroupRule, *args: Any, **kwargs: Any) -> None:
    _ORIGINAL_INIT(self, *args, **kwargs)
    prefix_list = kwargs.get("prefix_list_id")
    if prefix_list is None and len(args) > PREFIX_LIST_ARGUMENT_POSITION:
        prefix_list = args[PREFIX_LIST_ARGUMENT_POSITION]
    setattr(self, _PREFIX_LIST_DESCRIPTION, (prefix_list or {}).get("Description"))


def _description(self: SecurityGroupRule) -> str | None:
    own: str | None = _ORIGINAL_DESCRIPTION.fget(self)  # type: ignore[attr-defined]
    if own is not None:
        return own
    referenced = (self.source_group or {}).get("Description")
    if referenced is not None:
        return str(referenced)
    prefix_list: str | None = getattr(self, _PREFIX_LIST_DESCRIPTION, None)
    return prefix_list


def apply() -> None:
    """Wrap the rule's creation (once) and replace its description property."""
    if SecurityGroupRule.__init__ is _ORIGINAL_INIT:
        SecurityGroupRule.__init__ = _init  # type: ignore[method-assign]
    SecurityGroupRule.description = property(_description)  # type: ignore[assignment,method-assign]
