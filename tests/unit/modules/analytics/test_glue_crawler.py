"""GlueCrawler: one role per crawler, the security configuration, a log group made up front, writes only
its own catalog database and never deletes tables; sources (raw, RDS over JDBC, DynamoDB, curated)."""

from pathlib import Path
from typing import Any

import pytest

from modules.analytics.glue_crawler import GlueCrawler, GlueCrawlerProps, S3Source
from modules.analytics.glue_database import GlueDatabase, GlueDatabaseProps
from modules.analytics.glue_security_configuration import (
    GlueSecurityConfiguration,
    GlueSecurityConfigurationProps,
)
from modules.core.validation import PropsError
from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    key,
    logical_id,
    reference,
    stack_json,
    statements_of_grants,
    throwaway_stack,
    under,
)

PURPOSES = ("raw", "rds", "dynamodb", "curated")


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


def _crawler(synthesized: Synthesized, purpose: str) -> tuple[str, dict[str, object]]:
    (item,) = under(synthesized, "aws_glue_crawler", f"data-services/glue-crawler-{purpose}/").items()
    return item


def test_every_crawler_has_its_own_role_and_the_security_configuration(dev: Synthesized) -> None:
    configuration = reference(
        "aws_glue_security_configuration",
        logical_id(dev, "aws_glue_security_configuration", "glue-security"),
        "name",
    )
    roles = set()
    for purpose in PURPOSES:
        _, crawler = _crawler(dev, purpose)
        assert crawler["security_configuration"] == configuration
        assert crawler["schema_change_policy"] == {
            "update_behavior": "UPDATE_IN_DATABASE",
            "delete_behavior": "LOG",
        }
        roles.add(crawler["role"])
    assert len(roles) == len(PURPOSES)


def test_sources(dev: Synthesized) -> None:
    raw_bucket = reference("aws_s3_bucket", logical_id(dev, "aws_s3_bucket", "data-lake/raw/"), "bucket")
    assert _crawler(dev, "raw")[1]["s3_target"] == [{"path": f"s3://{raw_bucket}/incoming/"}]
    connection = reference(
        "aws_glue_connection", logical_id(dev, "aws_glue_connection", "glue-connection"), "name"
    )
    assert _crawler(dev, "rds")[1]["jdbc_target"] == [
        {"connection_name": connection, "path": "platform/public/%"}
    ]
    table = reference(
        "aws_dynamodb_table", logical_id(dev, "aws_dynamodb_table", "table-application/"), "name"
    )
    assert _crawler(dev, "dynamodb")[1]["dynamodb_target"] == [
        {"path": table, "scan_all": True, "scan_rate": 0.5}
    ]
    curated = reference("aws_s3_bucket", logical_id(dev, "aws_s3_bucket", "data-lake/curated/"), "bucket")
    assert _crawler(dev, "curated")[1]["s3_target"] == [
        {"path": f"s3://{curated}/rds_orders/"},
        {"path": f"s3://{curated}/dynamodb_application/"},
    ]


def test_crawler_roles_write_only_their_database_and_read_only_their_source(dev: Synthesized) -> None:
    raw_db = reference(
        "aws_glue_catalog_database", logical_id(dev, "aws_glue_catalog_database", "database-raw/"), "name"
    )
    curated_db = reference(
        "aws_glue_catalog_database", logical_id(dev, "aws_glue_catalog_database", "database-curated/"), "name"
    )
    raw_role = logical_id(dev, "aws_iam_role", "glue-crawler-raw/role/")
    granted = actions_on(statements_of_grants(dev, raw_role))
    assert any(resource.endswith(f":table/{raw_db}/*") for resource in granted["glue:CreateTable"])
    assert not any(curated_db in resource for resource in granted["glue:CreateTable"])
    assert "glue:DeleteTable" not in granted
    raw_bucket = reference("aws_s3_bucket", logical_id(dev, "aws_s3_bucket", "data-lake/raw/"), "arn")
    assert granted["s3:GetObject"] == {f"{raw_bucket}/incoming/*"}
    assert "s3:PutObject" not in granted
    assert "dynamodb:Scan" not in granted and "glue:GetConnection" not in granted


def test_crawler_log_groups_are_created_encrypted_with_retention(dev: Synthesized) -> None:
    logs_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/logs/"), "arn")
    for purpose in PURPOSES:
        _, crawler = _crawler(dev, purpose)
        (group_id, group) = next(
            iter(under(dev, "aws_cloudwatch_log_group", f"glue-crawler-{purpose}/").items())
        )
        assert group["name"].startswith(f"/aws-glue/crawlers-role/csg-dev-crawl-{purpose}-crawler-")
        assert (group["kms_key_id"], group["retention_in_days"]) == (logs_key, 30)
        assert crawler["depends_on"] == [f"aws_cloudwatch_log_group.{group_id}"]


def _build(**overrides: Any) -> GlueCrawler:
    stack, context = throwaway_stack()
    database = GlueDatabase(
        stack, "db", context=context, props=GlueDatabaseProps(name="csg_test", description="t")
    )
    configuration = GlueSecurityConfiguration(
        stack,
        "security",
        context=context,
        data_key=key(stack, context, "data"),
        logs_key=key(stack, context, "logs"),
        props=GlueSecurityConfigurationProps(name="csg-test-glue"),
    )
    props: dict[str, Any] = {
        "name": "csg-test-crawl",
        "description": "t",
        "log_retention_days": 30,
        **overrides,
    }
    return GlueCrawler(
        stack,
        "crawler",
        context=context,
        database=database,
        security_configuration=configuration,
        logs_key=key(stack, context, "crawler-logs"),
        props=GlueCrawlerProps(**props),
    )


def test_a_crawler_with_a_source_is_accepted() -> None:
    assert _build(s3_sources=(S3Source(path="s3://bucket/prefix/"),)).crawler is not None


def test_a_crawler_without_sources_or_with_bad_settings_is_rejected() -> None:
    with pytest.raises(PropsError) as error:
        _build(name="bad name", dynamodb_scan_rate=2.0)
    assert len(error.value.problems) == 3  # name, no source, scan rate
    with pytest.raises(PropsError, match="not an s3:// path"):
        _build(s3_sources=(S3Source(path="bucket/prefix"),))
