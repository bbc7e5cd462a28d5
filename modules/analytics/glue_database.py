"""A Glue Data Catalog database, with grants to read or write its tables' metadata."""

import re
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.glue_catalog_database import GlueCatalogDatabase
from cdktf_cdktf_provider_aws.iam_role import IamRole
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.analytics.catalog_encryption import catalog_key_statement
from modules.core.context import AccountContext
from modules.core.validation import raise_if_problems

READ_ACTIONS = ("glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetTableVersion",
                "glue:GetTableVersions", "glue:GetPartition", "glue:GetPartitions",
                "glue:BatchGetPartition")  # fmt: skip
WRITE_ACTIONS = ("glue:CreateTable", "glue:UpdateTable", "glue:CreatePartition", "glue:BatchCreatePartition",
                 "glue:UpdatePartition", "glue:BatchUpdatePartition")  # fmt: skip
# Athena and Glue both accept these names; lower case because Athena folds identifiers.
DATABASE_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,254}$")


@dataclass(frozen=True, kw_only=True)
class GlueDatabaseProps:
    """Settings of a GlueDatabase."""

    name: str
    """Required. Lower-case letters, digits and underscores, e.g. "csg_dev_raw"."""
    description: str
    """Required. Which data its tables describe."""


class GlueDatabase(Construct):
    """`self.database`. Grants cover the database and its tables, plus the catalog key through Glue."""

    def __init__(
        self, scope: Construct, construct_id: str, *, context: AccountContext, props: GlueDatabaseProps
    ) -> None:
        super().__init__(scope, construct_id)
        if not DATABASE_NAME_PATTERN.fullmatch(props.name):
            raise_if_problems(self, [f"name: {props.name!r} must be lower-case letters, digits, _"])
        self.context = context
        self.database = GlueCatalogDatabase(self, "database", name=props.name, description=props.description)

    @property
    def name(self) -> str:
        return self.database.name

    def _resources(self) -> tuple[str, ...]:
        return (
            self.context.arn("glue", "catalog"),
            self.context.arn("glue", f"database/{self.database.name}"),
            self.context.arn("glue", f"table/{self.database.name}/*"),
        )

    def grant_read(self, role: IamRole) -> None:
        """Let `role` read the database's table and partition metadata."""
        attach_grant(
            self,
            role,
            (
                Statement(sid="ReadCatalog", actions=READ_ACTIONS, resources=self._resources()),
                catalog_key_statement(self.context, "DecryptCatalog", ("kms:Decrypt",)),
            ),
        )

    def grant_write(self, role: IamRole) -> None:
        """Let `role` read, create and update tables and partitions (what a crawler does); never delete."""
        attach_grant(
            self,
            role,
            (
                Statement(
                    sid="WriteCatalog", actions=READ_ACTIONS + WRITE_ACTIONS, resources=self._resources()
                ),
                catalog_key_statement(
                    self.context, "EncryptCatalog", ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
                ),
            ),
        )
