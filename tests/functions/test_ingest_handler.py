"""The ingest function end to end against the local AWS emulator (moto server over HTTP).

Each test creates its own versioned raw bucket, ledger table and Glue workflow (names unique to the test,
so the shared emulator needs no reset), uploads real objects, hands the function the EventBridge event S3
would send, and checks S3, DynamoDB and Glue afterwards through their APIs.
"""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import boto3
import ingest_handler
import pytest
from botocore.exceptions import ClientError
from ingest_handler import IngestConfig, Ingestor, load_config, parse_event
from mypy_boto3_dynamodb.client import DynamoDBClient
from mypy_boto3_s3.client import S3Client
from mypy_boto3_s3.literals import BucketLocationConstraintType

from harness.emulator.server import EmulatorEndpoint, EmulatorServer

MAX_OBJECT_BYTES = 1024 * 1024
VALID_KEY = "incoming/crm/2024/03/01/orders.csv"
CSV_BODY = b"order_id,amount\n1,10.50\n2,99.00\n"


@dataclass(frozen=True, kw_only=True)
class IngestAccount:
    """The emulated account the function works in, and boto3 clients for looking at it."""

    endpoint: EmulatorEndpoint
    bucket: str
    table: str
    workflow: str
    function_environment: dict[str, str]
    config: IngestConfig
    s3: S3Client
    dynamodb: DynamoDBClient
    glue: Any  # boto3-stubs has no Glue types installed

    def ingestor(self) -> Ingestor:
        return Ingestor(config=self.config, s3=self.s3, dynamodb=self.dynamodb, glue=self.glue)

    def upload(self, key: str, body: bytes, content_type: str) -> dict[str, Any]:
        """Put an object and return the EventBridge event S3 sends for it."""
        put = self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        return object_created_event(
            bucket=self.bucket,
            key=key,
            version_id=put["VersionId"],
            size=len(body),
            etag=put["ETag"].strip('"'),
        )

    def ledger_row(self, key: str, version_id: str) -> dict[str, str] | None:
        item = self.dynamodb.get_item(
            TableName=self.table,
            Key={"object_uri": {"S": f"s3://{self.bucket}/{key}"}, "version_id": {"S": version_id}},
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            return None
        return {name: str(value.get("S", value.get("N"))) for name, value in item.items()}

    def ledger_row_count(self) -> int:
        return self.dynamodb.scan(TableName=self.table, Select="COUNT")["Count"]

    def workflow_runs(self) -> list[dict[str, Any]]:
        runs: list[dict[str, Any]] = self.glue.get_workflow_runs(Name=self.workflow)["Runs"]
        return runs

    def versions_of(self, key: str) -> list[str]:
        listing = self.s3.list_object_versions(Bucket=self.bucket, Prefix=key)
        entries = [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
        return [entry["VersionId"] for entry in entries if entry["Key"] == key]

    def create_workflow(self) -> None:
        self.glue.create_workflow(Name=self.workflow, Description="curates ingested objects")


def object_created_event(*, bucket: str, key: str, version_id: str, size: int, etag: str) -> dict[str, Any]:
    """An EventBridge S3 "Object Created" event, shaped like the S3 user guide's example."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2024-03-01T12:00:00Z",
        "region": "eu-west-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {"key": key, "size": size, "etag": etag, "version-id": version_id, "sequencer": "0"},
            "request-id": "TESTREQUEST00001",
            "requester": "123456789012",
            "source-ip-address": "127.0.0.1",
            "reason": "PutObject",
        },
    }


@pytest.fixture
def account(aws_emulator: EmulatorServer) -> IngestAccount:
    """A versioned raw bucket, a ledger table and a Glue workflow, all new and named for this test only."""
    endpoint = aws_emulator.endpoint
    kwargs = endpoint.client_kwargs()
    s3 = boto3.client("s3", **kwargs)
    dynamodb = boto3.client("dynamodb", **kwargs)
    glue = boto3.client("glue", **kwargs)
    unique = uuid.uuid4().hex[:12]
    bucket, table, workflow = f"csg-raw-{unique}", f"csg-ingestion-ledger-{unique}", f"csg-curation-{unique}"
    function_environment = {
        "LEDGER_TABLE": table,
        "GLUE_WORKFLOW_NAME": workflow,
        "QUARANTINE_PREFIX": "quarantine/",
        "MAX_OBJECT_BYTES": str(MAX_OBJECT_BYTES),
        "ALLOWED_SUFFIXES": ".csv,.json",
        "ALLOWED_CONTENT_TYPES": "text/csv,application/json",
    }
    location = cast("BucketLocationConstraintType", endpoint.region)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": location})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    dynamodb.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": "object_uri", "KeyType": "HASH"},
            {"AttributeName": "version_id", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "object_uri", "AttributeType": "S"},
            {"AttributeName": "version_id", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    created = IngestAccount(
        endpoint=endpoint,
        bucket=bucket,
        table=table,
        workflow=workflow,
        function_environment=function_environment,
        config=load_config(function_environment),
        s3=s3,
        dynamodb=dynamodb,
        glue=glue,
    )
    created.create_workflow()
    return created


def test_valid_object_is_accepted_recorded_and_starts_one_workflow_run(account: IngestAccount) -> None:
    event = account.upload(VALID_KEY, CSV_BODY, "text/csv")
    version_id = event["detail"]["object"]["version-id"]

    outcome = account.ingestor().ingest(parse_event(event), claim_id="request-1")

    assert outcome.outcome == "accepted"
    (run,) = account.workflow_runs()
    assert outcome.workflow_run_id == run["WorkflowRunId"]
    assert run["WorkflowRunProperties"] == {
        "bucket": account.bucket,
        "key": VALID_KEY,
        "version_id": version_id,
    }
    row = account.ledger_row(VALID_KEY, version_id)
    assert row is not None
    assert row["status"] == "accepted"
    assert row["workflow_run_id"] == run["WorkflowRunId"]
    assert row["workflow_name"] == account.workflow
    assert row["content_type"] == "text/csv"
    assert row["size_bytes"] == str(len(CSV_BODY))
    assert row["event_id"] == event["id"]
    assert "reason" not in row
    assert account.s3.get_object(Bucket=account.bucket, Key=VALID_KEY)["Body"].read() == CSV_BODY


@pytest.mark.parametrize(
    ("key", "body", "content_type", "expected_reason"),
    [
        pytest.param(
            "incoming/crm/2024/03/01/orders.exe", CSV_BODY, "text/csv", "'orders.exe'", id="wrong-suffix"
        ),
        pytest.param(
            VALID_KEY,
            CSV_BODY,
            "application/x-msdownload",
            "'application/x-msdownload'",
            id="wrong-content-type",
        ),
        pytest.param(
            VALID_KEY,
            b"x" * (MAX_OBJECT_BYTES + 1),
            "text/csv",
            f"size {MAX_OBJECT_BYTES + 1} bytes exceeds the limit of {MAX_OBJECT_BYTES} bytes",
            id="too-large",
        ),
        pytest.param(
            "incoming/orders.csv",
            CSV_BODY,
            "text/csv",
            "incoming/<source>/<yyyy>/<mm>/<dd>/<file>",
            id="bad-layout",
        ),
        pytest.param(
            "incoming/crm/2024/02/30/orders.csv",
            CSV_BODY,
            "text/csv",
            "2024/02/30 is not a calendar date",
            id="impossible-date",
        ),
    ],
)
def test_rejected_object_is_quarantined_with_its_reason_and_the_original_version_removed(
    account: IngestAccount, key: str, body: bytes, content_type: str, expected_reason: str
) -> None:
    event = account.upload(key, body, content_type)
    version_id = event["detail"]["object"]["version-id"]

    outcome = account.ingestor().ingest(parse_event(event), claim_id="request-1")

    assert outcome.outcome == "rejected"
    assert outcome.quarantine_key == f"quarantine/{key}"
    assert account.versions_of(key) == []
    quarantined = account.s3.get_object(Bucket=account.bucket, Key=f"quarantine/{key}")
    assert quarantined["Body"].read() == body
    assert quarantined["ContentType"] == content_type
    assert expected_reason in quarantined["Metadata"]["ingest-rejection-reason"]
    assert quarantined["Metadata"]["ingest-source-version-id"] == version_id
    row = account.ledger_row(key, version_id)
    assert row is not None
    assert row["status"] == "rejected"
    assert expected_reason in row["reason"]
    assert row["quarantine_key"] == f"quarantine/{key}"
    assert account.workflow_runs() == []


def test_object_above_the_multipart_copy_threshold_is_quarantined_intact(account: IngestAccount) -> None:
    """Objects rejected for size may be beyond one CopyObject call's limit: they take the multipart path."""
    body = os.urandom(9 * 1024 * 1024)
    event = account.upload(VALID_KEY, body, "text/csv")

    outcome = account.ingestor().ingest(parse_event(event), claim_id="request-1")

    assert outcome.outcome == "rejected"
    quarantined = account.s3.get_object(Bucket=account.bucket, Key=f"quarantine/{VALID_KEY}")
    assert hashlib.sha256(quarantined["Body"].read()).digest() == hashlib.sha256(body).digest()
    assert "exceeds the limit" in quarantined["Metadata"]["ingest-rejection-reason"]
    assert account.versions_of(VALID_KEY) == []


def test_duplicate_event_writes_nothing_and_starts_no_second_run(account: IngestAccount) -> None:
    event = account.upload(VALID_KEY, CSV_BODY, "text/csv")
    version_id = event["detail"]["object"]["version-id"]
    ingestor = account.ingestor()
    ingestor.ingest(parse_event(event), claim_id="request-1")
    row_after_first = account.ledger_row(VALID_KEY, version_id)

    duplicate = ingestor.ingest(parse_event(event), claim_id="request-2")

    assert duplicate.outcome == "duplicate"
    assert duplicate.ledger_status == "accepted"
    assert account.ledger_row(VALID_KEY, version_id) == row_after_first
    assert len(account.workflow_runs()) == 1


def test_duplicate_of_a_rejected_event_is_a_no_op(account: IngestAccount) -> None:
    event = account.upload("incoming/crm/2024/03/01/orders.exe", CSV_BODY, "text/csv")
    ingestor = account.ingestor()
    ingestor.ingest(parse_event(event), claim_id="request-1")

    duplicate = ingestor.ingest(parse_event(event), claim_id="request-2")

    assert duplicate.outcome == "duplicate"
    assert duplicate.ledger_status == "rejected"
    assert account.ledger_row_count() == 1
    assert account.workflow_runs() == []


def test_version_left_processing_by_an_earlier_attempt_is_not_redone(account: IngestAccount) -> None:
    """An attempt that died after starting the workflow leaves its row in "processing"; redoing is unsafe."""
    event = account.upload(VALID_KEY, CSV_BODY, "text/csv")
    version_id = event["detail"]["object"]["version-id"]
    account.dynamodb.put_item(
        TableName=account.table,
        Item={
            "object_uri": {"S": f"s3://{account.bucket}/{VALID_KEY}"},
            "version_id": {"S": version_id},
            "status": {"S": "processing"},
            "claim_id": {"S": "attempt-that-timed-out"},
        },
    )

    outcome = account.ingestor().ingest(parse_event(event), claim_id="request-2")

    assert outcome.outcome == "duplicate"
    assert outcome.ledger_status == "processing"
    assert account.workflow_runs() == []
    assert account.versions_of(VALID_KEY) == [version_id]


def test_new_version_of_an_ingested_key_is_ingested_on_its_own(account: IngestAccount) -> None:
    first = account.upload(VALID_KEY, CSV_BODY, "text/csv")
    second = account.upload(VALID_KEY, CSV_BODY + b"3,1.00\n", "text/csv")
    ingestor = account.ingestor()

    outcomes = [ingestor.ingest(parse_event(event), claim_id="request-1") for event in (first, second)]

    assert [outcome.outcome for outcome in outcomes] == ["accepted", "accepted"]
    runs = account.workflow_runs()
    assert sorted(run["WorkflowRunProperties"]["version_id"] for run in runs) == sorted(
        event["detail"]["object"]["version-id"] for event in (first, second)
    )


def test_event_for_a_quarantined_copy_is_ignored(account: IngestAccount) -> None:
    event = account.upload(f"quarantine/{VALID_KEY}", CSV_BODY, "text/csv")

    outcome = account.ingestor().ingest(parse_event(event), claim_id="request-1")

    assert outcome.outcome == "ignored"
    assert account.ledger_row_count() == 0
    assert account.workflow_runs() == []


def test_refused_workflow_start_releases_the_claim_so_the_retry_succeeds(account: IngestAccount) -> None:
    account.glue.delete_workflow(Name=account.workflow)
    event = account.upload(VALID_KEY, CSV_BODY, "text/csv")
    version_id = event["detail"]["object"]["version-id"]

    with pytest.raises(ClientError) as raised:
        account.ingestor().ingest(parse_event(event), claim_id="request-1")

    assert raised.value.response["Error"]["Code"] == "EntityNotFoundException"
    assert account.ledger_row(VALID_KEY, version_id) is None
    assert account.versions_of(VALID_KEY) == [version_id]

    account.create_workflow()
    retried = account.ingestor().ingest(parse_event(event), claim_id="request-2")

    assert retried.outcome == "accepted"
    assert len(account.workflow_runs()) == 1
    row = account.ledger_row(VALID_KEY, version_id)
    assert row is not None
    assert row["status"] == "accepted"


def test_object_version_gone_before_ingest_releases_the_claim(account: IngestAccount) -> None:
    event = account.upload(VALID_KEY, CSV_BODY, "text/csv")
    version_id = event["detail"]["object"]["version-id"]
    account.s3.delete_object(Bucket=account.bucket, Key=VALID_KEY, VersionId=version_id)

    with pytest.raises(ClientError):
        account.ingestor().ingest(parse_event(event), claim_id="request-1")

    assert account.ledger_row_count() == 0
    assert account.workflow_runs() == []


def test_lambda_entry_point_in_a_fresh_process_ingests_and_logs_json(account: IngestAccount) -> None:
    """As in Lambda: a new process imports the handler top-level, configured only by its environment."""
    event = account.upload(VALID_KEY, CSV_BODY, "text/csv")
    version_id = event["detail"]["object"]["version-id"]
    runner = (
        "import json, sys, types, ingest_handler\n"
        "context = types.SimpleNamespace(aws_request_id='lambda-request-1')\n"
        "result = ingest_handler.handle(json.load(sys.stdin), context)\n"
        "print(json.dumps({'handler_result': result}))\n"
    )
    environment = {**account.endpoint.environment(os.environ), **account.function_environment}

    completed = subprocess.run(
        [sys.executable, "-c", runner],
        cwd=Path(ingest_handler.__file__).parent,
        env=environment,
        input=json.dumps(event),
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    result = lines[-1]["handler_result"]
    assert result["outcome"] == "accepted"
    (run,) = account.workflow_runs()
    assert result["workflow_run_id"] == run["WorkflowRunId"]
    (log,) = lines[:-1]
    assert log["level"] == "INFO"
    assert log["request_id"] == "lambda-request-1"
    assert log["object_uri"] == f"s3://{account.bucket}/{VALID_KEY}"
    assert log["outcome"] == "accepted"
    row = account.ledger_row(VALID_KEY, version_id)
    assert row is not None
    assert row["claim_id"] == "lambda-request-1"
    assert row["status"] == "accepted"
