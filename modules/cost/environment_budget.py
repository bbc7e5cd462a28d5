"""A monthly cost budget for one environment's tagged resources, alerting the topic and e-mail addresses."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.budgets_budget import (
    BudgetsBudget,
    BudgetsBudgetCostFilter,
    BudgetsBudgetNotification,
)
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.observability.alerts_topic import AlertsTopic

MAX_EMAIL_SUBSCRIBERS = 10  # AWS Budgets' limit per notification


@dataclass(frozen=True, kw_only=True)
class EnvironmentBudgetProps:
    """Settings of an EnvironmentBudget."""

    name: str
    """Required. Budget name, e.g. "csg-dev-monthly"."""
    monthly_limit_usd: float
    """Required, > 0. The month's budget in USD."""
    tag_key: str
    """Required. Cost-allocation tag that marks the environment's resources, e.g. "environment"."""
    tag_value: str
    """Required. Its value, e.g. "dev"."""
    emails: tuple[str, ...] = ()
    """Default none. Addresses notified directly (besides the topic), at most 10."""
    actual_percent: float = 80
    """Default 80. Alert when actual spend reaches this share of the limit."""
    forecast_percent: float = 100
    """Default 100. Alert when the month's forecast reaches this share of the limit."""


class EnvironmentBudget(Construct):
    """`self.budget`: a monthly COST budget filtered to `tag_key=tag_value`. The tag must be activated as a
    cost-allocation tag in the billing console, or the budget sees no spend."""

    def __init__(
        self, scope: Construct, construct_id: str, *, topic: AlertsTopic, props: EnvironmentBudgetProps
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if props.monthly_limit_usd <= 0:
            problems.append("monthly_limit_usd: must be positive")
        for setting in ("actual_percent", "forecast_percent"):
            if not 0 < getattr(props, setting) <= 1000:
                problems.append(f"{setting}: must be above 0 and at most 1000")
        if len(props.emails) > MAX_EMAIL_SUBSCRIBERS:
            problems.append(f"emails: AWS Budgets notifies at most {MAX_EMAIL_SUBSCRIBERS} addresses")
        if not props.tag_key or not props.tag_value:
            problems.append(
                "tag_key / tag_value: required (an unfiltered budget would track the whole account)"
            )
        raise_if_problems(self, problems)

        def notify(kind: str, percent: float) -> BudgetsBudgetNotification:
            return BudgetsBudgetNotification(
                notification_type=kind,
                comparison_operator="GREATER_THAN",
                threshold=percent,
                threshold_type="PERCENTAGE",
                subscriber_sns_topic_arns=[topic.arn],
                subscriber_email_addresses=list(props.emails) or None,
            )

        self.budget = BudgetsBudget(
            self,
            "budget",
            name=props.name,
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{props.monthly_limit_usd:.2f}",
            limit_unit="USD",
            # Budgets' tag filter syntax: "user:<key>$<value>" for user-defined tags.
            cost_filter=[
                BudgetsBudgetCostFilter(
                    name="TagKeyValue", values=[f"user:{props.tag_key}${props.tag_value}"]
                )
            ],
            notification=[
                notify("ACTUAL", props.actual_percent),
                notify("FORECASTED", props.forecast_percent),
            ],
        )

    @property
    def name(self) -> str:
        return self.budget.name
