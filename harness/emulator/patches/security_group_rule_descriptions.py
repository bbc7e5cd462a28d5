"""EC2 DescribeSecurityGroupRules: the description of a rule that references another security group.

Why the platform needs it: every rule between the platform's security groups (Glue to the database, the app
host to the endpoints, ...) carries a description saying why it exists. moto 5.2.5 returned the description
only for address-range rules, so Terraform saw each group-to-group rule without its description after every
apply and planned to set it again: the deployment was never idempotent.
"""

from moto.ec2.models.security_groups import SecurityGroupRule

_ORIGINAL = SecurityGroupRule.description


def _description(self: SecurityGroupRule) -> str | None:
    own: str | None = _ORIGINAL.fget(self)  # type: ignore[attr-defined]
    if own is not None:
        return own
    referenced = self.source_group or {}
    description = referenced.get("Description")
    return str(description) if description is not None else None


def apply() -> None:
    """Replace the property."""
    SecurityGroupRule.description = property(_description)  # type: ignore[assignment,method-assign]
