"""EC2 DescribeInstances: no public-IP association without a public IP, and the instance's security groups.

Why the platform needs it: the app host runs in a private subnet with `associate_public_ip_address = false`
and its security group given on its network interface (as Terraform launches it). moto 5.2.5 answered with
an empty Association on the interface, which Terraform reads as "has a public IP", and with no
instance-level SecurityGroups, so every plan wanted to replace the instance and no test could read its
groups. AWS reports an Association only for a public IP and lists the primary interface's groups on the
instance.
"""

from typing import Any

from moto.ec2.models.elastic_network_interfaces import NetworkInterface
from moto.ec2.models.instances import Instance

_ORIGINAL_ASSOCIATION = NetworkInterface.association
_SECURITY_GROUPS = "_csg_security_groups"


def _association(self: NetworkInterface) -> dict[str, Any] | None:
    if not self.public_ip:
        return None
    result: dict[str, Any] = _ORIGINAL_ASSOCIATION.fget(self)  # type: ignore[attr-defined]
    return result


def _get_security_groups(self: Instance) -> list[Any]:
    groups: list[Any] = self.__dict__.get(_SECURITY_GROUPS) or []
    nics = self.__dict__.get("nics") or {}
    if groups or 0 not in nics:
        return groups
    # The primary interface's own groups (not its group_set, which reads back from the instance).
    return list(nics[0]._group_set)


def _set_security_groups(self: Instance, value: list[Any]) -> None:
    self.__dict__[_SECURITY_GROUPS] = value


def apply() -> None:
    """Replace the two properties (the setter keeps moto's own assignments working)."""
    NetworkInterface.association = property(_association)  # type: ignore[assignment,method-assign]
    Instance.security_groups = property(_get_security_groups, _set_security_groups)  # type: ignore[assignment]
