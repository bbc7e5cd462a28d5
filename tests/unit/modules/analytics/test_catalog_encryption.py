"""CatalogEncryption (account baseline): catalog metadata and connection passwords encrypted with the catalog
key; environment roles reach that key only by its alias and only through Glue."""

from pathlib import Path

from modules.analytics.catalog_encryption import CATALOG_KEY_ALIAS
from tests.unit.modules.data_services_support import (
    Synthesized,
    logical_id,
    reference,
    single,
    stack_json,
    statements_of_grants,
)


def test_catalog_and_connection_passwords_are_encrypted_with_the_catalog_key(synth_dir: Path) -> None:
    baseline: Synthesized = stack_json(synth_dir, "account-baseline")
    settings = single(baseline, "aws_glue_data_catalog_encryption_settings", "glue-catalog-encryption/")
    catalog_key = reference("aws_kms_key", logical_id(baseline, "aws_kms_key", "glue-catalog-key/"), "arn")
    assert settings["data_catalog_encryption_settings"] == {
        "encryption_at_rest": {"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": catalog_key},
        "connection_password_encryption": {
            "return_connection_password_encrypted": True,
            "aws_kms_key_id": catalog_key,
        },
    }
    alias = single(baseline, "aws_kms_alias", "glue-catalog-key/")
    assert alias["name"] == f"alias/{CATALOG_KEY_ALIAS}"
    assert (
        baseline["resource"]["aws_kms_key"][logical_id(baseline, "aws_kms_key", "glue-catalog-key/")][
            "enable_key_rotation"
        ]
        is True
    )


def test_environment_roles_use_the_catalog_key_by_alias_through_glue_only(synth_dir: Path) -> None:
    dev: Synthesized = stack_json(synth_dir, "dev")
    role = logical_id(dev, "aws_iam_role", "glue-crawler-curated/role/")
    (statement,) = [s for s in statements_of_grants(dev, role) if s["sid"].endswith("EncryptCatalog")]
    assert statement["resources"][0].endswith(
        ":kms:eu-west-1:${data.aws_caller_identity." + logical_id_of_caller(dev) + ".account_id}:key/*"
    )
    assert {(c["test"], c["variable"], tuple(c["values"])) for c in statement["condition"]} == {
        ("ForAnyValue:StringEquals", "kms:ResourceAliases", (f"alias/{CATALOG_KEY_ALIAS}",)),
        ("StringEquals", "kms:ViaService", ("glue.eu-west-1.amazonaws.com",)),
    }


def logical_id_of_caller(synthesized: Synthesized) -> str:
    (caller,) = synthesized["data"]["aws_caller_identity"]
    return str(caller)
