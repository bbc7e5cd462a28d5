"""An EventBridge rule whose matching events go to the alerts topic (e.g. Glue job failures, GuardDuty)."""

import json
from dataclasses import dataclass, field
from typing import Any

from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
from cdktf_cdktf_provider_aws.cloudwatch_event_target import CloudwatchEventTarget
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.observability.alerts_topic import AlertsTopic

MAX_RULE_NAME_LENGTH = 64


@dataclass(frozen=True, kw_only=True)
class EventAlertProps:
    """Settings of an EventAlert."""

    name: str
    """Required. Rule name, e.g. "csg-dev-glue-job-failed"."""
    description: str
    """Required. What the events mean (shown on the rule)."""
    event_pattern: dict[str, Any] = field(default_factory=dict)
    """Required in practice (an empty pattern is rejected). EventBridge event pattern with a `source`."""


class EventAlert(Construct):
    """`self.rule` on the default bus and `self.target`, the alerts topic."""

    def __init__(
        self, scope: Construct, construct_id: str, *, topic: AlertsTopic, props: EventAlertProps
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not 1 <= len(props.name) <= MAX_RULE_NAME_LENGTH:
            problems.append(f"name: {props.name!r} must be 1-{MAX_RULE_NAME_LENGTH} characters")
        if not props.event_pattern.get("source"):
            problems.append("event_pattern: must name the event source (a rule without one matches too much)")
        raise_if_problems(self, problems)

        self.rule = CloudwatchEventRule(
            self,
            "rule",
            name=props.name,
            description=props.description,
            event_pattern=json.dumps(props.event_pattern, sort_keys=True),
            state="ENABLED",
        )
        self.target = CloudwatchEventTarget(
            self, "target", rule=self.rule.name, arn=topic.arn, target_id="alerts-topic"
        )

    @property
    def name(self) -> str:
        return self.rule.name
