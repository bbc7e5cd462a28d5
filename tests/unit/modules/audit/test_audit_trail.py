"""AuditTrail: multi-region, global events, validated, KMS-encrypted with CloudTrail's encryption context,
its own TLS-only bucket restricted to this trail, an encrypted log group, and data-lake data events."""

from typing import Any

import pytest

from modules.access.policy import Condition
from modules.audit.audit_trail import AuditTrail, AuditTrailProps
from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from modules.storage.secure_bucket import SecureBucket, SecureBucketProps
from tests.unit.modules.conftest import Synthesized, only, policy_statements, resources, synth, warnings_of

TRAIL = "csg-test-audit-trail"


def _build(*, retention: int = 365, force_destroy: bool = False, data_buckets: int = 2) -> Any:
    def build(stack: Any, context: AccountContext) -> None:
        key = EncryptionKey(
            stack,
            "logs-key",
            context=context,
            props=EncryptionKeyProps(
                alias="csg-test-logs", description="logs", service_uses=AuditTrail.key_uses(context, TRAIL)
            ),
        )
        logs = SecureBucket(
            stack,
            "access-logs",
            context=context,
            props=SecureBucketProps(
                name="csg-test-access-logs", encryption="s3-managed", receives_access_logs=True
            ),
        )
        data = tuple(
            SecureBucket(
                stack,
                f"data-{index}",
                context=context,
                encryption_key=key,
                props=SecureBucketProps(name=f"csg-test-data-{index}", access_log_bucket=logs),
            )
            for index in range(data_buckets)
        )
        AuditTrail(
            stack,
            "trail",
            context=context,
            key=key,
            access_log_bucket=logs,
            data_event_buckets=data,
            props=AuditTrailProps(name=TRAIL, log_retention_days=retention, force_destroy=force_destroy),
        )

    return build


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    return synth(_build(), aspects_production=True)


def _trail_bucket(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    ((logical_id, bucket),) = [
        (i, b) for i, b in resources(synthesized, "aws_s3_bucket").items() if "trail" in i
    ]
    return logical_id, bucket


def test_trail_covers_every_region_and_global_events_with_validation(synthesized: Synthesized) -> None:
    trail = only(resources(synthesized, "aws_cloudtrail"))
    assert trail["name"] == TRAIL
    assert trail["is_multi_region_trail"] is True
    assert trail["include_global_service_events"] is True
    assert trail["enable_log_file_validation"] is True
    assert trail["enable_logging"] is True
    (key_id,) = resources(synthesized, "aws_kms_key")
    assert trail["kms_key_id"] == f"${{aws_kms_key.{key_id}.arn}}"


def test_trail_delivers_to_its_own_bucket_and_an_encrypted_log_group(synthesized: Synthesized) -> None:
    trail = only(resources(synthesized, "aws_cloudtrail"))
    bucket_id, _ = _trail_bucket(synthesized)
    assert trail["s3_bucket_name"] == f"${{aws_s3_bucket.{bucket_id}.id}}"
    ((log_group_id, log_group),) = resources(synthesized, "aws_cloudwatch_log_group").items()
    assert trail["cloud_watch_logs_group_arn"] == f"${{aws_cloudwatch_log_group.{log_group_id}.arn}}:*"
    assert log_group["kms_key_id"].startswith("${aws_kms_key.")
    assert log_group["retention_in_days"] == 365
    # CloudTrail validates its bucket policy and role when the trail is created.
    assert any(d.startswith("aws_s3_bucket_policy.") for d in trail["depends_on"])
    assert any(d.startswith("aws_iam_role_policy.") for d in trail["depends_on"])


def test_data_events_are_recorded_for_every_data_bucket(synthesized: Synthesized) -> None:
    selector = only(resources(synthesized, "aws_cloudtrail"))["event_selector"][0]
    assert selector["include_management_events"] is True
    assert selector["read_write_type"] == "All"
    data_ids = [i for i in resources(synthesized, "aws_s3_bucket") if i.startswith("data-")]
    (resource,) = selector["data_resource"]
    assert resource["type"] == "AWS::S3::Object"
    assert sorted(resource["values"]) == sorted(f"${{aws_s3_bucket.{i}.arn}}/" for i in data_ids)


def test_bucket_policy_admits_only_this_trail_and_only_tls(synthesized: Synthesized) -> None:
    bucket_id, _ = _trail_bucket(synthesized)
    (policy,) = [
        p for p in resources(synthesized, "aws_s3_bucket_policy").values() if bucket_id in p["bucket"]
    ]
    statements = {s["sid"]: s for s in policy_statements(synthesized, policy["policy"])}
    assert statements["DenyInsecureTransport"]["effect"] == "Deny"
    for sid in ("CloudTrailChecksBucketAcl", "CloudTrailWritesLogFiles"):
        statement = statements[sid]
        assert statement["principals"] == [{"type": "Service", "identifiers": ["cloudtrail.amazonaws.com"]}]
        (source,) = {c["variable"]: c["values"] for c in statement["condition"]}["aws:SourceArn"]
        assert ":cloudtrail:eu-west-1:" in source and source.endswith(f":trail/{TRAIL}")
    assert "/AWSLogs/" in statements["CloudTrailWritesLogFiles"]["resources"][0]


def test_key_policy_binds_cloudtrail_to_this_trail_and_its_encryption_context(
    synthesized: Synthesized,
) -> None:
    key = only(resources(synthesized, "aws_kms_key"))
    uses = [s for s in policy_statements(synthesized, key["policy"]) if s["sid"].startswith("ServiceUse")]
    generate = next(s for s in uses if s["actions"] == ["kms:GenerateDataKey*"])
    conditions = {c["variable"]: (c["test"], c["values"][0]) for c in generate["condition"]}
    assert conditions["aws:SourceArn"][1].endswith(f":trail/{TRAIL}")
    test, context_arn = conditions["kms:EncryptionContext:aws:cloudtrail:arn"]
    assert test == "StringLike" and context_arn.endswith(":trail/*")
    assert any(s["actions"] == ["kms:DescribeKey"] for s in uses)


def test_key_uses_are_conditioned_on_the_trail_arn() -> None:
    def build(stack: Any, context: AccountContext) -> None:
        uses = AuditTrail.key_uses(context, "other-trail")
        assert all(isinstance(c, Condition) for use in uses for c in use.conditions)
        assert all(any(c.variable == "aws:SourceArn" for c in use.conditions) for use in uses)

    synth(build)


def test_force_destroy_is_reported_as_a_weakened_default() -> None:
    assert any("force_destroy" in warning for warning in warnings_of(_build(force_destroy=True)))
    assert not any("force_destroy" in warning for warning in warnings_of(_build()))


def test_invalid_trail_props_are_all_reported() -> None:
    with pytest.raises(PropsError) as error:
        synth(_build(retention=42, data_buckets=0), aspects_production=False)
    assert error.value.problems == ("log_retention_days: 42 is not a CloudWatch retention value",)
