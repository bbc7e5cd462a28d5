"""CisAlarms: the CIS monitoring controls as metric filters on the trail's log group, each with an alarm
that notifies the alerts topic."""

from typing import Any

import pytest

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from modules.observability.cis_alarms import CisAlarms, CisAlarmsProps
from modules.observability.log_group import EncryptedLogGroup, EncryptedLogGroupProps
from tests.unit.modules.conftest import Synthesized, resources, synth
from tests.unit.modules.operations_support import alerts_topic, topic_reference

# The controls the issue names, by the words that must appear in their patterns.
REQUIRED_PATTERNS = {
    "unauthorized-api-calls": ("UnauthorizedOperation", "AccessDenied"),
    "console-signin-without-mfa": ("ConsoleLogin", "MFAUsed"),
    "root-account-usage": ('"Root"',),
    "iam-policy-changes": ("PutRolePolicy", "AttachRolePolicy", "CreatePolicyVersion"),
    "cloudtrail-changes": ("StopLogging", "DeleteTrail", "UpdateTrail"),
    "kms-key-disable-or-deletion": ("DisableKey", "ScheduleKeyDeletion"),
    "s3-bucket-policy-changes": ("PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl"),
    "security-group-changes": ("AuthorizeSecurityGroupIngress", "RevokeSecurityGroupEgress"),
    "nacl-changes": ("CreateNetworkAclEntry", "ReplaceNetworkAclAssociation"),
    "network-gateway-changes": ("AttachInternetGateway", "CreateCustomerGateway"),
    "route-table-changes": ("CreateRoute", "ReplaceRouteTableAssociation"),
    "vpc-changes": ("CreateVpc", "ModifyVpcAttribute", "CreateVpcPeeringConnection"),
}


def _build(threshold: int) -> Any:
    def build(stack: Any, context: AccountContext) -> None:
        topic = alerts_topic(stack, context)
        key = EncryptionKey(
            stack, "logs-key", context=context, props=EncryptionKeyProps(alias="l", description="l")
        )
        log_group = EncryptedLogGroup(
            stack,
            "trail-logs",
            key=key,
            props=EncryptedLogGroupProps(name="/csg-test-trail", retention_days=365),
        )
        CisAlarms(
            stack,
            "cis",
            log_group=log_group,
            topic=topic,
            props=CisAlarmsProps(name_prefix="csg-test", unauthorized_api_calls_threshold=threshold),
        )

    return build


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    return synth(_build(threshold=5), aspects_production=True)


def test_every_required_control_has_a_filter_on_the_trail_log_group(synthesized: Synthesized) -> None:
    (log_group_id,) = resources(synthesized, "aws_cloudwatch_log_group")
    filters = {
        f["name"].removeprefix("csg-test-cis-"): f
        for f in resources(synthesized, "aws_cloudwatch_log_metric_filter").values()
    }
    assert set(filters) == set(REQUIRED_PATTERNS)
    for key, words in REQUIRED_PATTERNS.items():
        assert filters[key]["log_group_name"] == f"${{aws_cloudwatch_log_group.{log_group_id}.name}}"
        assert all(word in filters[key]["pattern"] for word in words), key
        assert filters[key]["metric_transformation"]["namespace"] == "csg-test/CIS"
        assert filters[key]["metric_transformation"]["value"] == "1"


def test_each_filter_metric_has_an_alarm_to_the_topic(synthesized: Synthesized) -> None:
    topic = topic_reference(resources(synthesized, "aws_sns_topic"))
    metrics = {
        f["metric_transformation"]["name"]
        for f in resources(synthesized, "aws_cloudwatch_log_metric_filter").values()
    }
    alarms = resources(synthesized, "aws_cloudwatch_metric_alarm").values()
    assert {a["metric_name"] for a in alarms} == metrics
    for alarm in alarms:
        assert alarm["namespace"] == "csg-test/CIS"
        assert alarm["alarm_actions"] == alarm["ok_actions"] == [topic]
        assert alarm["statistic"] == "Sum"
        assert alarm["treat_missing_data"] == "notBreaching"


def test_thresholds_are_one_event_except_the_configured_unauthorized_calls(synthesized: Synthesized) -> None:
    thresholds = {
        a["alarm_name"]: a["threshold"]
        for a in resources(synthesized, "aws_cloudwatch_metric_alarm").values()
    }
    assert thresholds.pop("csg-test-cis-unauthorized-api-calls") == 5
    assert set(thresholds.values()) == {1}


def test_a_threshold_below_one_is_rejected() -> None:
    with pytest.raises(PropsError, match="unauthorized_api_calls_threshold"):
        synth(_build(threshold=0))
