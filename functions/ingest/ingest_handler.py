"""Ingest Lambda: validate each object landing in the raw bucket; start the Glue workflow or quarantine it.

Runtime Python 3.12; handler `ingest_handler.handle` with this directory as the package root (this one
file); dependencies: boto3 only, as shipped by the Lambda runtime. The module name is unique across the
project's functions because tests import each function top-level, the way the Lambda runtime does.

Trigger: an EventBridge rule on the raw bucket's S3 events, source "aws.s3", detail-type "Object Created"
(the rule should also match `detail.object.key` prefix "incoming/"; other keys are handled, just wastefully).
The raw bucket must be versioned: every step works on the exact version named by the event.

Object key layout (the contract with producers):

    incoming/<source>/<yyyy>/<mm>/<dd>/<file>

    source      the producing system: 1-63 characters of [a-z0-9_-], starting with [a-z0-9]
    yyyy/mm/dd  the producer's business date; must be a real calendar date
    file        1-255 characters of [A-Za-z0-9._-], starting with [A-Za-z0-9]; no further "/"

Per event:

1. Claim the object version in the ingestion ledger (DynamoDB conditional put, status "processing").
   If the version is already there, the event is a duplicate delivery and nothing else happens.
2. Read the version's content type (head_object) and validate: key layout (above); file name ends
   (case-insensitively) with one of ALLOWED_SUFFIXES; media type (parameters such as charset ignored) is
   one of ALLOWED_CONTENT_TYPES; size is at most MAX_OBJECT_BYTES. Every failed check is a reason.
3. Accepted: start a run of the Glue workflow GLUE_WORKFLOW_NAME (run properties bucket, key, version_id),
   then set the ledger row to "accepted" with the run id.
   Rejected: copy the version to <QUARANTINE_PREFIX><original key> in the same bucket (reasons and source
   version in user metadata; keys too long for that go to <QUARANTINE_PREFIX>overlong-keys/<sha256 of key>),
   permanently delete the original version, then set the ledger row to "rejected" with the reasons.

Keys under QUARANTINE_PREFIX are ignored: the quarantine copies raise Object Created events of their own.

Ledger table: partition key `object_uri` (S, "s3://<bucket>/<key>"), sort key `version_id` (S). Other
attributes: status (processing | accepted | rejected), bucket, key, size_bytes, etag, event_id, claim_id,
claimed_at, decided_at, content_type, and either workflow_name + workflow_run_id or reason + quarantine_key.

Failures: if anything fails before a side effect, or AWS refuses the copy, delete or workflow start (a
service error, so the call did nothing), the claim is removed and the error re-raised: the retried event
starts over. Any other failure after that point (a timeout whose outcome is unknown, or the final ledger
update) leaves the row in "processing" and re-raises: redoing could start the workflow twice, so an
operator decides. Alert on the function's errors and on rows that stay in "processing".

Environment (checked on the first invocation of each execution environment; one error lists every problem):

    LEDGER_TABLE           DynamoDB table name of the ingestion ledger
    GLUE_WORKFLOW_NAME     Glue workflow started for each accepted object
    QUARANTINE_PREFIX      key prefix for rejected objects, ending in "/", e.g. "quarantine/"
    MAX_OBJECT_BYTES       largest accepted object, in bytes (a whole number, at least 1)
    ALLOWED_SUFFIXES       comma-separated file name suffixes, e.g. ".csv,.json,.parquet"
    ALLOWED_CONTENT_TYPES  comma-separated media types, e.g. "text/csv,application/json"
    LOG_LEVEL              optional, default INFO: DEBUG, INFO, WARNING or ERROR

Logs are JSON lines on stdout; they carry object coordinates, outcomes and reasons, never credentials.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_s3.client import S3Client

INCOMING_PREFIX: Final = "incoming/"
KEY_LAYOUT: Final = re.compile(
    r"incoming/(?P<source>[a-z0-9][a-z0-9_-]{0,62})/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})"
    r"/(?P<file>[A-Za-z0-9][A-Za-z0-9._-]{0,254})"
)
KEY_LAYOUT_DESCRIPTION: Final = "incoming/<source>/<yyyy>/<mm>/<dd>/<file>"
MAX_S3_KEY_BYTES: Final = 1024
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR")
SUFFIX_PATTERN: Final = re.compile(r"\.[a-z0-9][a-z0-9._-]*")
MEDIA_TYPE_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
TABLE_NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9_.-]{3,255}")

_LOGGER: Final = logging.getLogger("cloudsafeguard.ingest")


# Configuration ----------------------------------------------------------------------------------------


class ConfigError(Exception):
    """The function's environment is invalid; `problems` holds one line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"ingest configuration: {len(self.problems)} problem(s):\n{listed}")


