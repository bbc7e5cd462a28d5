"""SecureBucket: each security property with a compliant and a non-compliant (or weakened) case."""

import pytest
from cdktf import TerraformStack

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from modules.storage.secure_bucket import SecureBucket, SecureBucketProps
from tests.unit.modules.conftest import Synthesized, only, policy_statements, resources, synth, warnings_of


def _key(stack: TerraformStack, context: AccountContext) -> EncryptionKey:
    return EncryptionKey(
        stack, "key", context=context, props=EncryptionKeyProps(alias="test", description="t")
    )


def _secure(stack: TerraformStack, context: AccountContext) -> None:
    logs = SecureBucket(
        stack,
        "logs",
        context=context,
        props=SecureBucketProps(name="test-logs", encryption="s3-managed", receives_access_logs=True),
    )
    SecureBucket(
        stack,
        "data",
        context=context,
        encryption_key=_key(stack, context),
        props=SecureBucketProps(name="test-data", access_log_bucket=logs),
    )


@pytest.fixture(scope="module")
def secure() -> Synthesized:
    return synth(_secure)


def _for_bucket(items: Synthesized, bucket_id_fragment: str) -> Synthesized:
    return {k: v for k, v in items.items() if bucket_id_fragment in str(v.get("bucket", ""))}


def test_data_bucket_uses_our_kms_key_with_bucket_key(secure: Synthesized) -> None:
    config = only(
        _for_bucket(resources(secure, "aws_s3_bucket_server_side_encryption_configuration"), "data")
    )
    rule = config["rule"][0]
    assert rule["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    assert rule["apply_server_side_encryption_by_default"]["kms_master_key_id"].startswith("${aws_kms_key.")
    assert rule["bucket_key_enabled"] is True


def test_log_bucket_is_sse_s3_because_server_access_logging_requires_it(secure: Synthesized) -> None:
    config = only(
        _for_bucket(resources(secure, "aws_s3_bucket_server_side_encryption_configuration"), "logs")
    )
    assert config["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"


def test_public_access_fully_blocked_and_acls_disabled(secure: Synthesized) -> None:
    blocks = resources(secure, "aws_s3_bucket_public_access_block")
    assert len(blocks) == 2
    for block in blocks.values():
        assert all(
            block[name] is True
            for name in (
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            )
        )
    for controls in resources(secure, "aws_s3_bucket_ownership_controls").values():
        assert controls["rule"]["object_ownership"] == "BucketOwnerEnforced"


def test_versioning_enabled(secure: Synthesized) -> None:
    for versioning in resources(secure, "aws_s3_bucket_versioning").values():
        assert versioning["versioning_configuration"]["status"] == "Enabled"


def test_policy_denies_plain_http_old_tls_and_foreign_keys(secure: Synthesized) -> None:
    policy = only(_for_bucket(resources(secure, "aws_s3_bucket_policy"), "data"))
    statements = {s["sid"]: s for s in policy_statements(secure, policy["policy"])}
    insecure = statements["DenyInsecureTransport"]
    assert insecure["effect"] == "Deny" and insecure["actions"] == ["s3:*"]
    assert insecure["condition"][0] == {
        "test": "Bool",
        "variable": "aws:SecureTransport",
        "values": ["false"],
    }
    assert statements["DenyOutdatedTls"]["condition"][0]["values"] == ["1.2"]
    other_key = statements["DenyOtherKmsKey"]["condition"][0]
    assert other_key["test"] == "StringNotEqualsIfExists"
    assert other_key["values"][0].startswith("${aws_kms_key.")


def test_log_bucket_lets_only_the_logging_service_of_this_account_write(secure: Synthesized) -> None:
    policy = only(_for_bucket(resources(secure, "aws_s3_bucket_policy"), "logs"))
    statements = {s["sid"]: s for s in policy_statements(secure, policy["policy"])}
    delivery = statements["AllowServerAccessLogDelivery"]
    assert delivery["principals"][0]["identifiers"] == ["logging.s3.amazonaws.com"]
    assert delivery["condition"][0]["variable"] == "aws:SourceAccount"


def test_access_logging_waits_for_the_log_bucket_policy(secure: Synthesized) -> None:
    logging = only(resources(secure, "aws_s3_bucket_logging"))
    assert any(dep.startswith("aws_s3_bucket_policy.") for dep in logging["depends_on"])


def test_lifecycle_expires_noncurrent_versions_and_aborts_uploads(secure: Synthesized) -> None:
    for lifecycle in resources(secure, "aws_s3_bucket_lifecycle_configuration").values():
        rule = lifecycle["rule"][0]
        assert rule["noncurrent_version_expiration"][0]["noncurrent_days"] == 90
        assert rule["abort_incomplete_multipart_upload"][0]["days_after_initiation"] == 7


def test_eventbridge_notifications_on_for_data_bucket(secure: Synthesized) -> None:
    assert only(_for_bucket(resources(secure, "aws_s3_bucket_notification"), "data"))["eventbridge"] is True


def test_secure_bucket_reports_no_weakened_default() -> None:
    assert [w for w in warnings_of(_secure) if "weakened default" in w] == []


def test_weakening_defaults_is_reported() -> None:
    def weakened(stack: TerraformStack, context: AccountContext) -> None:
        SecureBucket(
            stack,
            "weak",
            context=context,
            props=SecureBucketProps(
                name="test-weak", encryption="s3-managed", versioned=False, force_destroy=True
            ),
        )

    reported = " ".join(warnings_of(weakened))
    for setting in ("encryption", "versioned", "force_destroy", "access_log_bucket"):
        assert f"weakened default: {setting}" in reported


def test_invalid_props_report_every_problem_at_once() -> None:
    def invalid(stack: TerraformStack, context: AccountContext) -> None:
        SecureBucket(
            stack,
            "bad",
            context=context,
            props=SecureBucketProps(name="x", noncurrent_version_expiration_days=0),
        )

    with pytest.raises(PropsError) as error:
        synth(invalid)
    assert len(error.value.problems) == 3  # name length, missing key, expiration days
    assert "encryption_key" in str(error.value)


def test_grant_read_adds_s3_read_and_kms_decrypt_through_s3_only() -> None:
    from cdktf_cdktf_provider_aws.iam_role import IamRole

    def granted(stack: TerraformStack, context: AccountContext) -> None:
        role = IamRole(stack, "reader", assume_role_policy="{}")
        bucket = SecureBucket(
            stack,
            "data",
            context=context,
            encryption_key=_key(stack, context),
            props=SecureBucketProps(name="test-data", receives_access_logs=False),
        )
        bucket.grant_read(role, prefix="curated/")

    synthesized = synth(granted)
    policy = only(resources(synthesized, "aws_iam_role_policy"))
    statements = policy_statements(synthesized, policy["policy"])
    actions = {a for s in statements for a in s["actions"]}
    assert {"s3:GetObject", "s3:ListBucket", "kms:Decrypt"} <= actions
    assert not any(a.endswith("*") and a.startswith("s3:") for a in actions)
    assert "s3:PutObject" not in actions
    object_statement = next(s for s in statements if "s3:GetObject" in s["actions"])
    assert object_statement["resources"][0].endswith("/curated/*")
    kms_statement = next(s for s in statements if "kms:Decrypt" in s["actions"])
    assert kms_statement["condition"][0]["variable"] == "kms:ViaService"
    assert all(r != "*" for s in statements for r in s["resources"])
