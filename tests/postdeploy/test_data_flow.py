"""Data-flow controls: data written to the platform is encrypted with our keys, and the pipeline accepts work.

These tests write one S3 object and one DynamoDB item and delete them again; they start the Glue crawler and
job and stop them at once.
"""

import contextlib
import time
import uuid
from typing import Any

import pytest

from tests.postdeploy.platform import Aws, Outputs

DATA_FLOW = "data flow"
CRAWLER_SETTLE_POLLS = 24
CRAWLER_SETTLE_INTERVAL_SECONDS = 5


@pytest.mark.control(
    DATA_FLOW, "S3 raw: an object written without encryption headers is stored under our key"
)
def test_object_written_to_raw_is_encrypted_with_our_key(aws: Aws, outputs: Outputs) -> None:
    s3 = aws.client("s3")
    bucket = outputs.env("bucket_names")["raw"]
    key = f"postdeploy/{uuid.uuid4().hex}.json"
    written = s3.put_object(Bucket=bucket, Key=key, Body=b'{"probe": true}', ContentType="application/json")
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head.get("ServerSideEncryption") == "aws:kms", (
            f"{bucket}: object stored with {head.get('ServerSideEncryption')}, not SSE-KMS"
        )
        expected = outputs.env("kms_key_arns")["data_lake"]
        assert head.get("SSEKMSKeyId", "").rsplit("/", 1)[-1] == expected.rsplit("/", 1)[-1], (
            f"{bucket}: object encrypted with {head.get('SSEKMSKeyId')}, not the data-lake key {expected}"
        )
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b'{"probe": true}'
    finally:
        versions = s3.list_object_versions(Bucket=bucket, Prefix=key)
        for version in [*versions.get("Versions", []), *versions.get("DeleteMarkers", [])]:
            s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
        if "VersionId" not in written:
            s3.delete_object(Bucket=bucket, Key=key)


@pytest.mark.control(DATA_FLOW, "DynamoDB: an item round-trips through every platform table")
def test_dynamodb_round_trip(aws: Aws, outputs: Outputs) -> None:
    dynamodb = aws.client("dynamodb")
    for table in outputs.env("table_names").values():
        description = dynamodb.describe_table(TableName=table)["Table"]
        types = {
            attribute["AttributeName"]: attribute["AttributeType"]
            for attribute in description["AttributeDefinitions"]
        }
        marker = f"postdeploy-{uuid.uuid4().hex}"
        key: dict[str, Any] = {
            element["AttributeName"]: {"S": marker} if types[element["AttributeName"]] == "S" else {"N": "1"}
            for element in description["KeySchema"]
        }
        item = {**key, "postdeploy_probe": {"S": marker}}
        dynamodb.put_item(TableName=table, Item=item)
        try:
            read = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
            assert read == item, f"{table}: read back {read}, wrote {item}"
        finally:
            dynamodb.delete_item(TableName=table, Key=key)
        assert "Item" not in dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)


@pytest.mark.control(DATA_FLOW, "Glue: crawlers accept a start")
def test_glue_crawlers_accept_a_start(aws: Aws, outputs: Outputs) -> None:
    glue = aws.client("glue")
    for purpose, name in outputs.env("glue_crawler_names").items():
        state = _crawler_state_when_settled(glue, name)
        assert state == "READY", f"crawler {purpose} ({name}) is {state}, not READY"
        glue.start_crawler(Name=name)
        try:
            state = glue.get_crawler(Name=name)["Crawler"]["State"]
            assert state in ("RUNNING", "STOPPING", "READY"), f"crawler {purpose} is {state} after a start"
        finally:
            stopped = (glue.exceptions.CrawlerNotRunningException, glue.exceptions.CrawlerStoppingException)
            with contextlib.suppress(*stopped):
                glue.stop_crawler(Name=name)


def _crawler_state_when_settled(glue: Any, name: str) -> str:
    """The crawler's state once a stop from an earlier run has finished (bounded wait, 2 minutes at most)."""
    state = str(glue.get_crawler(Name=name)["Crawler"]["State"])
    for _ in range(CRAWLER_SETTLE_POLLS):
        if state != "STOPPING":
            break
        time.sleep(CRAWLER_SETTLE_INTERVAL_SECONDS)
        state = str(glue.get_crawler(Name=name)["Crawler"]["State"])
    return state


@pytest.mark.control(DATA_FLOW, "Glue: ETL jobs accept a start")
def test_glue_jobs_accept_a_start(aws: Aws, outputs: Outputs) -> None:
    glue = aws.client("glue")
    for source, name in outputs.env("glue_job_names").items():
        run_id = glue.start_job_run(JobName=name)["JobRunId"]
        try:
            state = glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]["JobRunState"]
            assert state not in ("FAILED", "ERROR", "TIMEOUT"), f"job {source} run {run_id} is {state}"
        finally:
            glue.batch_stop_job_run(JobName=name, JobRunIds=[run_id])
