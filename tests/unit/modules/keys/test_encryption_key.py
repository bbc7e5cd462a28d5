"""EncryptionKey and PlatformKeys: rotation, deletion window, explicit key policy, scoped service use."""

import pytest
from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.iam_role import IamRole

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from modules.keys.platform_keys import PlatformKeys
from tests.unit.modules.conftest import Synthesized, only, policy_statements, resources, synth, warnings_of


@pytest.fixture(scope="module")
def platform_keys() -> Synthesized:
    return synth(lambda stack, context: PlatformKeys(stack, "keys", context=context))


def test_one_key_per_domain_each_rotated_with_maximum_deletion_window(platform_keys: Synthesized) -> None:
    keys = resources(platform_keys, "aws_kms_key")
    assert len(keys) == 4
    for key in keys.values():
        assert key["enable_key_rotation"] is True
        assert key["deletion_window_in_days"] == 30
        assert key["policy"].startswith("${data.aws_iam_policy_document.")
    aliases = sorted(alias["name"] for alias in resources(platform_keys, "aws_kms_alias").values())
    assert aliases == [
        "alias/csg-test-data-lake",
        "alias/csg-test-database",
        "alias/csg-test-logs",
        "alias/csg-test-secrets",
    ]


def test_logs_key_admits_cloudwatch_logs_only_for_this_accounts_log_groups(
    platform_keys: Synthesized,
) -> None:
    logs_key = next(
        k for k in resources(platform_keys, "aws_kms_key").values() if "CloudWatch" in k["description"]
    )
    statements = policy_statements(platform_keys, logs_key["policy"])
    service = next(s for s in statements if s["sid"].startswith("ServiceUse"))
    assert service["principals"][0] == {"type": "Service", "identifiers": ["logs.eu-west-1.amazonaws.com"]}
    condition = service["condition"][0]
    assert condition["variable"] == "kms:EncryptionContext:aws:logs:arn"
    assert condition["values"][0].startswith("arn:${data.aws_partition.")
    assert condition["values"][0].endswith(":log-group:*")
    assert "kms:*" not in service["actions"]


def test_only_the_account_root_administers_the_key(platform_keys: Synthesized) -> None:
    for key in resources(platform_keys, "aws_kms_key").values():
        statements = policy_statements(platform_keys, key["policy"])
        admin = [s for s in statements if "kms:*" in s["actions"]]
        assert len(admin) == 1
        identifiers = admin[0]["principals"][0]["identifiers"]
        assert len(identifiers) == 1 and identifiers[0].endswith(":root")
        assert all(p["identifiers"] != ["*"] for s in statements for p in s.get("principals", []))


def test_disabling_rotation_is_reported() -> None:
    def unrotated(stack: TerraformStack, context: AccountContext) -> None:
        EncryptionKey(
            stack,
            "key",
            context=context,
            props=EncryptionKeyProps(alias="x", description="x", enable_rotation=False),
        )

    assert any("weakened default: enable_rotation" in w for w in warnings_of(unrotated))


def test_invalid_key_props_are_all_reported() -> None:
    def invalid(stack: TerraformStack, context: AccountContext) -> None:
        EncryptionKey(
            stack,
            "key",
            context=context,
            props=EncryptionKeyProps(alias="alias/x", description="x", deletion_window_days=3),
        )

    with pytest.raises(PropsError) as error:
        synth(invalid)
    assert len(error.value.problems) == 2


def test_grant_decrypt_is_scoped_to_the_key_and_the_service() -> None:
    def granted(stack: TerraformStack, context: AccountContext) -> None:
        role = IamRole(stack, "role", assume_role_policy="{}")
        key = EncryptionKey(
            stack, "key", context=context, props=EncryptionKeyProps(alias="x", description="x")
        )
        key.grant_decrypt(role, via_service="s3.eu-west-1.amazonaws.com")

    synthesized = synth(granted)
    policy = only(resources(synthesized, "aws_iam_role_policy"))
    statements = policy_statements(synthesized, policy["policy"])
    assert len(statements) == 1
    statement = statements[0]
    assert set(statement["actions"]) == {"kms:Decrypt", "kms:DescribeKey"}
    assert len(statement["resources"]) == 1
    assert statement["resources"][0].startswith("${aws_kms_key.") and statement["resources"][0].endswith(
        ".arn}"
    )
    assert statement["condition"][0]["values"] == ["s3.eu-west-1.amazonaws.com"]


def test_key_policy_names_each_granted_role_with_the_grants_conditions() -> None:
    def granted(stack: TerraformStack, context: AccountContext) -> None:
        reader = IamRole(stack, "reader", assume_role_policy="{}")
        writer = IamRole(stack, "writer", assume_role_policy="{}")
        key = EncryptionKey(
            stack, "key", context=context, props=EncryptionKeyProps(alias="x", description="x")
        )
        key.grant_decrypt(reader, via_service="s3.eu-west-1.amazonaws.com")
        key.grant_encrypt_decrypt(writer)

    synthesized = synth(granted)
    key = only(resources(synthesized, "aws_kms_key"))
    role_uses = [s for s in policy_statements(synthesized, key["policy"]) if s["sid"].startswith("RoleUse")]
    assert len(role_uses) == 2
    by_role = {s["principals"][0]["identifiers"][0]: s for s in role_uses}
    reader_use = next(s for arn, s in by_role.items() if "aws_iam_role.reader" in arn)
    assert set(reader_use["actions"]) == {"kms:Decrypt", "kms:DescribeKey"}
    assert reader_use["condition"][0]["values"] == ["s3.eu-west-1.amazonaws.com"]
    writer_use = next(s for arn, s in by_role.items() if "aws_iam_role.writer" in arn)
    assert "kms:GenerateDataKey*" in writer_use["actions"]
    assert "condition" not in writer_use


def test_key_without_grants_names_no_role(platform_keys: Synthesized) -> None:
    for key in resources(platform_keys, "aws_kms_key").values():
        assert not any(
            s["sid"].startswith("RoleUse") for s in policy_statements(platform_keys, key["policy"])
        )
