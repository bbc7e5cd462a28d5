"""The ingest function (functions/ingest): an object created under incoming/ in the raw bucket (S3 ->
EventBridge rule) invokes it; it claims the object version in the ledger table, validates it, then starts
the Glue workflow or moves the object to quarantine.

Its role gets exactly what the handler does: conditional writes to the ledger; reading object versions
under incoming/; writing under the quarantine prefix; deleting the rejected version; starting the workflow.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from cdktf import Fn
from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
from cdktf_cdktf_provider_aws.cloudwatch_event_target import (
    CloudwatchEventTarget,
    CloudwatchEventTargetRetryPolicy,
)
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.analytics.glue_workflow import GlueWorkflow
from modules.core.context import AccountContext
from modules.core.validation import raise_if_problems
from modules.database.dynamodb_table import SecureTable
from modules.keys.encryption_key import EncryptionKey
from modules.network.endpoints import VpcEndpoints
from modules.network.vpc import PlatformVpc
from modules.serverless.private_function import PrivateFunction, PrivateFunctionProps
from modules.storage.secure_bucket import SecureBucket

INGEST_SOURCE_DIR = Path(__file__).resolve().parents[2] / "functions" / "ingest"
"""The ingest function's code (owned by its own engineer; see its module docstring)."""
INCOMING_PREFIX = "incoming/"
"""Where producers write (fixed by the handler's key layout)."""
MAX_S3_OBJECT_BYTES = 5 * 1024**4
SUFFIX_PATTERN = re.compile(r"^\.[a-z0-9][a-z0-9._-]*$")
MEDIA_TYPE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


@dataclass(frozen=True, kw_only=True)
class IngestFunctionProps:
    """Settings of an IngestFunction."""

    name: str
    """Required. Function name, e.g. "csg-dev-ingest"."""
    log_retention_days: int
    """Required. Retention of its log group."""
    reserved_concurrency: int
    """Required. The environment's compute.ingest_reserved_concurrency."""
    quarantine_prefix: str = "quarantine/"
    """Default "quarantine/". Where rejected objects are moved; must not overlap incoming/."""
    max_object_bytes: int = 1024**3
    """Default 1 GiB. Larger objects are rejected."""
    allowed_suffixes: tuple[str, ...] = (".csv", ".json", ".jsonl", ".parquet")
    """Default .csv, .json, .jsonl, .parquet."""
    allowed_content_types: tuple[str, ...] = (
        "text/csv",
        "application/json",
        "application/x-ndjson",
        "application/vnd.apache.parquet",
        "application/octet-stream",
    )
    """Default: the media types of the allowed suffixes (Parquet is often uploaded as octet-stream)."""
    log_level: str = "INFO"
    """Default "INFO"."""
    source_dir: Path = INGEST_SOURCE_DIR
    """Default functions/ingest."""
    event_max_age_seconds: int = 3600
    """Default 3600. EventBridge retries delivery for at most this long."""