@dataclass(frozen=True, kw_only=True)
class IngestConfig:
    """The function's settings, read from its environment by `load_config`."""

    ledger_table: str
    """No default (LEDGER_TABLE)."""
    glue_workflow_name: str
    """No default (GLUE_WORKFLOW_NAME)."""
    quarantine_prefix: str
    """No default (QUARANTINE_PREFIX); ends with "/"."""
    max_object_bytes: int
    """No default (MAX_OBJECT_BYTES)."""
    allowed_suffixes: tuple[str, ...]
    """No default (ALLOWED_SUFFIXES); lower case, each starting with "."."""
    allowed_content_types: tuple[str, ...]
    """No default (ALLOWED_CONTENT_TYPES); lower-case media types without parameters."""
    log_level: str = "INFO"
    """Default INFO (LOG_LEVEL)."""


def load_config(environ: Mapping[str, str]) -> IngestConfig:
    """Read and check the settings; raise ConfigError listing every problem."""
    problems: list[str] = []

    def required(name: str) -> str:
        value = environ.get(name, "").strip()
        if not value:
            problems.append(f"{name} is not set")
        return value

    ledger_table = required("LEDGER_TABLE")
    if ledger_table and not TABLE_NAME_PATTERN.fullmatch(ledger_table):
        problems.append(
            f"LEDGER_TABLE must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got {ledger_table!r}"
        )

    glue_workflow_name = required("GLUE_WORKFLOW_NAME")
    if len(glue_workflow_name) > 255:
        problems.append("GLUE_WORKFLOW_NAME must be at most 255 characters long")

    quarantine_prefix = required("QUARANTINE_PREFIX")
    if quarantine_prefix:
        if not quarantine_prefix.endswith("/") or quarantine_prefix.startswith("/"):
            problems.append(
                f"QUARANTINE_PREFIX must end with '/' and not start with '/', got {quarantine_prefix!r}"
            )
        if quarantine_prefix.startswith(INCOMING_PREFIX) or INCOMING_PREFIX.startswith(quarantine_prefix):
            problems.append(
                f"QUARANTINE_PREFIX must not overlap {INCOMING_PREFIX!r}, got {quarantine_prefix!r}"
            )

    max_object_bytes = 0
    max_object_bytes_text = required("MAX_OBJECT_BYTES")
    if max_object_bytes_text:
        if re.fullmatch(r"[0-9]+", max_object_bytes_text) and int(max_object_bytes_text) >= 1:
            max_object_bytes = int(max_object_bytes_text)
        else:
            problems.append(
                f"MAX_OBJECT_BYTES must be a whole number of at least 1, got {max_object_bytes_text!r}"
            )

    allowed_suffixes = _comma_separated(required("ALLOWED_SUFFIXES"))
    problems += [
        f"ALLOWED_SUFFIXES entry {suffix!r} must be '.' followed by letters, digits, '.', '_' or '-'"
        for suffix in allowed_suffixes
        if not SUFFIX_PATTERN.fullmatch(suffix)
    ]

    allowed_content_types = _comma_separated(required("ALLOWED_CONTENT_TYPES"))
    problems += [
        f"ALLOWED_CONTENT_TYPES entry {media_type!r} must be a media type such as 'text/csv' (no parameters)"
        for media_type in allowed_content_types
        if not MEDIA_TYPE_PATTERN.fullmatch(media_type)
    ]

    log_level = environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if log_level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")

    if problems:
        raise ConfigError(problems)
    return IngestConfig(
        ledger_table=ledger_table,
        glue_workflow_name=glue_workflow_name,
        quarantine_prefix=quarantine_prefix,
        max_object_bytes=max_object_bytes,
        allowed_suffixes=allowed_suffixes,
        allowed_content_types=allowed_content_types,
        log_level=log_level,
    )


def _comma_separated(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(entry.strip().lower() for entry in text.split(",") if entry.strip()))


# The event ------------------------------------------------------------------------------------------


class InvalidEventError(ValueError):
    """The event is not an S3 Object Created event from EventBridge; `problems` lists what is wrong."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("not an S3 Object Created event: " + "; ".join(self.problems))


@dataclass(frozen=True, kw_only=True)
class ObjectCreated:
    """The object version an S3 Object Created event reports."""

    event_id: str
    bucket: str
    key: str
    version_id: str
    size_bytes: int
    etag: str

    @property
    def object_uri(self) -> str:
        """s3://<bucket>/<key>: the ledger's partition key."""
        return f"s3://{self.bucket}/{self.key}"


