"""A Glue crawler with its own role, the security configuration, and a log group created up front.

Each crawler gets a role of its own (one purpose each), which can write only its target database; the
caller grants it read access to the crawled source with that source's grant method (bucket, table or
connection). The crawler never deletes catalog tables: vanished sources are only logged.
"""

import json
import re
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.glue_crawler import (
    GlueCrawler as GlueCrawlerResource,
)
from cdktf_cdktf_provider_aws.glue_crawler import (
    GlueCrawlerDynamodbTarget,
    GlueCrawlerJdbcTarget,
    GlueCrawlerS3Target,
    GlueCrawlerSchemaChangePolicy,
)
from constructs import Construct

from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.analytics.glue_database import GlueDatabase
from modules.analytics.glue_jdbc_connection import GlueJdbcConnection
from modules.analytics.glue_security_configuration import GlueSecurityConfiguration
from modules.core.context import AccountContext
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey
from modules.observability.log_group import EncryptedLogGroup, EncryptedLogGroupProps

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Partitions inherit the table's schema; compatible schemas under one path become one table.
CRAWLER_CONFIGURATION = json.dumps(
    {
        "Version": 1.0,
        "CrawlerOutput": {"Partitions": {"AddOrUpdateBehavior": "InheritFromTable"}},
        "Grouping": {"TableGroupingPolicy": "CombineCompatibleSchemas"},
    },
    sort_keys=True,
)


@dataclass(frozen=True, kw_only=True)
class S3Source:
    """Crawl objects under `path` (s3://bucket/prefix/), skipping keys matching `exclusions` (globs)."""

    path: str
    exclusions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class JdbcSource:
    """Crawl tables matching `path` (database/schema/table, % wildcards) through `connection`."""

    connection: GlueJdbcConnection
    path: str


@dataclass(frozen=True, kw_only=True)
class GlueCrawlerProps:
    """Settings of a GlueCrawler. Exactly one kind of source is expected per crawler (one purpose)."""

    name: str
    """Required. Crawler name; its role and log group are named after it."""
    description: str
    """Required. What it crawls."""
    log_retention_days: int
    """Required. Retention of its log group."""
    s3_sources: tuple[S3Source, ...] = ()
    """Default none."""
    dynamodb_tables: tuple[str, ...] = ()
    """Default none. Table names."""
    jdbc_sources: tuple[JdbcSource, ...] = ()
    """Default none."""
    table_prefix: str = ""
    """Default none. Prefix of the catalog tables it creates."""
    dynamodb_scan_rate: float = 0.5
    """Default 0.5: share of the table's read capacity a crawl may use, leaving the rest to the
    application."""


class GlueCrawler(Construct):
    """`self.crawler`, `self.role` (ServiceRole), `self.log_group`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        database: GlueDatabase,
        security_configuration: GlueSecurityConfiguration,
        logs_key: EncryptionKey,
        props: GlueCrawlerProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not NAME_PATTERN.fullmatch(props.name):
            problems.append(f"name: {props.name!r} must be 1-64 of A-Z a-z 0-9 _ -")
        if not (props.s3_sources or props.dynamodb_tables or props.jdbc_sources):
            problems.append(
                "a crawler needs at least one source (s3_sources, dynamodb_tables or jdbc_sources)"
            )
        problems += [
            f"s3_sources: {source.path!r} is not an s3:// path ending in /"
            for source in props.s3_sources
            if not (source.path.startswith("s3://") and source.path.endswith("/"))
        ]
        if not 0.1 <= props.dynamodb_scan_rate <= 1.5:
            problems.append(f"dynamodb_scan_rate: {props.dynamodb_scan_rate} must be between 0.1 and 1.5")
        raise_if_problems(self, problems)

        role_name = f"{props.name}-crawler"[:64]
        self.role = ServiceRole(
            self,
            "role",
            context=context,
            props=ServiceRoleProps(
                name=role_name,
                service="glue.amazonaws.com",
                description=f"Crawler {props.name}: {props.description}",
            ),
        )
        role = self.role.role
        # Under a security configuration, Glue logs to /aws-glue/crawlers-role/<role>-<configuration>.
        log_group_prefix = f"/aws-glue/crawlers-role/{role_name}"
        self.log_group = EncryptedLogGroup(
            self,
            "logs",
            key=logs_key,
            props=EncryptedLogGroupProps(
                name=f"{log_group_prefix}-{security_configuration.name}",
                retention_days=props.log_retention_days,
            ),
        )
        self.log_group.grant_write(role)
        security_configuration.grant_use(role, log_group_prefix=log_group_prefix)
        database.grant_write(role)
        for source in props.jdbc_sources:
            source.connection.grant_use(role)

        self.crawler = GlueCrawlerResource(
            self,
            "crawler",
            name=props.name,
            description=props.description,
            role=role.arn,
            database_name=database.name,
            table_prefix=props.table_prefix or None,
            security_configuration=security_configuration.name,
            s3_target=[
                GlueCrawlerS3Target(path=s.path, exclusions=list(s.exclusions) or None)
                for s in props.s3_sources
            ]
            or None,
            dynamodb_target=[
                GlueCrawlerDynamodbTarget(path=table, scan_all=True, scan_rate=props.dynamodb_scan_rate)
                for table in props.dynamodb_tables
            ]
            or None,
            jdbc_target=[
                GlueCrawlerJdbcTarget(connection_name=s.connection.name, path=s.path)
                for s in props.jdbc_sources
            ]
            or None,
            schema_change_policy=GlueCrawlerSchemaChangePolicy(
                update_behavior="UPDATE_IN_DATABASE", delete_behavior="LOG"
            ),
            configuration=CRAWLER_CONFIGURATION,
            depends_on=[self.log_group.log_group],
        )

    @property
    def name(self) -> str:
        return self.crawler.name