class IngestFunction(Construct):
    """`self.function` (PrivateFunction), `self.rule` (the EventBridge rule) and `self.target`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        network: PlatformVpc,
        endpoints: VpcEndpoints,
        raw_bucket: SecureBucket,
        ledger: SecureTable,
        workflow: GlueWorkflow,
        environment_key: EncryptionKey,
        logs_key: EncryptionKey,
        dead_letter_key: EncryptionKey,
        props: IngestFunctionProps,
    ) -> None:
        super().__init__(scope, construct_id)
        self._check(props)
        self.function = PrivateFunction(
            self,
            "function",
            context=context,
            network=network,
            endpoints=endpoints,
            environment_key=environment_key,
            logs_key=logs_key,
            dead_letter_key=dead_letter_key,
            props=PrivateFunctionProps(
                name=props.name,
                description="Validates objects landing in raw; starts the Glue workflow or quarantines them",
                source_dir=props.source_dir,
                handler="ingest_handler.handle",
                log_retention_days=props.log_retention_days,
                timeout_seconds=120,
                reserved_concurrency=props.reserved_concurrency,
                environment={
                    "LEDGER_TABLE": ledger.name,
                    "GLUE_WORKFLOW_NAME": workflow.name,
                    "QUARANTINE_PREFIX": props.quarantine_prefix,
                    "MAX_OBJECT_BYTES": str(props.max_object_bytes),
                    "ALLOWED_SUFFIXES": ",".join(props.allowed_suffixes),
                    "ALLOWED_CONTENT_TYPES": ",".join(props.allowed_content_types),
                    "LOG_LEVEL": props.log_level,
                },
            ),
        )
        role = self.function.role.role
        ledger.grant_write(role)
        raw_bucket.grant_read(role, prefix=INCOMING_PREFIX)
        raw_bucket.grant_write(role, prefix=props.quarantine_prefix)
        attach_grant(
            self,
            role,
            # A rejected object's exact version is deleted permanently (SecureBucket.grant_delete covers only
            # delete markers, s3:DeleteObject).
            (
                Statement(
                    sid="DeleteRejectedVersions",
                    actions=("s3:DeleteObjectVersion",),
                    resources=(f"{raw_bucket.bucket.arn}/{INCOMING_PREFIX}*",),
                ),
            ),
        )
        workflow.grant_start(role)

        self.rule = CloudwatchEventRule(
            self,
            "object-created",
            name=f"{props.name}-object-created",
            description="Objects created under incoming/ in the raw bucket",
            event_pattern=Fn.jsonencode(
                {
                    "source": ["aws.s3"],
                    "detail-type": ["Object Created"],
                    "detail": {
                        "bucket": {"name": [raw_bucket.bucket.bucket]},
                        "object": {"key": [{"prefix": INCOMING_PREFIX}]},
                    },
                }
            ),
        )
        permission = self.function.allow_invocation("object-created", "events.amazonaws.com", self.rule.arn)
        self.target = CloudwatchEventTarget(
            self,
            "invoke-function",
            rule=self.rule.name,
            arn=self.function.function.arn,
            retry_policy=CloudwatchEventTargetRetryPolicy(
                maximum_event_age_in_seconds=props.event_max_age_seconds, maximum_retry_attempts=185
            ),
            depends_on=[permission],
        )

    def _check(self, props: IngestFunctionProps) -> None:
        problems = []
        prefix = props.quarantine_prefix
        if not prefix.endswith("/") or prefix.startswith("/"):
            problems.append(f"quarantine_prefix: {prefix!r} must end with '/' and not start with '/'")
        if prefix.startswith(INCOMING_PREFIX) or INCOMING_PREFIX.startswith(prefix):
            problems.append(f"quarantine_prefix: {prefix!r} must not overlap {INCOMING_PREFIX!r}")
        if not 1 <= props.max_object_bytes <= MAX_S3_OBJECT_BYTES:
            problems.append(
                f"max_object_bytes: {props.max_object_bytes} must be between 1 and {MAX_S3_OBJECT_BYTES}"
            )
        if not props.allowed_suffixes:
            problems.append("allowed_suffixes: at least one")
        problems += [
            f"allowed_suffixes: {suffix!r} must be '.' and lower-case letters, digits, . _ -"
            for suffix in props.allowed_suffixes
            if not SUFFIX_PATTERN.fullmatch(suffix)
        ]
        if not props.allowed_content_types:
            problems.append("allowed_content_types: at least one")
        problems += [
            f"allowed_content_types: {media!r} is not a lower-case media type without parameters"
            for media in props.allowed_content_types
            if not MEDIA_TYPE_PATTERN.fullmatch(media)
        ]
        if props.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            problems.append(f"log_level: {props.log_level!r} must be DEBUG, INFO, WARNING or ERROR")
        if not 60 <= props.event_max_age_seconds <= 86400:
            problems.append(
                f"event_max_age_seconds: {props.event_max_age_seconds} must be between 60 and 86400"
            )
        raise_if_problems(self, problems)
