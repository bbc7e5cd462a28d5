"""The shared job plumbing: the Parquet outputs on disk, job arguments and the PII salt."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import boto3
import pytest
from curation_config import parse_curation_config
from curation_job import (
    CurationCounts,
    SecretsManagerClient,
    check_output_paths,
    curate,
    optional_argument,
    read_pii_salt,
)
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from pyspark.sql import SparkSession

SALT = "test-salt-not-a-secret"
CONFIG = parse_curation_config(
    """{"columns": {"id": "bigint", "email": "string", "updated_at": "timestamp"},
        "key_columns": ["id"], "timestamp_column": "updated_at", "pii": {"email": "hash"}}"""
)
SCHEMA = "id string, email string, updated_at string"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def partition_dirs(path: Path) -> list[str]:
    return sorted(entry.name for entry in path.iterdir() if entry.is_dir())


def parquet_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.parquet"))


def test_curate_writes_date_partitioned_parquet_and_a_quarantine(spark: SparkSession, tmp_path: Path) -> None:
    raw = spark.createDataFrame(
        [
            ("1", "a@example.com", "2024-03-01 10:00:00"),
            ("1", "a@example.com", "2024-03-02 11:00:00"),
            ("2", "b@example.com", "2024-03-01 23:59:59"),
            ("3", "c@example.com", "2024-03-03 00:00:00"),
            ("bad", "d@example.com", "2024-03-03 00:00:00"),
        ],
        SCHEMA,
    )
    curated_path, quarantine_path = tmp_path / "curated", tmp_path / "quarantine"

    counts = curate(
        raw,
        CONFIG,
        pii_salt=SALT,
        curated_path=str(curated_path),
        quarantine_path=str(quarantine_path),
        mode="append",
    )

    assert counts == CurationCounts(input_rows=5, curated_rows=3, quarantined_rows=1)
    assert counts.superseded_rows == 1
    assert partition_dirs(curated_path) == [
        "ingest_date=2024-03-01",
        "ingest_date=2024-03-02",
        "ingest_date=2024-03-03",
    ]
    for partition in partition_dirs(curated_path):
        assert len(parquet_files(curated_path / partition)) == 1, partition
    # The partition value lives in the directory name, not in the files.
    one_partition = spark.read.parquet(str(curated_path / "ingest_date=2024-03-02"))
    assert one_partition.columns == ["id", "email", "updated_at"]
    assert [row["id"] for row in one_partition.collect()] == [1]

    read_back = spark.read.parquet(str(curated_path))
    assert read_back.schema["ingest_date"].dataType.simpleString() == "date"
    assert sorted((row["id"], row["email"], row["ingest_date"]) for row in read_back.collect()) == [
        (1, sha256_hex(SALT + "a@example.com"), date(2024, 3, 2)),
        (2, sha256_hex(SALT + "b@example.com"), date(2024, 3, 1)),
        (3, sha256_hex(SALT + "c@example.com"), date(2024, 3, 3)),
    ]
    quarantined = spark.read.parquet(str(quarantine_path)).collect()
    assert [tuple(row) for row in quarantined] == [
        ("bad", sha256_hex(SALT + "d@example.com"), "2024-03-03 00:00:00", "uncastable:id"),
    ]


def test_append_adds_to_earlier_runs_and_skips_an_empty_quarantine(
    spark: SparkSession, tmp_path: Path
) -> None:
    curated_path, quarantine_path = tmp_path / "curated", tmp_path / "quarantine"
    first_run = spark.createDataFrame([("1", "a@example.com", "2024-03-01 10:00:00")], SCHEMA)
    second_run = spark.createDataFrame([("2", "b@example.com", "2024-03-01 12:00:00")], SCHEMA)

    for raw in [first_run, second_run]:
        curate(
            raw,
            CONFIG,
            pii_salt=SALT,
            curated_path=str(curated_path),
            quarantine_path=str(quarantine_path),
            mode="append",
        )

    assert sorted(row["id"] for row in spark.read.parquet(str(curated_path)).collect()) == [1, 2]
    assert len(parquet_files(curated_path / "ingest_date=2024-03-01")) == 2
    assert not quarantine_path.exists()


def test_overwrite_replaces_the_previous_snapshot(spark: SparkSession, tmp_path: Path) -> None:
    curated_path, quarantine_path = tmp_path / "curated", tmp_path / "quarantine"
    first_snapshot = spark.createDataFrame(
        [("1", "a@example.com", "2024-03-01 10:00:00"), ("x", None, "2024-03-01 10:00:00")], SCHEMA
    )
    second_snapshot = spark.createDataFrame([("2", "b@example.com", "2024-03-05 12:00:00")], SCHEMA)

    for raw in [first_snapshot, second_snapshot]:
        curate(
            raw,
            CONFIG,
            pii_salt=SALT,
            curated_path=str(curated_path),
            quarantine_path=str(quarantine_path),
            mode="overwrite",
        )

    assert partition_dirs(curated_path) == ["ingest_date=2024-03-05"]
    assert [row["id"] for row in spark.read.parquet(str(curated_path)).collect()] == [2]
    assert spark.read.parquet(str(quarantine_path)).count() == 0


@pytest.mark.parametrize(
    ("curated", "quarantine"),
    [
        ("s3://bucket/orders", "s3://bucket/orders/quarantine"),
        ("s3://bucket/curated/orders/", "s3://bucket/curated"),
        ("s3://bucket/orders/", "s3://bucket/orders"),
    ],
)
def test_overlapping_output_paths_are_refused(curated: str, quarantine: str) -> None:
    with pytest.raises(ValueError, match="overlap"):
        check_output_paths(curated, quarantine)


def test_curate_checks_the_output_paths_before_reading(spark: SparkSession, tmp_path: Path) -> None:
    raw = spark.createDataFrame([("1", "a@example.com", "2024-03-01 10:00:00")], SCHEMA)

    with pytest.raises(ValueError, match="overlap"):
        curate(
            raw,
            CONFIG,
            pii_salt=SALT,
            curated_path=str(tmp_path),
            quarantine_path=str(tmp_path / "quarantine"),
            mode="overwrite",
        )
    assert list(tmp_path.iterdir()) == []


def test_sibling_output_paths_sharing_a_name_prefix_are_fine() -> None:
    check_output_paths("s3://bucket/orders", "s3://bucket/orders_quarantine/")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["script.py", "--JOB_NAME", "job", "--bookmark_keys", "id,seq"], "id,seq"),
        (["script.py", "--bookmark_keys=id", "--JOB_NAME", "job"], "id"),
        (["script.py", "--JOB_NAME", "job", "--bookmark_keys_other", "x"], None),
    ],
)
def test_optional_argument(argv: list[str], expected: str | None) -> None:
    assert optional_argument(argv, "bookmark_keys") == expected


def test_optional_argument_without_a_value_is_an_error() -> None:
    with pytest.raises(ValueError, match="--bookmark_keys has no value"):
        optional_argument(["script.py", "--bookmark_keys"], "bookmark_keys")


@pytest.fixture(scope="module")
def secrets_client() -> Iterator[SecretsManagerClient]:
    """A Secrets Manager client talking to a moto server on loopback."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # moto accepts any credentials; these are placeholders, not secrets.
    client: SecretsManagerClient = boto3.client(
        "secretsmanager",
        region_name="eu-west-1",
        endpoint_url=f"http://{host}:{port}",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106
    )
    yield client
    server.stop()


