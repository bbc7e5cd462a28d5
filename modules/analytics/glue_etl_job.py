"""A Glue 5.0 Spark (Python) ETL job with its own role, the security configuration, bookmarks, logs and
metrics on, and a temporary folder of its own.

Glue 5.0 logs every job in real time; `--custom-logGroup-prefix` sends them to <prefix>/error (system and
Spark logs) and <prefix>/output (stdout/stderr), which are created up front with our key and retention.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.glue_job import GlueJob, GlueJobCommand, GlueJobExecutionProperty
from constructs import Construct

from modules.access.policy import Condition, Statement, attach_grant
from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.analytics.glue_jdbc_connection import GlueJdbcConnection
from modules.analytics.glue_script_bundle import GlueScriptBundle
from modules.analytics.glue_security_configuration import GlueSecurityConfiguration
from modules.core.context import AccountContext
from modules.core.defaults import report_weakened_default
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey
from modules.observability.log_group import EncryptedLogGroup, EncryptedLogGroupProps
from modules.storage.secure_bucket import SecureBucket

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Arguments this construct owns; a caller may not override them.
RESERVED_ARGUMENTS = ("--job-language", "--job-bookmark-option", "--TempDir", "--extra-py-files",
                      "--enable-continuous-cloudwatch-log", "--custom-logGroup-prefix", "--enable-metrics",
                      "--enable-observability-metrics")  # fmt: skip
LOG_STREAMS = ("error", "output")


@dataclass(frozen=True, kw_only=True)
class GlueEtlJobProps:
    """Settings of a GlueEtlJob."""

    name: str
    """Required. Job name; its role and log groups are named after it."""
    description: str
    """Required. What it transforms."""
    entry_point: str
    """Required. File name of its script in the bundle, e.g. "rds_to_curated.py"."""
    log_retention_days: int
    """Required. Retention of its log groups."""
    arguments: Mapping[str, str] = field(default_factory=dict)
    """Default none. The script's own arguments ("--name": value); never secrets (anyone who can read the
    job can read them)."""
    glue_version: str = "5.0"
    """Default "5.0"."""
    worker_type: str = "G.1X"
    """Default "G.1X" (4 vCPU, 16 GB)."""
    number_of_workers: int = 2
    """Default 2 (the minimum)."""
    timeout_minutes: int = 60
    """Default 60: a stuck run is stopped instead of billing for the 48-hour default."""
    max_retries: int = 0
    """Default 0: a failed run stops the workflow rather than re-running a partial append."""
    bookmarks: bool = True
    """Default true. Job bookmarks (incremental reads). Reported when off."""


class GlueEtlJob(Construct):
    """`self.job`, `self.role` (ServiceRole), `self.log_groups` (by stream: error, output)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        scripts: GlueScriptBundle,
        security_configuration: GlueSecurityConfiguration,
        temporary_bucket: SecureBucket,
        logs_key: EncryptionKey,
        connection: GlueJdbcConnection | None,
        props: GlueEtlJobProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not NAME_PATTERN.fullmatch(props.name):
            problems.append(f"name: {props.name!r} must be 1-64 of A-Z a-z 0-9 _ -")
        if props.entry_point not in scripts.entry_points:
            problems.append(f"entry_point: {props.entry_point!r} is not an entry point of the script bundle")
        problems += [
            f"arguments: {name} is set by the construct"
            for name in props.arguments
            if name in RESERVED_ARGUMENTS
        ]
        problems += [
            f"arguments: {name!r} must start with --" for name in props.arguments if not name.startswith("--")
        ]
        if not props.glue_version.startswith("5."):
            problems.append(f"glue_version: {props.glue_version!r}; the scripts target Glue 5")
        if props.number_of_workers < 2:
            problems.append("number_of_workers: Glue Spark jobs need at least 2")
        if not 1 <= props.timeout_minutes <= 2880:
            problems.append(f"timeout_minutes: {props.timeout_minutes} must be between 1 and 2880")
        raise_if_problems(self, problems)
        if not props.bookmarks:
            report_weakened_default(self, "bookmarks", True, False)

        role_name = f"{props.name}-job"[:64]
        self.role = ServiceRole(
            self,
            "role",
            context=context,
            props=ServiceRoleProps(
                name=role_name,
                service="glue.amazonaws.com",
                description=f"Glue job {props.name}: {props.description}",
            ),
        )
        role = self.role.role
        log_group_prefix = f"/aws-glue/jobs/{props.name}"
        self.log_groups = {
            stream: EncryptedLogGroup(
                self,
                f"logs-{stream}",
                key=logs_key,
                props=EncryptedLogGroupProps(
                    name=f"{log_group_prefix}/{stream}", retention_days=props.log_retention_days
                ),
            )
            for stream in LOG_STREAMS
        }
        for log_group in self.log_groups.values():
            log_group.grant_write(role)
        security_configuration.grant_use(role, log_group_prefix=log_group_prefix)
        scripts.grant_read(role)
        temporary_prefix = f"glue-temporary/{props.name}/"
        temporary_bucket.grant_read_write(role, prefix=temporary_prefix)
        temporary_bucket.grant_delete(role, prefix=temporary_prefix)
        attach_grant(
            self,
            role,
            (
                Statement(
                    sid="PublishGlueMetrics",
                    actions=("cloudwatch:PutMetricData",),
                    resources=("*",),
                    conditions=(
                        Condition(test="StringEquals", variable="cloudwatch:namespace", values=("Glue",)),
                    ),
                ),
            ),
        )
        if connection is not None:
            connection.grant_use(role)

        arguments = {
            "--job-language": "python",
            "--job-bookmark-option": "job-bookmark-enable" if props.bookmarks else "job-bookmark-disable",
            "--TempDir": f"s3://{temporary_bucket.bucket.bucket}/{temporary_prefix}",
            "--enable-continuous-cloudwatch-log": "true",
            "--custom-logGroup-prefix": log_group_prefix,
            "--enable-metrics": "true",
            "--enable-observability-metrics": "true",
            **dict(props.arguments),
        }
        if scripts.libraries:
            arguments["--extra-py-files"] = scripts.extra_py_files
        self.job = GlueJob(
            self,
            "job",
            name=props.name,
            description=props.description,
            role_arn=role.arn,
            glue_version=props.glue_version,
            worker_type=props.worker_type,
            number_of_workers=props.number_of_workers,
            timeout=props.timeout_minutes,
            max_retries=props.max_retries,
            security_configuration=security_configuration.name,
            connections=[connection.name] if connection is not None else None,
            command=GlueJobCommand(
                name="glueetl", python_version="3", script_location=scripts.script_location(props.entry_point)
            ),
            default_arguments=arguments,
            # One run at a time: bookmarks and the snapshot overwrite assume runs never overlap.
            execution_property=GlueJobExecutionProperty(max_concurrent_runs=1),
            depends_on=[group.log_group for group in self.log_groups.values()],
        )

    @property
    def name(self) -> str:
        return self.job.name
