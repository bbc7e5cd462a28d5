"""AlertsTopic: encrypted with our key, publishable only by CloudWatch, EventBridge and Budgets of this
account, e-mail subscriptions from the configuration."""

from typing import Any

import pytest

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from modules.observability.alerts_topic import AlertsTopic, AlertsTopicProps
from tests.unit.modules.conftest import Synthesized, only, policy_statements, resources, synth
from tests.unit.modules.operations_support import alerts_topic

EMAILS = ("oncall@example.com", "security@example.com")


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    return synth(lambda stack, context: alerts_topic(stack, context, emails=EMAILS))


def _by_sid(statements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {statement["sid"]: statement for statement in statements}


def test_topic_is_encrypted_with_the_key_passed_in(synthesized: Synthesized) -> None:
    topic = only(resources(synthesized, "aws_sns_topic"))
    (key_id,) = resources(synthesized, "aws_kms_key")
    assert topic["kms_master_key_id"] == f"${{aws_kms_key.{key_id}.arn}}"


def test_only_the_three_services_of_this_account_may_publish(synthesized: Synthesized) -> None:
    policy = only(resources(synthesized, "aws_sns_topic_policy"))
    statements = _by_sid(policy_statements(synthesized, policy["policy"]))
    allows = {sid: s for sid, s in statements.items() if s["effect"] == "Allow"}
    assert {s["principals"][0]["identifiers"][0] for s in allows.values()} == {
        "cloudwatch.amazonaws.com",
        "events.amazonaws.com",
        "budgets.amazonaws.com",
    }
    for statement in allows.values():
        assert statement["actions"] == ["sns:Publish"]
        variables = {condition["variable"] for condition in statement["condition"]}
        assert variables == {"aws:SourceAccount", "aws:SourceArn"}
    assert ":alarm:*" in allows["AllowCloudwatchPublish"]["condition"][1]["values"][0]
    assert ":rule/*" in allows["AllowEventsPublish"]["condition"][1]["values"][0]


def test_identities_that_are_not_aws_services_are_denied_publishing(synthesized: Synthesized) -> None:
    policy = only(resources(synthesized, "aws_sns_topic_policy"))
    deny = _by_sid(policy_statements(synthesized, policy["policy"]))["DenyPublishByAnyoneButAwsServices"]
    assert deny["effect"] == "Deny"
    assert deny["principals"] == [{"type": "*", "identifiers": ["*"]}]
    assert deny["condition"] == [
        {"test": "Bool", "variable": "aws:PrincipalIsAWSService", "values": ["false"]}
    ]


def test_each_configured_address_is_subscribed_by_email(synthesized: Synthesized) -> None:
    subscriptions = resources(synthesized, "aws_sns_topic_subscription").values()
    assert sorted(s["endpoint"] for s in subscriptions) == sorted(EMAILS)
    assert {s["protocol"] for s in subscriptions} == {"email"}


def test_key_lets_publishers_encrypt_and_binds_cloudwatch_to_this_account(synthesized: Synthesized) -> None:
    key = only(resources(synthesized, "aws_kms_key"))
    service_uses = [
        s for s in policy_statements(synthesized, key["policy"]) if s["sid"].startswith("ServiceUse")
    ]
    by_service = {s["principals"][0]["identifiers"][0]: s for s in service_uses}
    assert set(by_service) == {"cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com"}
    assert {tuple(s["actions"]) for s in by_service.values()} == {("kms:GenerateDataKey*", "kms:Decrypt")}
    assert {c["variable"] for c in by_service["cloudwatch.amazonaws.com"]["condition"]} == {
        "aws:SourceAccount",
        "aws:SourceArn",
    }
    # EventBridge sends no source in its KMS requests: a condition would drop every notification.
    assert "condition" not in by_service["events.amazonaws.com"]


def _build_invalid(stack: Any, context: AccountContext) -> None:
    key = EncryptionKey(stack, "key", context=context, props=EncryptionKeyProps(alias="k", description="k"))
    AlertsTopic(
        stack,
        "alerts",
        context=context,
        key=key,
        props=AlertsTopicProps(name="", emails=("a@example.com", "a@example.com"), publishers=()),
    )


def test_invalid_topic_props_are_all_reported() -> None:
    with pytest.raises(PropsError) as error:
        synth(_build_invalid)
    assert len(error.value.problems) == 3