def parse_event(event: Mapping[str, Any]) -> ObjectCreated:
    """Extract the object version from an EventBridge S3 Object Created event; raise InvalidEventError."""
    problems: list[str] = []
    if event.get("source") != "aws.s3":
        problems.append(f"source must be 'aws.s3', got {_describe(event.get('source'))}")
    if event.get("detail-type") != "Object Created":
        problems.append(f"detail-type must be 'Object Created', got {_describe(event.get('detail-type'))}")

    def text(*path: str) -> str:
        value = _lookup(event, path)
        if not isinstance(value, str) or not value:
            problems.append(f"{'.'.join(path)} must be a non-empty string, got {_describe(value)}")
            return ""
        return value

    event_id = text("id")
    bucket = text("detail", "bucket", "name")
    key = text("detail", "object", "key")
    version_id = text("detail", "object", "version-id")
    etag = text("detail", "object", "etag")
    size = _lookup(event, ("detail", "object", "size"))
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        problems.append(f"detail.object.size must be a whole number of bytes, got {_describe(size)}")
        size = 0
    if problems:
        raise InvalidEventError(problems)
    return ObjectCreated(
        event_id=event_id, bucket=bucket, key=key, version_id=version_id, size_bytes=size, etag=etag
    )


def _lookup(event: Mapping[str, Any], path: Sequence[str]) -> object:
    value: object = event
    for name in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


# Validation (pure) ----------------------------------------------------------------------------------


