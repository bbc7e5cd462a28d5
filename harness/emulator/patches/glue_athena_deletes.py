"""Glue DeleteConnection and Athena DeleteNamedQuery, which moto 5.2.5 does not implement.

Why the platform needs it: `terraform destroy` deletes the Glue connection to PostgreSQL and the workgroup's
named queries. moto answered 500 to both, so no local deployment could be destroyed.
"""

import json

from moto.athena.responses import AthenaResponse
from moto.glue.exceptions import EntityNotFoundException
from moto.glue.responses import GlueResponse


def _delete_connection(self: GlueResponse) -> str:
    name = self._get_param("ConnectionName")
    if name not in self.glue_backend.connections:
        raise EntityNotFoundException(f"Connection {name} not found.")
    del self.glue_backend.connections[name]
    return json.dumps({})


def _delete_named_query(self: AthenaResponse) -> str:
    self.athena_backend.named_queries.pop(self._get_param("NamedQueryId"), None)
    return json.dumps({})


def apply() -> None:
    """Add both actions to moto's responses."""
    GlueResponse.delete_connection = _delete_connection  # type: ignore[attr-defined]
    AthenaResponse.delete_named_query = _delete_named_query  # type: ignore[attr-defined]
