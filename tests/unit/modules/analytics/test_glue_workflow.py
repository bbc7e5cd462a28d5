"""GlueWorkflow: started on demand (by the ingest function), then each stage only when every crawler or
job of the stage before it succeeded; starting it is a grant on this workflow only."""

from pathlib import Path

import pytest

from modules.analytics.glue_workflow import GlueWorkflow, GlueWorkflowProps
from modules.core.validation import PropsError
from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    logical_id,
    reference,
    stack_json,
    statements_of_grants,
    throwaway_stack,
    under,
)


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


def _name(synthesized: Synthesized, resource_type: str, path: str) -> str:
    return reference(resource_type, logical_id(synthesized, resource_type, path), "name")


def test_crawl_then_curate_then_crawl_curated(dev: Synthesized) -> None:
    triggers = {t["name"]: t for t in under(dev, "aws_glue_trigger", "data-services/glue-workflow/").values()}
    assert sorted(triggers) == [
        "csg-dev-curation-stage-0",
        "csg-dev-curation-stage-1",
        "csg-dev-curation-stage-2",
    ]
    crawlers = {
        p: _name(dev, "aws_glue_crawler", f"glue-crawler-{p}/") for p in ("raw", "rds", "dynamodb", "curated")
    }
    jobs = {s: _name(dev, "aws_glue_job", f"glue-job-{s}/") for s in ("rds", "dynamodb")}

    start = triggers["csg-dev-curation-stage-0"]
    assert start["type"] == "ON_DEMAND" and "predicate" not in start
    assert [a["crawler_name"] for a in start["actions"]] == [
        crawlers["raw"],
        crawlers["rds"],
        crawlers["dynamodb"],
    ]

    curate = triggers["csg-dev-curation-stage-1"]
    assert (curate["type"], curate["start_on_creation"], curate["predicate"]["logical"]) == (
        "CONDITIONAL",
        True,
        "AND",
    )
    assert {(c["crawler_name"], c["crawl_state"]) for c in curate["predicate"]["conditions"]} == {
        (crawlers[p], "SUCCEEDED") for p in ("raw", "rds", "dynamodb")
    }
    assert [a["job_name"] for a in curate["actions"]] == [jobs["rds"], jobs["dynamodb"]]

    catalog = triggers["csg-dev-curation-stage-2"]
    assert {(c["job_name"], c["state"]) for c in catalog["predicate"]["conditions"]} == {
        (jobs["rds"], "SUCCEEDED"),
        (jobs["dynamodb"], "SUCCEEDED"),
    }
    assert [a["crawler_name"] for a in catalog["actions"]] == [crawlers["curated"]]
    workflow = _name(dev, "aws_glue_workflow", "glue-workflow/")
    assert all(t["workflow_name"] == workflow for t in triggers.values())


def test_runs_never_overlap(dev: Synthesized) -> None:
    (workflow,) = under(dev, "aws_glue_workflow", "data-services/glue-workflow/").values()
    assert workflow["max_concurrent_runs"] == 1


def test_only_the_ingest_function_may_start_it(dev: Synthesized) -> None:
    workflow = _name(dev, "aws_glue_workflow", "glue-workflow/")
    starters = []
    for role in dev["resource"]["aws_iam_role"]:
        granted = actions_on(statements_of_grants(dev, role))
        resources = granted.get("glue:StartWorkflowRun", set())
        if resources:
            assert all(resource.endswith(f":workflow/{workflow}") for resource in resources)
            starters.append(role)
    assert starters == [logical_id(dev, "aws_iam_role", "data-services/ingest/function/role/")]


def test_a_workflow_needs_non_empty_stages_and_a_valid_name() -> None:
    stack, context = throwaway_stack()
    with pytest.raises(PropsError) as error:
        GlueWorkflow(
            stack,
            "workflow",
            context=context,
            stages=((),),
            props=GlueWorkflowProps(name="bad name", description="t", max_concurrent_runs=0),
        )
    assert len(error.value.problems) == 3
