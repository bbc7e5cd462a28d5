"""The ingest function's pure parts: event parsing, the key layout, rejection reasons, quarantine keys."""

import copy
from typing import Any

import pytest
from ingest_handler import (
    IngestConfig,
    InvalidEventError,
    key_layout_problems,
    parse_event,
    quarantine_key,
    rejection_reasons,
)

# The "Object created" example from the S3 user guide ("EventBridge event message structure").
DOCUMENTED_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "17793124-05d4-b198-2fde-7ededc63b103",
    "detail-type": "Object Created",
    "source": "aws.s3",
    "account": "111122223333",
    "time": "2021-11-12T00:00:00Z",
    "region": "ca-central-1",
    "resources": ["arn:aws:s3:::amzn-s3-demo-bucket1"],
    "detail": {
        "version": "0",
        "bucket": {"name": "amzn-s3-demo-bucket1"},
        "object": {
            "key": "example-key",
            "size": 5,
            "etag": "b1946ac92492d2347c6235b4d2611184",
            "version-id": "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
            "sequencer": "617f08299329d189",
        },
        "request-id": "N4N7GDK58NMKJ12R",
        "requester": "123456789012",
        "source-ip-address": "1.2.3.4",
        "reason": "PutObject",
    },
}

CONFIG = IngestConfig(
    ledger_table="ledger",
    glue_workflow_name="curation",
    quarantine_prefix="quarantine/",
    max_object_bytes=1000,
    allowed_suffixes=(".csv", ".json.gz"),
    allowed_content_types=("text/csv", "application/json"),
)
VALID_KEY = "incoming/crm-eu/2024/02/29/orders_0001.csv"


def test_documented_event_parses_to_its_object_version() -> None:
    created = parse_event(DOCUMENTED_EVENT)

    assert created.event_id == "17793124-05d4-b198-2fde-7ededc63b103"
    assert created.bucket == "amzn-s3-demo-bucket1"
    assert created.key == "example-key"
    assert created.version_id == "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e"
    assert created.size_bytes == 5
    assert created.etag == "b1946ac92492d2347c6235b4d2611184"
    assert created.object_uri == "s3://amzn-s3-demo-bucket1/example-key"


def test_malformed_event_reports_every_problem_at_once() -> None:
    event = copy.deepcopy(DOCUMENTED_EVENT)
    event["detail-type"] = "Object Deleted"
    del event["detail"]["object"]["version-id"]
    event["detail"]["object"]["size"] = "5"
    event["detail"]["bucket"] = "amzn-s3-demo-bucket1"

    with pytest.raises(InvalidEventError) as raised:
        parse_event(event)

    problems = raised.value.problems
    assert len(problems) == 4
    assert any("detail-type" in problem and "Object Deleted" in problem for problem in problems)
    assert any("detail.object.version-id" in problem for problem in problems)
    assert any("detail.object.size" in problem for problem in problems)
    assert any("detail.bucket.name" in problem for problem in problems)


def test_event_from_another_source_is_refused() -> None:
    event = copy.deepcopy(DOCUMENTED_EVENT)
    event["source"] = "custom.uploader"

    with pytest.raises(InvalidEventError, match=r"custom\.uploader"):
        parse_event(event)


@pytest.mark.parametrize(
    "key",
    [
        VALID_KEY,
        "incoming/a/1999/12/31/x",
        "incoming/erp_2/2023/01/05/Ledger.Export-v2.csv",
    ],
)
def test_keys_in_the_documented_layout_have_no_problems(key: str) -> None:
    assert key_layout_problems(key) == ()


@pytest.mark.parametrize(
    "key",
    [
        "orders.csv",
        "incoming/orders.csv",
        "incoming/crm/2024/03/orders.csv",
        "incoming/CRM/2024/03/01/orders.csv",
        "incoming/crm/24/03/01/orders.csv",
        "incoming/crm/2024/03/01/extra/orders.csv",
        "incoming/crm/2024/03/01/.hidden.csv",
        "incoming/crm/2024/03/01/order s.csv",
        "uploads/crm/2024/03/01/orders.csv",
        "incoming/-crm/2024/03/01/orders.csv",
    ],
)
def test_keys_outside_the_layout_are_named_in_the_problem(key: str) -> None:
    problems = key_layout_problems(key)

    assert len(problems) == 1
    assert "incoming/<source>/<yyyy>/<mm>/<dd>/<file>" in problems[0]


@pytest.mark.parametrize("date_path", ["2023/02/29", "2024/13/01", "2024/04/31", "2024/00/10"])
def test_key_dates_must_exist_in_the_calendar(date_path: str) -> None:
    problems = key_layout_problems(f"incoming/crm/{date_path}/orders.csv")

    assert problems == (f"key date {date_path} is not a calendar date",)


def test_valid_object_has_no_rejection_reasons() -> None:
    reasons = rejection_reasons(
        key=VALID_KEY, size_bytes=1000, content_type="text/csv; charset=utf-8", config=CONFIG
    )

    assert reasons == ()


def test_suffix_and_content_type_comparisons_ignore_case() -> None:
    reasons = rejection_reasons(
        key="incoming/crm/2024/02/29/Orders.JSON.GZ",
        size_bytes=10,
        content_type="Application/JSON",
        config=CONFIG,
    )

    assert reasons == ()


def test_every_failed_check_is_a_reason() -> None:
    reasons = rejection_reasons(
        key="incoming/crm/2024/02/30/payload.exe",
        size_bytes=1001,
        content_type="application/x-msdownload",
        config=CONFIG,
    )

    assert len(reasons) == 4
    assert "key date 2024/02/30 is not a calendar date" in reasons
    assert any("'payload.exe'" in reason and "suffix" in reason for reason in reasons)
    assert any("'application/x-msdownload'" in reason for reason in reasons)
    assert any("1001 bytes" in reason and "1000 bytes" in reason for reason in reasons)


def test_missing_content_type_is_a_reason() -> None:
    reasons = rejection_reasons(key=VALID_KEY, size_bytes=1, content_type=None, config=CONFIG)

    assert len(reasons) == 1
    assert "content type None" in reasons[0]


def test_untrusted_values_in_reasons_are_ascii_and_bounded() -> None:
    content_type = "text/ünïcode-" + "x" * 500

    (reason,) = rejection_reasons(key=VALID_KEY, size_bytes=1, content_type=content_type, config=CONFIG)

    assert reason.isascii()
    assert len(reason) < 200


def test_quarantine_key_keeps_the_original_key_under_the_prefix() -> None:
    assert quarantine_key(VALID_KEY, "quarantine/") == f"quarantine/{VALID_KEY}"


def test_quarantine_key_for_a_key_too_long_to_prefix_is_a_hash_within_s3_limits() -> None:
    long_key = "incoming/" + "k" * 1010

    destination = quarantine_key(long_key, "quarantine/")

    assert destination.startswith("quarantine/overlong-keys/")
    assert len(destination.encode()) <= 1024
    assert destination != quarantine_key(long_key + "2", "quarantine/")