def key_layout_problems(key: str) -> tuple[str, ...]:
    """Why `key` does not follow incoming/<source>/<yyyy>/<mm>/<dd>/<file> (empty when it does)."""
    match = KEY_LAYOUT.fullmatch(key)
    if match is None:
        return (f"key {_describe(key)} does not follow the layout {KEY_LAYOUT_DESCRIPTION}",)
    try:
        date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return (f"key date {match['year']}/{match['month']}/{match['day']} is not a calendar date",)
    return ()


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type value, lower case, without parameters ('' when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def rejection_reasons(
    *, key: str, size_bytes: int, content_type: str | None, config: IngestConfig
) -> tuple[str, ...]:
    """Every reason to reject the object (empty when it is accepted)."""
    reasons = list(key_layout_problems(key))
    file_name = key.rsplit("/", 1)[-1]
    if not file_name.lower().endswith(config.allowed_suffixes):
        reasons.append(
            f"file name {_describe(file_name)} does not end with an allowed suffix"
            f" ({', '.join(config.allowed_suffixes)})"
        )
    if media_type(content_type) not in config.allowed_content_types:
        reasons.append(
            f"content type {_describe(content_type)} is not allowed"
            f" ({', '.join(config.allowed_content_types)})"
        )
    if size_bytes > config.max_object_bytes:
        reasons.append(f"size {size_bytes} bytes exceeds the limit of {config.max_object_bytes} bytes")
    return tuple(reasons)


def quarantine_key(key: str, prefix: str) -> str:
    """Where a rejected object goes: prefix + key, or a hash of the key when that would be too long for S3."""
    candidate = prefix + key
    if len(candidate.encode()) <= MAX_S3_KEY_BYTES:
        return candidate
    return f"{prefix}overlong-keys/{hashlib.sha256(key.encode()).hexdigest()}"


def _describe(value: object, limit: int = 80) -> str:
    """A bounded, ASCII-only rendering of an untrusted value, safe for logs and S3 metadata."""
    rendered = ascii(value)
    return rendered if len(rendered) <= limit else rendered[: limit - 3] + "..."


# Side effects ---------------------------------------------------------------------------------------


class GlueWorkflowClient(Protocol):
    """The part of boto3's Glue client this function uses."""

    def start_workflow_run(self, *, Name: str, RunProperties: Mapping[str, str]) -> Mapping[str, Any]: ...


@dataclass(frozen=True, kw_only=True)
class IngestOutcome:
    """What happened to one event."""

    outcome: Literal["accepted", "rejected", "duplicate", "ignored"]
    object_uri: str
    version_id: str
    reasons: tuple[str, ...] = ()
    """Default empty; the rejection reasons when rejected."""
    workflow_run_id: str | None = None
    """Default None; the Glue workflow run started when accepted."""
    quarantine_key: str | None = None
    """Default None; where the object was copied when rejected."""
    ledger_status: str | None = None
    """Default None; for a duplicate, the status already in the ledger."""


class IngestionLedger:
    """The DynamoDB ledger: one row per object version, claimed once, then decided."""

    def __init__(self, *, dynamodb: DynamoDBClient, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def claim(self, created: ObjectCreated, *, claim_id: str) -> str | None:
        """Insert the row in status "processing"; None if claimed, else the status of the existing row."""
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item={
                    **self._key(created),
                    "status": {"S": "processing"},
                    "bucket": {"S": created.bucket},
                    "key": {"S": created.key},
                    "size_bytes": {"N": str(created.size_bytes)},
                    "etag": {"S": created.etag},
                    "event_id": {"S": created.event_id},
                    "claim_id": {"S": claim_id},
                    "claimed_at": {"S": _now()},
                },
                ConditionExpression="attribute_not_exists(object_uri)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            # ReturnValuesOnConditionCheckFailure puts the row that is already there in the error.
            existing = error.response.get("Item")
            status = existing.get("status", {}).get("S") if isinstance(existing, Mapping) else None
            return str(status or "unknown")
        return None

    def release(self, created: ObjectCreated, *, claim_id: str) -> None:
        """Delete the row this invocation claimed, so a retry of the event starts over."""
        self._dynamodb.delete_item(
            TableName=self._table,
            Key=self._key(created),
            ConditionExpression="#status = :processing AND claim_id = :claim_id",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":processing": {"S": "processing"}, ":claim_id": {"S": claim_id}},
        )

    def decide(
        self,
        created: ObjectCreated,
        *,
        claim_id: str,
        status: Literal["accepted", "rejected"],
        attributes: Mapping[str, str],
    ) -> None:
        """Move the claimed row to its final status, adding `attributes` (all strings)."""
        values = {f":{name}": {"S": value} for name, value in attributes.items()}
        assignments = ", ".join(f"#{name} = :{name}" for name in attributes)
        self._dynamodb.update_item(
            TableName=self._table,
            Key=self._key(created),
            UpdateExpression=f"SET #status = :status, #decided_at = :decided_at, {assignments}",
            ConditionExpression="#status = :processing AND claim_id = :claim_id",
            ExpressionAttributeNames={
                "#status": "status",
                "#decided_at": "decided_at",
                **{f"#{name}": name for name in attributes},
            },
            ExpressionAttributeValues={
                ":status": {"S": status},
                ":decided_at": {"S": _now()},
                ":processing": {"S": "processing"},
                ":claim_id": {"S": claim_id},
                **values,
            },
        )

    @staticmethod
    def _key(created: ObjectCreated) -> dict[str, Any]:
        return {"object_uri": {"S": created.object_uri}, "version_id": {"S": created.version_id}}


class Ingestor:
    """Ingests one object version: claim, validate, then start the workflow or quarantine (module doc)."""

    def __init__(
        self, *, config: IngestConfig, s3: S3Client, dynamodb: DynamoDBClient, glue: GlueWorkflowClient
    ) -> None:
        self._config = config
        self._s3 = s3
        self._glue = glue
        self._ledger = IngestionLedger(dynamodb=dynamodb, table=config.ledger_table)

    def ingest(self, created: ObjectCreated, *, claim_id: str) -> IngestOutcome:
        """Process one Object Created event; see the module doc for the steps and failure handling."""
        if created.key.startswith(self._config.quarantine_prefix):
            return IngestOutcome(
                outcome="ignored", object_uri=created.object_uri, version_id=created.version_id
            )
        existing_status = self._ledger.claim(created, claim_id=claim_id)
        if existing_status is not None:
            return IngestOutcome(
                outcome="duplicate",
                object_uri=created.object_uri,
                version_id=created.version_id,
                ledger_status=existing_status,
            )
        try:
            head = self._s3.head_object(Bucket=created.bucket, Key=created.key, VersionId=created.version_id)
            content_type = head.get("ContentType")
            reasons = rejection_reasons(
                key=created.key, size_bytes=created.size_bytes, content_type=content_type, config=self._config
            )
        except Exception:
            self._ledger.release(created, claim_id=claim_id)
            raise
        if reasons:
            return self._reject(created, claim_id=claim_id, content_type=content_type, reasons=reasons)
        return self._accept(created, claim_id=claim_id, content_type=content_type)

    def _accept(self, created: ObjectCreated, *, claim_id: str, content_type: str | None) -> IngestOutcome:
        try:
            run = self._glue.start_workflow_run(
                Name=self._config.glue_workflow_name,
                RunProperties={
                    "bucket": created.bucket,
                    "key": created.key,
                    "version_id": created.version_id,
                },
            )
        except ClientError:
            self._ledger.release(created, claim_id=claim_id)
            raise
        run_id = str(run["RunId"])
        self._ledger.decide(
            created,
            claim_id=claim_id,
            status="accepted",
            attributes={
                "content_type": content_type or "",
                "workflow_name": self._config.glue_workflow_name,
                "workflow_run_id": run_id,
            },
        )
        return IngestOutcome(
            outcome="accepted",
            object_uri=created.object_uri,
            version_id=created.version_id,
            workflow_run_id=run_id,
        )

    def _reject(
        self, created: ObjectCreated, *, claim_id: str, content_type: str | None, reasons: tuple[str, ...]
    ) -> IngestOutcome:
        destination = quarantine_key(created.key, self._config.quarantine_prefix)
        reason = "; ".join(reasons)
        try:
            # The managed copy switches to a multipart copy for large objects: CopyObject stops at 5 GB,
            # and "too large" is one of the reasons an object lands here.
            self._s3.copy(
                CopySource={"Bucket": created.bucket, "Key": created.key, "VersionId": created.version_id},
                Bucket=created.bucket,
                Key=destination,
                ExtraArgs={
                    "ContentType": content_type or "binary/octet-stream",
                    "Metadata": {
                        "ingest-rejection-reason": reason,
                        "ingest-source-version-id": created.version_id,
                        "ingest-event-id": created.event_id,
                    },
                    "MetadataDirective": "REPLACE",
                    # No tags on the copy: copying them would need tagging permissions for nothing.
                    "TaggingDirective": "REPLACE",
                },
            )
            self._s3.delete_object(Bucket=created.bucket, Key=created.key, VersionId=created.version_id)
        except ClientError:
            self._ledger.release(created, claim_id=claim_id)
            raise
        self._ledger.decide(
            created,
            claim_id=claim_id,
            status="rejected",
            attributes={"content_type": content_type or "", "reason": reason, "quarantine_key": destination},
        )
        return IngestOutcome(
            outcome="rejected",
            object_uri=created.object_uri,
            version_id=created.version_id,
            reasons=reasons,
            quarantine_key=destination,
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# Logging and the Lambda entry point -----------------------------------------------------------------


class JsonLogFormatter(logging.Formatter):
    """One JSON object per record: time, level, message, the record's `fields` and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    """Send this function's log records, as JSON lines, to stdout (CloudWatch Logs in Lambda)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonLogFormatter())
    _LOGGER.handlers[:] = [handler]
    _LOGGER.setLevel(level)
    # Not through the root logger: the Lambda runtime's handler there would wrap our JSON in its own format.
    _LOGGER.propagate = False


@functools.cache
def _ingestor_from_environment() -> Ingestor:
    """Built on the first invocation of an execution environment and reused; not cached when it fails."""
    configure_logging("INFO")
    try:
        config = load_config(os.environ)
    except ConfigError as error:
        _LOGGER.error("invalid configuration", extra={"fields": {"problems": list(error.problems)}})
        raise
    _LOGGER.setLevel(config.log_level)
    client_config = Config(retries={"mode": "standard"})
    return Ingestor(
        config=config,
        s3=boto3.client("s3", config=client_config),
        dynamodb=boto3.client("dynamodb", config=client_config),
        glue=boto3.client("glue", config=client_config),
    )


def handle(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point: ingest the object an EventBridge S3 Object Created event reports."""
    ingestor = _ingestor_from_environment()
    request_id = getattr(context, "aws_request_id", None) or str(uuid.uuid4())
    try:
        created = parse_event(event)
    except InvalidEventError as error:
        problems = {"request_id": request_id, "problems": list(error.problems)}
        _LOGGER.error("invalid event", extra={"fields": problems})
        raise
    coordinates = {
        "request_id": request_id,
        "event_id": created.event_id,
        "object_uri": created.object_uri,
        "version_id": created.version_id,
    }
    try:
        outcome = ingestor.ingest(created, claim_id=request_id)
    except Exception:
        _LOGGER.exception("ingest failed", extra={"fields": coordinates})
        raise
    result = asdict(outcome)
    # A duplicate of a version still "processing" is either in flight elsewhere or stuck after an
    # ambiguous failure; the warning makes the stuck case visible.
    stuck = outcome.outcome == "duplicate" and outcome.ledger_status == "processing"
    level = logging.WARNING if stuck else logging.INFO
    _LOGGER.log(level, f"object {outcome.outcome}", extra={"fields": {**coordinates, **result}})
    return result
