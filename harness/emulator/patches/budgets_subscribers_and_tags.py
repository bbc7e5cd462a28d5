"""AWS Budgets: DescribeSubscribersForNotification, Create/DeleteSubscriber and resource tags.

Why the platform needs it: the environment's budget notifies the alerts topic (and the alert addresses)
through notification subscribers, and carries the platform's default tags. Terraform reads both back after
creating the budget and on every plan; moto 5.2.5 implements neither, so the budget failed with 500s and no
test could check where its notifications go. Subscribers are kept with the notification moto already
stores; tags are kept per budget ARN (arn:<partition>:budgets::<account>:budget/<name>), including those
given to CreateBudget.
"""

import json
from typing import Any

from moto.budgets.exceptions import NotFoundException
from moto.budgets.models import BudgetsBackend, Notification
from moto.budgets.responses import BudgetsResponse

_ORIGINAL_CREATE_BUDGET = BudgetsResponse.create_budget
_TAGS: dict[str, dict[str, str]] = {}
"""Budget ARN -> tags (the emulator process serves one set of budgets)."""


def _same_notification(stored: dict[str, Any], asked: dict[str, Any]) -> bool:
    return (
        stored.get("NotificationType") == asked.get("NotificationType")
        and stored.get("ComparisonOperator") == asked.get("ComparisonOperator")
        and float(stored.get("Threshold", 0)) == float(asked.get("Threshold", 0))
        and stored.get("ThresholdType", "PERCENTAGE") == asked.get("ThresholdType", "PERCENTAGE")
    )


def _notification(response: BudgetsResponse) -> Notification:
    backend: BudgetsBackend = response.backend
    account, name = response._get_param("AccountId"), response._get_param("BudgetName")
    budget = backend.budgets[account].get(name)
    if budget is None:
        raise NotFoundException(f"Unable to get budget: {name} - the budget doesn't exist.")
    asked = response._get_param("Notification")
    for notification in budget.notifications:
        if _same_notification(notification.details, asked):
            return notification
    raise NotFoundException(f"Unable to find the notification of budget {name}.")


def _describe_subscribers_for_notification(self: BudgetsResponse) -> str:
    return json.dumps({"Subscribers": _notification(self).subscribers, "NextToken": None})


def _create_subscriber(self: BudgetsResponse) -> str:
    _notification(self).subscribers.append(self._get_param("Subscriber"))  # type: ignore[attr-defined]
    return json.dumps({})


def _delete_subscriber(self: BudgetsResponse) -> str:
    notification, removed = _notification(self), self._get_param("Subscriber")
    notification.subscribers = [s for s in notification.subscribers if s != removed]  # type: ignore[assignment]
    return json.dumps({})


def _create_budget(self: BudgetsResponse) -> str:
    result = _ORIGINAL_CREATE_BUDGET(self)
    tags = self._get_param("ResourceTags") or []
    if tags:
        account, name = self._get_param("AccountId"), self._get_param("Budget")["BudgetName"]
        arn = f"arn:{self.partition}:budgets::{account}:budget/{name}"
        _TAGS.setdefault(arn, {}).update({tag["Key"]: tag["Value"] for tag in tags})
    return str(result)


def _tag_resource(self: BudgetsResponse) -> str:
    tags = _TAGS.setdefault(self._get_param("ResourceARN"), {})
    tags.update({tag["Key"]: tag["Value"] for tag in self._get_param("ResourceTags") or []})
    return json.dumps({})


def _untag_resource(self: BudgetsResponse) -> str:
    tags = _TAGS.setdefault(self._get_param("ResourceARN"), {})
    for key in self._get_param("ResourceTagKeys") or []:
        tags.pop(key, None)
    return json.dumps({})


def _list_tags_for_resource(self: BudgetsResponse) -> str:
    tags = _TAGS.get(self._get_param("ResourceARN"), {})
    return json.dumps({"ResourceTags": [{"Key": key, "Value": value} for key, value in tags.items()]})


def apply() -> None:
    """Add the actions to moto's Budgets responses (dispatch looks actions up by method name)."""
    BudgetsResponse.describe_subscribers_for_notification = _describe_subscribers_for_notification  # type: ignore[attr-defined]
    BudgetsResponse.create_subscriber = _create_subscriber  # type: ignore[attr-defined]
    BudgetsResponse.delete_subscriber = _delete_subscriber  # type: ignore[attr-defined]
    BudgetsResponse.create_budget = _create_budget  # type: ignore[method-assign]
    BudgetsResponse.tag_resource = _tag_resource  # type: ignore[attr-defined]
    BudgetsResponse.untag_resource = _untag_resource  # type: ignore[attr-defined]
    BudgetsResponse.list_tags_for_resource = _list_tags_for_resource  # type: ignore[attr-defined]