def test_pii_salt_is_read_from_the_named_secret(secrets_client: SecretsManagerClient) -> None:
    secret_arn = secrets_client.create_secret(  # type: ignore[attr-defined]
        Name="csg/pii-salt", SecretString="salt-from-secrets-manager"
    )["ARN"]

    assert read_pii_salt(CONFIG, "csg/pii-salt", secrets_client) == "salt-from-secrets-manager"
    assert read_pii_salt(CONFIG, secret_arn, secrets_client) == "salt-from-secrets-manager"


def test_pii_salt_must_be_configured_and_non_empty_when_hashing(secrets_client: SecretsManagerClient) -> None:
    secrets_client.create_secret(Name="csg/binary-salt", SecretBinary=b"\x01")  # type: ignore[attr-defined]

    with pytest.raises(ValueError, match="--pii_salt_secret_id is required because the config hashes email"):
        read_pii_salt(CONFIG, None, secrets_client)
    with pytest.raises(ValueError, match="no non-empty SecretString"):
        read_pii_salt(CONFIG, "csg/binary-salt", secrets_client)


def test_no_salt_is_needed_when_nothing_is_hashed(secrets_client: SecretsManagerClient) -> None:
    config = parse_curation_config(
        """{"columns": {"id": "bigint", "updated_at": "timestamp"}, "key_columns": ["id"],
            "timestamp_column": "updated_at", "pii": {"email": "drop"}}"""
    )

    assert read_pii_salt(config, None, secrets_client) == ""
    # Not even looked up, so a secret that does not exist is no error.
    assert read_pii_salt(config, "csg/no-such-secret", secrets_client) == ""
