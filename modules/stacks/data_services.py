"""Data services of one environment (issue 4): wiring of the database, tables, secrets, Glue, Athena and the
ingest function, plus their outputs. Resource details live in the constructs.

Flow: an object lands under incoming/ in the raw bucket -> EventBridge -> ingest function (ledger row,
validation) -> Glue workflow: crawl raw + RDS + DynamoDB -> ETL jobs (RDS and DynamoDB -> curated Parquet)
-> crawl curated -> Athena named queries over the curated tables.
"""

from pathlib import Path

from constructs import Construct

from environments.schema import EnvironmentConfig
from modules.analytics.athena_workgroup import AthenaWorkgroup, AthenaWorkgroupProps
from modules.analytics.curated_datasets import APPLICATION_ITEMS, DATASETS, ORDERS, CuratedDataset
from modules.analytics.glue_crawler import GlueCrawler, GlueCrawlerProps, JdbcSource, S3Source
from modules.analytics.glue_database import GlueDatabase, GlueDatabaseProps
from modules.analytics.glue_etl_job import GlueEtlJob, GlueEtlJobProps
from modules.analytics.glue_jdbc_connection import GlueJdbcConnection, GlueJdbcConnectionProps
from modules.analytics.glue_script_bundle import GlueScriptBundle, GlueScriptBundleProps
from modules.analytics.glue_security_configuration import (
    GlueSecurityConfiguration,
    GlueSecurityConfigurationProps,
)
from modules.analytics.glue_workflow import GlueWorkflow, GlueWorkflowProps
from modules.core.context import AccountContext
from modules.core.outputs import stable_output
from modules.database.dynamodb_table import KeyAttribute, SecureTable, SecureTableProps
from modules.database.postgres_database import PostgresDatabase, PostgresDatabaseProps
from modules.ingest.ingest_function import INCOMING_PREFIX, IngestFunction, IngestFunctionProps
from modules.keys.platform_keys import PlatformKeys
from modules.network.endpoints import VpcEndpoints
from modules.network.vpc import PlatformVpc
from modules.secrets.platform_secret import PlatformSecret, PlatformSecretProps
from modules.secrets.postgres_rotation_function import PostgresRotationFunction, PostgresRotationFunctionProps
from modules.storage.data_lake import DataLake
from modules.storage.secure_bucket import SecureBucket, SecureBucketProps

GLUE_SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "glue_scripts"
"""The PySpark code of the ETL jobs (entry points plus the shared modules shipped with --extra-py-files)."""
GLUE_ENTRY_POINTS = {"rds": "rds_to_curated.py", "dynamodb": "dynamodb_to_curated.py"}
GLUE_LIBRARIES = ("curation_config.py", "curation_transforms.py", "curation_job.py")
ETL_DATABASE_USER = "csg_etl"
"""The read-only PostgreSQL user the Glue connection logs in as (created by the rotation function)."""


