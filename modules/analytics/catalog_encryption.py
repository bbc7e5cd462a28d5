"""Glue Data Catalog encryption (an account-and-region singleton, so it lives in the account baseline).

Metadata and connection passwords are encrypted with one customer-managed key whose alias is fixed
(CATALOG_KEY_ALIAS). Environment stacks never reference the baseline stack's resources: their roles get
the key through `catalog_key_statement`, which names the key by that alias (kms:ResourceAliases) and only
for calls made by Glue (kms:ViaService).
"""

from cdktf_cdktf_provider_aws.glue_data_catalog_encryption_settings import (
    GlueDataCatalogEncryptionSettings,
    GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettings,
    GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettingsConnectionPasswordEncryption,
    GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettingsEncryptionAtRest,
)
from constructs import Construct

from modules.access.policy import Condition, Statement
from modules.core.context import AccountContext
from modules.keys.encryption_key import EncryptionKey

CATALOG_KEY_ALIAS = "csg-account-glue-catalog"
"""Alias (without "alias/") of the key that encrypts the Glue Data Catalog in every account."""


def catalog_key_statement(context: AccountContext, sid: str, actions: tuple[str, ...]) -> Statement:
    """An identity-policy statement allowing `actions` on the catalog key (found by its alias), via Glue."""
    return Statement(
        sid=sid,
        actions=actions,
        resources=(context.arn("kms", "key/*"),),
        conditions=(
            Condition(
                test="ForAnyValue:StringEquals",
                variable="kms:ResourceAliases",
                values=(f"alias/{CATALOG_KEY_ALIAS}",),
            ),
            Condition(
                test="StringEquals",
                variable="kms:ViaService",
                values=(f"glue.{context.region}.amazonaws.com",),
            ),
        ),
    )


class CatalogEncryption(Construct):
    """`self.settings`: catalog metadata and connection passwords (GetConnection returns them encrypted)
    encrypted with `key`, which the caller must alias CATALOG_KEY_ALIAS."""

    def __init__(self, scope: Construct, construct_id: str, *, key: EncryptionKey) -> None:
        super().__init__(scope, construct_id)
        self.key = key
        self.settings = GlueDataCatalogEncryptionSettings(
            self,
            "settings",
            data_catalog_encryption_settings=GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettings(
                encryption_at_rest=GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettingsEncryptionAtRest(
                    catalog_encryption_mode="SSE-KMS", sse_aws_kms_key_id=key.arn
                ),
                connection_password_encryption=(
                    GlueDataCatalogEncryptionSettingsDataCatalogEncryptionSettingsConnectionPasswordEncryption(
                        return_connection_password_encrypted=True,
                        aws_kms_key_id=key.arn,
                    )
                ),
            ),
        )
