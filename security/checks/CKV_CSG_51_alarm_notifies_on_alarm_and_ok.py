"""CKV_CSG_51: a CloudWatch metric alarm notifies an SNS topic when it fires and when it recovers, and
says what missing data means.

Passes when `actions_enabled` is not false, `alarm_actions` and `ok_actions` each name an SNS topic, and
`treat_missing_data` is one of CloudWatch's four values. Stock CKV_AWS_319 checks `actions_enabled` only,
so an alarm with no actions at all passes it. See security/checks/OPERATIONS.md.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

MISSING_DATA_CHOICES = ("breaching", "notBreaching", "ignore", "missing")


def _scalar(value: Any) -> Any:
    """checkov wraps each attribute value in a one-element list; unwrap it."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def _names_a_topic(actions: Any) -> bool:
    """True when some action is an SNS topic: an ARN, or a reference to an aws_sns_topic's ARN."""
    listed = _scalar(actions)
    if not isinstance(listed, list):
        listed = [listed] if listed else []
    return any(
        isinstance(action, str) and (":sns:" in action or action.startswith("${aws_sns_topic."))
        for action in listed
    )


class AlarmNotifiesOnAlarmAndOk(BaseResourceCheck):  # type: ignore[misc]  # checkov is untyped here
    def __init__(self) -> None:
        super().__init__(
            name="Ensure a CloudWatch alarm notifies an SNS topic on alarm and on OK and sets "
            "treat_missing_data",
            id="CKV_CSG_51",
            categories=(CheckCategories.LOGGING,),
            supported_resources=("aws_cloudwatch_metric_alarm",),
            guideline="security/checks/OPERATIONS.md#ckv_csg_51",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["actions_enabled", "alarm_actions", "ok_actions", "treat_missing_data"]
        if _scalar(conf.get("actions_enabled")) in (False, "false"):
            return CheckResult.FAILED
        if not _names_a_topic(conf.get("alarm_actions")) or not _names_a_topic(conf.get("ok_actions")):
            return CheckResult.FAILED
        if _scalar(conf.get("treat_missing_data")) not in MISSING_DATA_CHOICES:
            return CheckResult.FAILED
        return CheckResult.PASSED


check = AlarmNotifiesOnAlarmAndOk()
