"""Glue GetConnection: report the connection's ConnectionType.

Why the platform needs it: the Glue connection to PostgreSQL is a JDBC connection. moto 5.2.5 kept the type
but left it out of GetConnection, so Terraform planned to set `connection_type = "JDBC"` again after every
apply, and nothing could check the connection's kind.
"""

from typing import Any

from moto.glue.models import FakeConnection

_ORIGINAL = FakeConnection.as_dict


def _as_dict(self: FakeConnection, hide_password: bool = False) -> dict[str, Any]:
    result = _ORIGINAL(self, hide_password)
    if "ConnectionType" in self.connection_input:
        result["ConnectionType"] = self.connection_input["ConnectionType"]
    return result


def apply() -> None:
    """Wrap moto's read (once)."""
    if FakeConnection.as_dict is _ORIGINAL:
        FakeConnection.as_dict = _as_dict  # type: ignore[method-assign]
