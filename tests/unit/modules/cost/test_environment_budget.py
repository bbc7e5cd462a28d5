"""EnvironmentBudget: monthly, filtered to the environment's tag, alerting at 80 % actual and 100 %
forecast to the topic and the configured addresses."""

from typing import Any

import pytest

from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.cost.environment_budget import EnvironmentBudget, EnvironmentBudgetProps
from tests.unit.modules.conftest import only, resources, synth
from tests.unit.modules.operations_support import alerts_topic, topic_reference


def _build(**settings: Any) -> Any:
    def build(stack: Any, context: AccountContext) -> None:
        props = {
            "name": "csg-test-monthly",
            "monthly_limit_usd": 150,
            "tag_key": "environment",
            "tag_value": "dev",
            **settings,
        }
        EnvironmentBudget(
            stack, "budget", topic=alerts_topic(stack, context), props=EnvironmentBudgetProps(**props)
        )

    return build


def test_budget_is_monthly_cost_for_the_environment_tag() -> None:
    synthesized = synth(_build(emails=("finance@example.com",)))
    budget = only(resources(synthesized, "aws_budgets_budget"))
    assert (budget["budget_type"], budget["time_unit"]) == ("COST", "MONTHLY")
    assert (budget["limit_amount"], budget["limit_unit"]) == ("150.00", "USD")
    assert budget["cost_filter"] == [{"name": "TagKeyValue", "values": ["user:environment$dev"]}]
    topic = topic_reference(resources(synthesized, "aws_sns_topic"))
    notifications = {n["notification_type"]: n for n in budget["notification"]}
    assert set(notifications) == {"ACTUAL", "FORECASTED"}
    assert notifications["ACTUAL"]["threshold"] == 80
    assert notifications["FORECASTED"]["threshold"] == 100
    for notification in notifications.values():
        assert notification["threshold_type"] == "PERCENTAGE"
        assert notification["comparison_operator"] == "GREATER_THAN"
        assert notification["subscriber_sns_topic_arns"] == [topic]
        assert notification["subscriber_email_addresses"] == ["finance@example.com"]


def test_without_addresses_only_the_topic_is_notified() -> None:
    budget = only(resources(synth(_build()), "aws_budgets_budget"))
    assert all("subscriber_email_addresses" not in n for n in budget["notification"])


def test_an_unfiltered_or_impossible_budget_is_rejected() -> None:
    with pytest.raises(PropsError) as error:
        synth(
            _build(
                monthly_limit_usd=0,
                tag_value="",
                actual_percent=0,
                emails=tuple(f"a{i}@example.com" for i in range(11)),
            )
        )
    assert len(error.value.problems) == 4
