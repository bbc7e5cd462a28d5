"""Alarm controls: every alarm exists, is armed and reaches the alerts topic, which reaches people."""

from typing import Any

import pytest

from environments import load_environments
from tests.postdeploy.platform import Aws, Outputs, iter_pages

ALARMS = "alarms"

# CIS AWS Foundations Benchmark monitoring controls, identified by the CloudTrail events their metric filter
# must match (a filter whose pattern names any of them serves the control).
CIS_MONITORING: dict[str, tuple[str, ...]] = {
    "unauthorized API calls": ("UnauthorizedOperation", "AccessDenied"),
    "console sign-in without MFA": ("ConsoleLogin",),
    "root account usage": ("Root",),
    "IAM policy changes": ("DeleteGroupPolicy", "PutRolePolicy", "AttachRolePolicy", "CreatePolicyVersion"),
    "CloudTrail configuration changes": ("StopLogging", "UpdateTrail", "DeleteTrail"),
    "KMS key disabling or scheduled deletion": ("DisableKey", "ScheduleKeyDeletion"),
    "S3 bucket policy changes": ("PutBucketPolicy", "DeleteBucketPolicy"),
    "security group changes": ("AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"),
    "network ACL changes": ("CreateNetworkAcl", "DeleteNetworkAclEntry"),
    "network gateway changes": ("CreateCustomerGateway", "AttachInternetGateway"),
    "route table changes": ("CreateRoute", "ReplaceRoute", "DeleteRouteTable"),
    "VPC changes": ("CreateVpc", "DeleteVpc", "ModifyVpcAttribute"),
}


def _alarms_by_name(aws: Aws, names: list[str]) -> dict[str, dict[str, Any]]:
    cloudwatch = aws.client("cloudwatch")
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(names), 100):
        page = cloudwatch.describe_alarms(AlarmNames=names[start : start + 100], AlarmTypes=["MetricAlarm"])
        found.update({alarm["AlarmName"]: alarm for alarm in page["MetricAlarms"]})
    return found


@pytest.mark.control(
    ALARMS, "CloudWatch: every required alarm exists, is armed and notifies the alerts topic"
)
def test_required_alarms_exist_armed_and_notify_topic(aws: Aws, outputs: Outputs) -> None:
    required = dict(outputs.env("alarm_names"))
    assert required, "the stack declares no alarms"
    found = _alarms_by_name(aws, sorted(required.values()))
    topic = outputs.env("alerts_topic_arn")
    problems = []
    for purpose, name in sorted(required.items()):
        alarm = found.get(name)
        if alarm is None:
            problems.append(f"{purpose}: alarm {name} does not exist")
        elif not alarm.get("ActionsEnabled"):
            problems.append(f"{purpose}: alarm {name} has its actions disabled")
        elif topic not in alarm.get("AlarmActions", []):
            problems.append(f"{purpose}: alarm {name} does not notify {topic} ({alarm.get('AlarmActions')})")
    assert not problems, "; ".join(problems)


@pytest.mark.control(
    ALARMS, "CloudWatch: every account-baseline alarm exists, is armed and notifies its topic"
)
def test_account_alarms_exist_armed_and_notify_topic(aws: Aws, outputs: Outputs) -> None:
    required = dict(outputs.acct("account_alarm_names"))
    assert required, "the account baseline declares no alarms"
    found = _alarms_by_name(aws, sorted(required.values()))
    topic = outputs.acct("account_alerts_topic_arn")
    problems = [
        f"{purpose}: alarm {name} is missing, disarmed or does not notify {topic}"
        for purpose, name in sorted(required.items())
        if name not in found
        or not found[name].get("ActionsEnabled")
        or topic not in found[name].get("AlarmActions", [])
    ]
    assert not problems, "; ".join(problems)


@pytest.mark.control(ALARMS, "SNS: the alerts topic has a subscription for every alert address")
def test_alerts_topic_has_its_subscriptions(aws: Aws, outputs: Outputs) -> None:
    expected = set(load_environments([outputs.environment_name])[0].alert_emails)
    subscriptions = list(
        iter_pages(
            aws.client("sns"),
            "list_subscriptions_by_topic",
            "Subscriptions",
            TopicArn=outputs.env("alerts_topic_arn"),
        )
    )
    emails = {
        subscription["Endpoint"] for subscription in subscriptions if subscription["Protocol"] == "email"
    }
    assert expected <= emails, f"alert addresses without a subscription: {sorted(expected - emails)}"
    assert subscriptions, "the alerts topic has no subscriptions: alarms reach nobody"


@pytest.mark.control(ALARMS, "EventBridge: the Glue-failure rule targets the alerts topic")
def test_glue_failure_rule_targets_topic(aws: Aws, outputs: Outputs) -> None:
    events = aws.client("events")
    rule = outputs.env("alert_rule_names")["glue-job-failed"]
    assert events.describe_rule(Name=rule)["State"] == "ENABLED", f"rule {rule} is disabled"
    targets = [target["Arn"] for target in events.list_targets_by_rule(Rule=rule)["Targets"]]
    assert outputs.env("alerts_topic_arn") in targets, f"rule {rule} targets {targets}, not the alerts topic"


@pytest.mark.control(ALARMS, "CIS: every monitoring metric filter on the trail's log group feeds an alarm")
def test_cis_metric_filters_feed_alarms(aws: Aws, outputs: Outputs) -> None:
    logs, cloudwatch = aws.client("logs"), aws.client("cloudwatch")
    filters = list(
        iter_pages(
            logs, "describe_metric_filters", "metricFilters", logGroupName=outputs.env("trail_log_group_name")
        )
    )
    topic = outputs.env("alerts_topic_arn")
    problems = []
    for control, events in CIS_MONITORING.items():
        matching = [f for f in filters if any(event in f.get("filterPattern", "") for event in events)]
        if not matching:
            problems.append(f"{control}: no metric filter on the trail's log group")
            continue
        fed = False
        for metric_filter in matching:
            for transformation in metric_filter["metricTransformations"]:
                alarms = cloudwatch.describe_alarms_for_metric(
                    MetricName=transformation["metricName"], Namespace=transformation["metricNamespace"]
                )["MetricAlarms"]
                fed = fed or any(
                    a.get("ActionsEnabled") and topic in a.get("AlarmActions", []) for a in alarms
                )
        if not fed:
            problems.append(
                f"{control}: filter {matching[0]['filterName']} feeds no armed alarm on the topic"
            )
    assert not problems, "; ".join(problems)


@pytest.mark.control(ALARMS, "Budgets: the environment's budget exists and notifies the alerts topic")
def test_budget_exists_with_notifications(aws: Aws, outputs: Outputs) -> None:
    budgets = aws.client("budgets")
    name = outputs.env("budget_name")
    budget = budgets.describe_budget(AccountId=outputs.account_id, BudgetName=name)["Budget"]
    assert budget["BudgetType"] == "COST" and budget["TimeUnit"] == "MONTHLY", f"budget {name}: {budget}"
    notifications = budgets.describe_notifications_for_budget(AccountId=outputs.account_id, BudgetName=name)[
        "Notifications"
    ]
    assert notifications, f"budget {name} has no notifications"
    for notification in notifications:
        subscribers = budgets.describe_subscribers_for_notification(
            AccountId=outputs.account_id, BudgetName=name, Notification=notification
        )["Subscribers"]
        addresses = [
            subscriber["Address"] for subscriber in subscribers if subscriber["SubscriptionType"] == "SNS"
        ]
        assert outputs.env("alerts_topic_arn") in addresses, (
            f"budget {name} {notification['NotificationType']} notification does not reach the alerts topic"
        )
