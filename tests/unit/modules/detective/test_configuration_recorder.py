"""ConfigurationRecorder and ManagedConfigRules: everything recorded, delivered to an encrypted bucket by
the recorder's role, non-compliance to the topic, and rules that mirror the platform's controls."""

import json
from typing import Any

import pytest

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.detective.configuration_recorder import ConfigurationRecorder, ConfigurationRecorderProps
from modules.detective.managed_config_rules import (
    PLATFORM_CONTROL_RULES,
    ManagedConfigRules,
    ManagedConfigRulesProps,
    ManagedRule,
)
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from modules.storage.secure_bucket import SecureBucket, SecureBucketProps
from tests.unit.modules.conftest import Synthesized, only, policy_statements, resources, synth, warnings_of
from tests.unit.modules.operations_support import alerts_topic, topic_reference


def _recorder(stack: Any, context: AccountContext, **settings: Any) -> ConfigurationRecorder:
    key = EncryptionKey(
        stack, "audit-key", context=context, props=EncryptionKeyProps(alias="a", description="a")
    )
    logs = SecureBucket(
        stack,
        "access-logs",
        context=context,
        props=SecureBucketProps(
            name="csg-test-access-logs", encryption="s3-managed", receives_access_logs=True
        ),
    )
    return ConfigurationRecorder(
        stack,
        "config",
        context=context,
        key=key,
        access_log_bucket=logs,
        topic=alerts_topic(stack, context),
        props=ConfigurationRecorderProps(name_prefix="csg-test", **settings),
    )


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    def build(stack: Any, context: AccountContext) -> None:
        recorder = _recorder(stack, context)
        ManagedConfigRules(
            stack,
            "rules",
            recorder=recorder,
            props=ManagedConfigRulesProps(name_prefix="csg-test", minimum_password_length=16),
        )

    return synth(build, aspects_production=True)


def test_recorder_records_everything_including_global_resources(synthesized: Synthesized) -> None:
    recorder = only(resources(synthesized, "aws_config_configuration_recorder"))
    assert recorder["recording_group"] == {"all_supported": True, "include_global_resource_types": True}
    status = only(resources(synthesized, "aws_config_configuration_recorder_status"))
    assert status["is_enabled"] is True
    assert status["depends_on"][0].startswith("aws_config_delivery_channel.")


def test_history_goes_encrypted_to_its_own_bucket_written_by_the_recorder_role(
    synthesized: Synthesized,
) -> None:
    channel = only(resources(synthesized, "aws_config_delivery_channel"))
    (bucket_id,) = [i for i in resources(synthesized, "aws_s3_bucket") if i.startswith("config")]
    assert channel["s3_bucket_name"] == f"${{aws_s3_bucket.{bucket_id}.id}}"
    assert channel["s3_kms_key_arn"].startswith("${aws_kms_key.")
    (role_id,) = resources(synthesized, "aws_iam_role")
    role_policies = [
        p
        for p in resources(synthesized, "aws_iam_role_policy").values()
        if p["role"] == f"${{aws_iam_role.{role_id}.name}}"
    ]
    actions = {
        a for p in role_policies for s in policy_statements(synthesized, p["policy"]) for a in s["actions"]
    }
    assert {"s3:PutObject", "s3:GetBucketAcl"} <= actions
    writes = [
        s
        for p in role_policies
        for s in policy_statements(synthesized, p["policy"])
        if "s3:PutObject" in s["actions"]
    ]
    assert all("/AWSLogs/" in r and r.endswith("/Config/*") for s in writes for r in s["resources"])


def test_non_compliance_is_sent_to_the_topic(synthesized: Synthesized) -> None:
    rule = only(resources(synthesized, "aws_cloudwatch_event_rule"))
    assert json.loads(rule["event_pattern"])["detail"] == {
        "newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]}
    }
    assert only(resources(synthesized, "aws_cloudwatch_event_target"))["arn"] == topic_reference(
        resources(synthesized, "aws_sns_topic")
    )


def test_rules_mirror_the_platform_controls(synthesized: Synthesized) -> None:
    rules = {
        r["source"]["source_identifier"]: r for r in resources(synthesized, "aws_config_config_rule").values()
    }
    assert set(rules) == {rule.identifier for rule in PLATFORM_CONTROL_RULES}
    for control in (
        "MULTI_REGION_CLOUD_TRAIL_ENABLED",
        "EC2_IMDSV2_CHECK",
        "INCOMING_SSH_DISABLED",
        "SNS_ENCRYPTED_KMS",
        "CLOUDWATCH_ALARM_ACTION_CHECK",
        "S3_BUCKET_SSL_REQUESTS_ONLY",
    ):
        assert control in rules
    assert {r["source"]["owner"] for r in rules.values()} == {"AWS"}
    assert all(
        r["depends_on"][0].startswith("aws_config_configuration_recorder_status.") for r in rules.values()
    )
    assert (
        json.loads(rules["CLOUDWATCH_ALARM_ACTION_CHECK"]["input_parameters"])["okActionRequired"] == "true"
    )
    assert json.loads(rules["IAM_PASSWORD_POLICY"]["input_parameters"])["MinimumPasswordLength"] == "16"


def test_weakened_recorder_settings_are_reported() -> None:
    warnings = warnings_of(
        lambda stack, context: _recorder(stack, context, force_destroy=True, record_global_resources=False)
    )
    assert any("force_destroy" in w for w in warnings)
    assert any("record_global_resources" in w for w in warnings)


def test_duplicate_rule_keys_are_rejected() -> None:
    def build(stack: Any, context: AccountContext) -> None:
        duplicate = ManagedRule(key="x", identifier="EC2_IMDSV2_CHECK")
        ManagedConfigRules(
            stack,
            "rules",
            recorder=_recorder(stack, context),
            props=ManagedConfigRulesProps(name_prefix="p", rules=(duplicate, duplicate)),
        )

    with pytest.raises(PropsError, match="listed more than once"):
        synth(build)
