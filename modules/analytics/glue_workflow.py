"""A Glue workflow run as stages: the first starts on demand (StartWorkflowRun, e.g. by the ingest function),
each later stage when every crawler and job of the stage before it has succeeded."""

import re
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.glue_trigger import (
    GlueTrigger,
    GlueTriggerActions,
    GlueTriggerPredicate,
    GlueTriggerPredicateConditions,
)
from cdktf_cdktf_provider_aws.glue_workflow import GlueWorkflow as GlueWorkflowResource
from cdktf_cdktf_provider_aws.iam_role import IamRole
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.analytics.glue_crawler import GlueCrawler
from modules.analytics.glue_etl_job import GlueEtlJob
from modules.core.context import AccountContext
from modules.core.validation import raise_if_problems

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
Step = GlueCrawler | GlueEtlJob


@dataclass(frozen=True, kw_only=True)
class GlueWorkflowProps:
    """Settings of a GlueWorkflow."""

    name: str
    """Required. Workflow name."""
    description: str
    """Required. What a run does."""
    max_concurrent_runs: int = 1
    """Default 1: runs never overlap (the jobs' bookmarks and snapshot overwrites assume it). A start
    request while a run is in progress is refused by Glue; that run still covers the new data, since each
    stage processes its whole source."""


class GlueWorkflow(Construct):
    """`self.workflow` and `self.triggers` (one per stage); `grant_start` for whatever starts runs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        stages: tuple[tuple[Step, ...], ...],
        props: GlueWorkflowProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not NAME_PATTERN.fullmatch(props.name):
            problems.append(f"name: {props.name!r} must be 1-255 of A-Z a-z 0-9 _ -")
        if not stages or any(not stage for stage in stages):
            problems.append("stages: at least one stage, and no empty stage")
        if props.max_concurrent_runs < 1:
            problems.append("max_concurrent_runs: must be at least 1")
        raise_if_problems(self, problems)
        self.context = context
        self.workflow = GlueWorkflowResource(
            self,
            "workflow",
            name=props.name,
            description=props.description,
            max_concurrent_runs=props.max_concurrent_runs,
        )
        self.triggers: list[GlueTrigger] = []
        for index, stage in enumerate(stages):
            previous = stages[index - 1] if index else ()
            self.triggers.append(
                GlueTrigger(
                    self,
                    f"stage-{index}",
                    name=f"{props.name}-stage-{index}",
                    description=f"Stage {index} of {props.name}",
                    workflow_name=self.workflow.name,
                    type="CONDITIONAL" if previous else "ON_DEMAND",
                    start_on_creation=True if previous else None,
                    predicate=GlueTriggerPredicate(
                        logical="AND",
                        conditions=[_succeeded(step) for step in previous],
                    )
                    if previous
                    else None,
                    actions=[_action(step) for step in stage],
                )
            )

    @property
    def name(self) -> str:
        return self.workflow.name

    def grant_start(self, role: IamRole) -> None:
        """Let `role` start runs of this workflow (with run properties) and read their state."""
        attach_grant(
            self,
            role,
            (
                Statement(
                    sid="StartWorkflowRuns",
                    actions=("glue:StartWorkflowRun", "glue:GetWorkflowRun"),
                    resources=(self.context.arn("glue", f"workflow/{self.workflow.name}"),),
                ),
            ),
        )


def _action(step: Step) -> GlueTriggerActions:
    if isinstance(step, GlueCrawler):
        return GlueTriggerActions(crawler_name=step.name)
    return GlueTriggerActions(job_name=step.name)


def _succeeded(step: Step) -> GlueTriggerPredicateConditions:
    if isinstance(step, GlueCrawler):
        return GlueTriggerPredicateConditions(
            crawler_name=step.name, crawl_state="SUCCEEDED", logical_operator="EQUALS"
        )
    return GlueTriggerPredicateConditions(job_name=step.name, state="SUCCEEDED", logical_operator="EQUALS")
