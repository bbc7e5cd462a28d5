"""AthenaWorkgroup: enforced configuration, engine v3, SSE-KMS results with the data-lake key in the
results bucket, a scan cutoff, CloudWatch metrics; named queries over the curated tables."""

from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack

from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.analytics.athena_workgroup import AthenaWorkgroup, AthenaWorkgroupProps
from modules.analytics.glue_database import GlueDatabase, GlueDatabaseProps
from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.storage.secure_bucket import SecureBucket, SecureBucketProps
from tests.unit.modules.conftest import synth
from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    key,
    logical_id,
    reference,
    single,
    stack_json,
    statements_of_grants,
    throwaway_stack,
    under,
)


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


def test_workgroup_enforces_engine_v3_encrypted_results_cutoff_and_metrics(dev: Synthesized) -> None:
    workgroup = single(dev, "aws_athena_workgroup", "data-services/athena/")
    configuration = workgroup["configuration"]
    assert workgroup["name"] == "csg-dev-analytics"
    assert configuration["enforce_workgroup_configuration"] is True
    assert configuration["engine_version"] == {"selected_engine_version": "Athena engine version 3"}
    assert configuration["publish_cloudwatch_metrics_enabled"] is True
    assert configuration["bytes_scanned_cutoff_per_query"] == 10 * 1024**3  # data_services default, 10 GiB
    results = configuration["result_configuration"]
    bucket = reference(
        "aws_s3_bucket", logical_id(dev, "aws_s3_bucket", "data-lake/athena-results/"), "bucket"
    )
    assert results["output_location"] == f"s3://{bucket}/results/"
    data_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/data-lake/"), "arn")
    assert results["encryption_configuration"] == {"encryption_option": "SSE_KMS", "kms_key_arn": data_key}


def test_named_queries_run_in_the_workgroup_over_the_curated_tables(dev: Synthesized) -> None:
    queries = {q["name"]: q for q in under(dev, "aws_athena_named_query", "data-services/athena/").values()}
    assert sorted(queries) == ["application-items-by-type", "orders-daily-totals", "orders-latest-day"]
    workgroup = reference("aws_athena_workgroup", logical_id(dev, "aws_athena_workgroup", "athena/"), "name")
    curated = reference(
        "aws_glue_catalog_database",
        logical_id(dev, "aws_glue_catalog_database", "glue-database-curated/"),
        "name",
    )
    for query in queries.values():
        assert (query["workgroup"], query["database"]) == (workgroup, curated)
    assert '"rds_orders"' in queries["orders-daily-totals"]["query"]
    assert '"dynamodb_application"' in queries["application-items-by-type"]["query"]


def _build(*, kms: bool = True, **overrides: Any) -> AthenaWorkgroup:
    stack, context = throwaway_stack()
    if kms:
        bucket = SecureBucket(
            stack,
            "results",
            context=context,
            encryption_key=key(stack, context, "data"),
            props=SecureBucketProps(name="csg-test-results"),
        )
    else:
        bucket = SecureBucket(
            stack,
            "results",
            context=context,
            props=SecureBucketProps(name="csg-test-results", encryption="s3-managed"),
        )
    props: dict[str, Any] = {"name": "csg-test-analytics", **overrides}
    return AthenaWorkgroup(
        stack, "athena", context=context, results_bucket=bucket, props=AthenaWorkgroupProps(**props)
    )


def test_a_cutoff_below_athenas_minimum_or_unencrypted_results_are_rejected() -> None:
    with pytest.raises(PropsError) as error:
        _build(kms=False, bytes_scanned_cutoff=1024)
    problems = error.value.problems
    assert any(p.startswith("bytes_scanned_cutoff: 1024 is below") for p in problems)
    assert any(p.startswith("results_bucket: must be KMS-encrypted") for p in problems)


def test_force_destroy_is_reported_and_duplicate_queries_are_rejected() -> None:
    workgroup = _build(force_destroy=True)
    assert any("weakened default: force_destroy" in str(e.data) for e in workgroup.node.metadata)
    database: Any = type("Db", (), {"name": "db"})()
    workgroup.add_named_query("q", database=database, query="SELECT 1", description="d")
    with pytest.raises(PropsError, match="already exists"):
        workgroup.add_named_query("q", database=database, query="SELECT 2", description="d")


def test_query_grant_covers_the_workgroup_its_results_and_the_catalog_only() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        role = ServiceRole(
            stack,
            "analyst",
            context=context,
            props=ServiceRoleProps(name="csg-test-analyst", service="ec2.amazonaws.com", description="t"),
        )
        bucket = SecureBucket(
            stack,
            "results",
            context=context,
            encryption_key=key(stack, context, "data"),
            props=SecureBucketProps(name="csg-test-results"),
        )
        workgroup = AthenaWorkgroup(
            stack,
            "athena",
            context=context,
            results_bucket=bucket,
            props=AthenaWorkgroupProps(name="csg-test-analytics"),
        )
        curated = GlueDatabase(
            stack,
            "curated",
            context=context,
            props=GlueDatabaseProps(name="csg_test_curated", description="t"),
        )
        workgroup.grant_query(role.role, (curated,))

    synthesized = synth(build)
    granted = actions_on(
        statements_of_grants(synthesized, logical_id(synthesized, "aws_iam_role", "analyst/"))
    )
    workgroup = reference(
        "aws_athena_workgroup", logical_id(synthesized, "aws_athena_workgroup", "athena/"), "name"
    )
    assert all(r.endswith(f":workgroup/{workgroup}") for r in granted["athena:StartQueryExecution"])
    bucket = reference("aws_s3_bucket", logical_id(synthesized, "aws_s3_bucket", "results/"), "arn")
    assert granted["s3:PutObject"] == {f"{bucket}/results/*"}
    assert {r.rsplit(":", 1)[1].split("/")[0] for r in granted["glue:GetTable"]} == {
        "catalog",
        "database",
        "table",
    }
    assert "glue:CreateTable" not in granted and "athena:DeleteWorkGroup" not in granted