class DataServices(Construct):
    """Everything of issue 4 for one environment, exposed as typed attributes:

    `database` (PostgresDatabase), `tables` (SecureTable by purpose: application, ingestion_ledger),
    `rotation` (PostgresRotationFunction), `secrets` (PlatformSecret by purpose: database_etl; the RDS-managed
    master secret is `database.master_secret`), `glue_assets` (SecureBucket for scripts and temporary files),
    `glue_security_configuration`, `glue_databases` (raw, curated), `glue_connection`, `glue_crawlers`
    (raw, rds, dynamodb, curated), `glue_scripts`, `glue_jobs` (rds, dynamodb), `glue_workflow`, `athena`
    (AthenaWorkgroup) and `ingest` (IngestFunction).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        config: EnvironmentConfig,
        keys: PlatformKeys,
        network: PlatformVpc,
        endpoints: VpcEndpoints,
        data_lake: DataLake,
    ) -> None:
        super().__init__(scope, construct_id)
        production = config.tier == "prod"
        retention = config.log_retention_days
        settings = config.data_services

        self.database = PostgresDatabase(
            self,
            "database",
            context=context,
            network=network,
            storage_key=keys.database,
            secrets_key=keys.secrets,
            logs_key=keys.logs,
            props=PostgresDatabaseProps(
                identifier=context.name("postgres"),
                log_retention_days=retention,
                production=production,
                instance_class=config.database.instance_class,
                allocated_storage_gb=config.database.allocated_storage_gb,
                max_allocated_storage_gb=config.database.max_allocated_storage_gb,
                multi_az=config.database.multi_az,
                backup_retention_days=config.database.backup_retention_days,
                deletion_protection=config.protection.deletion_protection,
                skip_final_snapshot=config.protection.skip_final_snapshot,
            ),
        )

        def table(purpose: str, partition_key: str, sort_key: str) -> SecureTable:
            return SecureTable(
                self,
                f"table-{purpose}",
                context=context,
                key=keys.database,
                props=SecureTableProps(
                    name=context.name(purpose.replace("_", "-")),
                    partition_key=KeyAttribute(name=partition_key),
                    sort_key=KeyAttribute(name=sort_key),
                    deletion_protection=config.protection.deletion_protection,
                    production=production,
                ),
            )

        self.tables = {
            "application": table("application", "pk", "sk"),
            # Key layout fixed by the ingest function (functions/ingest): one row per object version.
            "ingestion_ledger": table("ingestion_ledger", "object_uri", "version_id"),
        }

        self.rotation = PostgresRotationFunction(
            self,
            "rotation",
            context=context,
            network=network,
            endpoints=endpoints,
            database=self.database,
            secrets_key=keys.secrets,
            logs_key=keys.logs,
            props=PostgresRotationFunctionProps(
                name=context.name("postgres-rotation"),
                log_retention_days=retention,
                new_user_roles=("pg_read_all_data",),
            ),
        )
        self.secrets = {
            "database_etl": PlatformSecret(
                self,
                "secret-database-etl",
                context=context,
                key=keys.secrets,
                rotation_function=self.rotation.function,
                props=PlatformSecretProps(
                    name=f"{config.resource_prefix}/database/{ETL_DATABASE_USER}",
                    description="Read-only PostgreSQL login of the Glue connection (ETL); created and "
                    "rotated by the rotation function",
                    rotation_days=settings.secret_rotation_days,
                    non_secret_fields={
                        "engine": "postgres",
                        "host": self.database.address,
                        "port": str(self.database.port),
                        "dbname": self.database.database_name,
                        "username": ETL_DATABASE_USER,
                        # The rotation function logs in with the master secret to set this user's password.
                        "masterarn": self.database.master_secret_arn,
                    },
                ),
            ),
        }

        self.glue_assets = SecureBucket(
            self,
            "glue-assets",
            context=context,
            encryption_key=keys.data_lake,
            props=SecureBucketProps(
                name=f"{context.name('glue-assets')}-{context.account_id}",
                access_log_bucket=data_lake.access_logs,
                force_destroy=not config.protection.retain_data_on_destroy,
            ),
        )
        self.glue_security_configuration = GlueSecurityConfiguration(
            self,
            "glue-security",
            context=context,
            data_key=keys.data_lake,
            logs_key=keys.logs,
            props=GlueSecurityConfigurationProps(name=context.name("glue")),
        )
        catalog_prefix = config.resource_prefix.replace("-", "_")
        self.glue_databases = {
            layer: GlueDatabase(
                self,
                f"glue-database-{layer}",
                context=context,
                props=GlueDatabaseProps(name=f"{catalog_prefix}_{layer}", description=description),
            )
            for layer, description in (
                ("raw", "Landed objects, and the RDS and DynamoDB sources as crawled"),
                ("curated", "Curated Parquet datasets written by the ETL jobs"),
            )
        }
        self.glue_connection = GlueJdbcConnection(
            self,
            "glue-connection",
            context=context,
            network=network,
            endpoints=endpoints,
            database=self.database,
            credentials=self.secrets["database_etl"],
            props=GlueJdbcConnectionProps(name=context.name("postgres")),
        )
        self._crawlers(context, data_lake, keys, retention)
        self._jobs(context, data_lake, keys, config)

        self.glue_workflow = GlueWorkflow(
            self,
            "glue-workflow",
            context=context,
            stages=(
                (self.glue_crawlers["raw"], self.glue_crawlers["rds"], self.glue_crawlers["dynamodb"]),
                (self.glue_jobs["rds"], self.glue_jobs["dynamodb"]),
                (self.glue_crawlers["curated"],),
            ),
            props=GlueWorkflowProps(
                name=context.name("curation"),
                description="Crawl raw and sources, curate RDS and DynamoDB to Parquet, crawl curated",
            ),
        )

        self.athena = AthenaWorkgroup(
            self,
            "athena",
            context=context,
            results_bucket=data_lake.athena_results,
            props=AthenaWorkgroupProps(
                name=context.name("analytics"),
                bytes_scanned_cutoff=settings.athena_bytes_scanned_cutoff_gib * 1024**3,
                force_destroy=not config.protection.retain_data_on_destroy,
            ),
        )
        self._named_queries()

        self.ingest = IngestFunction(
            self,
            "ingest",
            context=context,
            network=network,
            endpoints=endpoints,
            raw_bucket=data_lake.raw,
            ledger=self.tables["ingestion_ledger"],
            workflow=self.glue_workflow,
            environment_key=keys.secrets,
            logs_key=keys.logs,
            dead_letter_key=keys.data_lake,
            props=IngestFunctionProps(
                name=context.name("ingest"),
                log_retention_days=retention,
                reserved_concurrency=config.compute.ingest_reserved_concurrency,
            ),
        )
        self._outputs()

    def _crawlers(
        self, context: AccountContext, data_lake: DataLake, keys: PlatformKeys, retention: int
    ) -> None:
        def crawler(purpose: str, layer: str, props: GlueCrawlerProps) -> GlueCrawler:
            return GlueCrawler(
                self,
                f"glue-crawler-{purpose}",
                context=context,
                database=self.glue_databases[layer],
                security_configuration=self.glue_security_configuration,
                logs_key=keys.logs,
                props=props,
            )

        def name(purpose: str) -> str:
            return context.name(f"crawl-{purpose}")

        raw_bucket = data_lake.raw.bucket.bucket
        curated_bucket = data_lake.curated.bucket.bucket
        self.glue_crawlers = {
            "raw": crawler(
                "raw",
                "raw",
                GlueCrawlerProps(
                    name=name("raw"),
                    description="Objects landed in the raw bucket",
                    log_retention_days=retention,
                    s3_sources=(S3Source(path=f"s3://{raw_bucket}/{INCOMING_PREFIX}"),),
                    table_prefix="landed_",
                ),
            ),
            "rds": crawler(
                "rds",
                "raw",
                GlueCrawlerProps(
                    name=name("rds"),
                    description="Tables of the application database (JDBC over TLS)",
                    log_retention_days=retention,
                    table_prefix="rds_",
                    jdbc_sources=(
                        JdbcSource(
                            connection=self.glue_connection, path=f"{self.database.database_name}/public/%"
                        ),
                    ),
                ),
            ),
            "dynamodb": crawler(
                "dynamodb",
                "raw",
                GlueCrawlerProps(
                    name=name("dynamodb"),
                    description="The application DynamoDB table",
                    log_retention_days=retention,
                    dynamodb_tables=(self.tables["application"].name,),
                    table_prefix="dynamodb_",
                ),
            ),
            "curated": crawler(
                "curated",
                "curated",
                GlueCrawlerProps(
                    name=name("curated"),
                    description="Curated Parquet datasets",
                    log_retention_days=retention,
                    s3_sources=tuple(
                        S3Source(path=f"s3://{curated_bucket}/{dataset.curated_prefix}")
                        for dataset in DATASETS
                    ),
                ),
            ),
        }
        data_lake.raw.grant_read(self.glue_crawlers["raw"].role.role, prefix=INCOMING_PREFIX)
        self.tables["application"].grant_read(self.glue_crawlers["dynamodb"].role.role)
        for dataset in DATASETS:
            data_lake.curated.grant_read(
                self.glue_crawlers["curated"].role.role, prefix=dataset.curated_prefix
            )

    def _jobs(
        self, context: AccountContext, data_lake: DataLake, keys: PlatformKeys, config: EnvironmentConfig
    ) -> None:
        self.glue_scripts = GlueScriptBundle(
            self,
            "glue-scripts",
            bucket=self.glue_assets,
            props=GlueScriptBundleProps(
                source_dir=GLUE_SCRIPTS_DIR,
                entry_points=tuple(GLUE_ENTRY_POINTS.values()),
                libraries=GLUE_LIBRARIES,
            ),
        )
        curated = data_lake.curated
        raw_database = self.glue_databases["raw"]

        def job(dataset: CuratedDataset, source_arguments: dict[str, str]) -> GlueEtlJob:
            created = GlueEtlJob(
                self,
                f"glue-job-{dataset.source}",
                context=context,
                scripts=self.glue_scripts,
                security_configuration=self.glue_security_configuration,
                temporary_bucket=self.glue_assets,
                logs_key=keys.logs,
                connection=self.glue_connection,
                props=GlueEtlJobProps(
                    name=context.name(f"curate-{dataset.name.replace('_', '-')}"),
                    description=f"{dataset.source} {dataset.source_table} to curated {dataset.name}",
                    entry_point=GLUE_ENTRY_POINTS[dataset.source],
                    log_retention_days=config.log_retention_days,
                    number_of_workers=config.data_services.glue_workers,
                    timeout_minutes=config.data_services.glue_job_timeout_minutes,
                    arguments={
                        **source_arguments,
                        "--curation_config": dataset.curation_config_json(),
                        "--curated_path": f"s3://{curated.bucket.bucket}/{dataset.curated_prefix}",
                        "--quarantine_path": f"s3://{curated.bucket.bucket}/{dataset.quarantine_prefix}",
                    },
                ),
            )
            role = created.role.role
            for prefix in (dataset.curated_prefix, dataset.quarantine_prefix):
                curated.grant_read_write(role, prefix=prefix)
                curated.grant_delete(role, prefix=prefix)  # Spark's commit protocol and snapshot overwrites
            return created

        self.glue_jobs = {
            "rds": job(
                ORDERS,
                {
                    "--source_database": raw_database.name,
                    # The JDBC crawler names tables <prefix><database>_<schema>_<table>.
                    "--source_table": f"rds_{self.database.database_name}_public_{ORDERS.source_table}",
                },
            ),
            "dynamodb": job(
                APPLICATION_ITEMS,
                {
                    "--source_table_name": self.tables[APPLICATION_ITEMS.source_table].name,
                },
            ),
        }
        raw_database.grant_read(self.glue_jobs["rds"].role.role)
        self.tables[APPLICATION_ITEMS.source_table].grant_read(self.glue_jobs["dynamodb"].role.role)

    def _named_queries(self) -> None:
        # Built from the dataset definitions (constants), never from input: S608 does not apply.
        curated = self.glue_databases["curated"]
        self.athena.add_named_query(
            "orders-latest-day",
            database=curated,
            description="Orders updated on the most recent curated day",
            query=f'SELECT * FROM "{ORDERS.name}" WHERE {ORDERS.partition_column} = '  # noqa: S608
            f'(SELECT max({ORDERS.partition_column}) FROM "{ORDERS.name}") LIMIT 1000',
        )
        self.athena.add_named_query(
            "orders-daily-totals",
            database=curated,
            description="Order count and amount per day and currency",
            query=f"SELECT {ORDERS.partition_column}, currency, count(*) AS orders, sum(amount) AS amount "  # noqa: S608
            f'FROM "{ORDERS.name}" GROUP BY 1, 2 ORDER BY 1 DESC, 2',
        )
        self.athena.add_named_query(
            "application-items-by-type",
            database=curated,
            description="Application items per entity type and status",
            query=f'SELECT entity_type, status, count(*) AS items FROM "{APPLICATION_ITEMS.name}" '  # noqa: S608
            "GROUP BY 1, 2 ORDER BY 3 DESC",
        )

    def _outputs(self) -> None:
        def output(name: str, value: object, description: str) -> None:
            stable_output(self, name, value, description)

        database = self.database
        output("database_endpoint", database.address, "RDS PostgreSQL host name")
        output("database_port", database.port, "RDS PostgreSQL port")
        output("database_instance_id", database.instance.identifier, "RDS instance identifier")
        output("database_name", database.database_name, "Initial PostgreSQL database")
        output(
            "data_security_group_ids",
            {
                "database": database.security_group.id,
                "glue_connection": self.glue_connection.security_group.id,
                "ingest_function": self.ingest.function.security_group.id,
                "rotation_function": self.rotation.function.security_group.id,
            },
            "Security group IDs of the data services by purpose",
        )
        output(
            "secret_arns",
            {
                "database_master": database.master_secret_arn,
                **{purpose: secret.arn for purpose, secret in self.secrets.items()},
            },
            "Secrets Manager secret ARNs by purpose (master: managed and rotated by RDS)",
        )
        output(
            "table_names",
            {purpose: t.name for purpose, t in self.tables.items()},
            "DynamoDB table names by purpose",
        )
        output(
            "glue_database_names",
            {layer: d.name for layer, d in self.glue_databases.items()},
            "Glue catalog database names by layer",
        )
        output("glue_connection_name", self.glue_connection.name, "Glue JDBC connection to PostgreSQL")
        output(
            "glue_crawler_names",
            {purpose: c.name for purpose, c in self.glue_crawlers.items()},
            "Glue crawler names by source",
        )
        output(
            "glue_job_names",
            {source: j.name for source, j in self.glue_jobs.items()},
            "Glue ETL job names by source",
        )
        output("glue_workflow_name", self.glue_workflow.name, "Glue workflow started by the ingest function")
        output(
            "glue_assets_bucket_name", self.glue_assets.bucket.bucket, "Bucket of Glue scripts and temp files"
        )
        output("athena_workgroup_name", self.athena.name, "Athena workgroup (enforced configuration)")
        output(
            "athena_named_query_ids",
            {name: q.id for name, q in self.athena.named_queries.items()},
            "Athena named query IDs by name",
        )
        output("ingest_function_name", self.ingest.function.function.function_name, "Ingest Lambda function")
        output(
            "ingest_dead_letter_queue_url",
            self.ingest.function.dead_letter_queue.url if self.ingest.function.dead_letter_queue else None,
            "Dead-letter queue of the ingest function",
        )
        output(
            "rotation_function_name",
            self.rotation.function.function.function_name,
            "Secret rotation Lambda function",
        )
