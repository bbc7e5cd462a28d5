"""RDS DescribeDBParameters: parameters set in a group report Source "user", and the Source filter works.

Why the platform needs it: the database's parameter group sets rds.force_ssl and the logging parameters.
Terraform reads a group's own parameters with Source = "user"; moto 5.2.5 reported no Source, so Terraform
found none of them and planned to set them all again after every apply: never idempotent.
"""

from moto.core.responses import ActionResult
from moto.rds.exceptions import DBParameterGroupNotFoundError
from moto.rds.responses import RDSResponse

USER = "user"


def _describe_db_parameters(self: RDSResponse) -> ActionResult:
    name = self.params.get("DBParameterGroupName")
    groups = self.backend.describe_db_parameter_groups({"db_parameter_group_name": name})
    if not groups:
        raise DBParameterGroupNotFoundError(name)
    # Every parameter moto keeps for a group was set in it (moto has no engine defaults).
    parameters = [{**parameter, "Source": USER} for parameter in groups[0].parameters.values()]
    wanted = self.params.get("Source")
    if wanted:
        parameters = [parameter for parameter in parameters if parameter["Source"] == wanted]
    return ActionResult({"Parameters": parameters})


def apply() -> None:
    """Replace moto's read."""
    RDSResponse.describe_db_parameters = _describe_db_parameters  # type: ignore[method-assign]
