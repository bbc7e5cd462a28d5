"""The pure transformations, on small DataFrames built here and a real local Spark."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from curation_config import QUARANTINE_REASON_COLUMN, PiiAction, parse_curation_config
from curation_transforms import (
    ORIGINAL_VALUES_COLUMN,
    ROW_PROBLEMS_COLUMN,
    add_partition_column,
    apply_pii_policy,
    cast_to_schema,
    deduplicate_latest,
    flag_missing_key_and_timestamp,
    split_valid_and_quarantine,
    transform,
)
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DateType,
    DecimalType,
    IntegerType,
    LongType,
    StringType,
    TimestampType,
)

SALT = "test-salt-not-a-secret"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rows_of(df: DataFrame, *order_by: str) -> list[tuple[Any, ...]]:
    """Collect ``df`` as tuples; timestamps as UTC strings, so the Python process's zone is irrelevant."""
    as_text = [
        F.date_format(F.col(field.name), "yyyy-MM-dd HH:mm:ss").alias(field.name)
        if isinstance(field.dataType, TimestampType)
        else F.col(field.name)
        for field in df.schema.fields
    ]
    selected = df.select(*as_text)
    return [tuple(row) for row in (selected.orderBy(*order_by) if order_by else selected).collect()]


@pytest.fixture(params=["false", "true"], ids=["ansi-off", "ansi-on"])
def ansi_mode(request: pytest.FixtureRequest, spark: SparkSession) -> Iterator[None]:
    """Run under both ANSI settings: uncastable values must be caught whichever Glue uses."""
    previous = spark.conf.get("spark.sql.ansi.enabled")
    spark.conf.set("spark.sql.ansi.enabled", request.param)
    yield
    spark.conf.set("spark.sql.ansi.enabled", str(previous))


@pytest.mark.usefixtures("ansi_mode")
def test_cast_to_schema_flags_unparseable_string_values(spark: SparkSession) -> None:
    raw = spark.createDataFrame(
        [
            ("1", "10.50", "true", "2024-03-01", "kept"),
            ("x", "1.234", "maybe", "2024-02-30", "kept"),
            ("3", "abc", None, None, "kept"),
            ("9999999999", "123456789.00", "false", "2024-03-01", "kept"),
            (" 4 ", "1.5", "1", "2024-03-01", "kept"),
        ],
        "id string, amount string, active string, day string, note string",
    )
    columns = {
        "id": IntegerType(),
        "amount": DecimalType(10, 2),
        "active": BooleanType(),
        "day": DateType(),
    }

    checked = cast_to_schema(raw, columns)

    assert checked.columns == ["id", "amount", "active", "day", ORIGINAL_VALUES_COLUMN, ROW_PROBLEMS_COLUMN]
    assert [field.dataType for field in checked.schema.fields[:4]] == list(columns.values())
    result = checked.select(
        "id", "amount", "active", "day", f"{ORIGINAL_VALUES_COLUMN}.id", ROW_PROBLEMS_COLUMN
    ).collect()
    assert [tuple(row) for row in result] == [
        (1, Decimal("10.50"), True, date(2024, 3, 1), "1", []),
        # "1.234" fits the type only by losing a digit; 2024-02-30 does not exist.
        (
            None,
            Decimal("1.23"),
            None,
            None,
            "x",
            ["uncastable:id", "uncastable:amount", "uncastable:active", "uncastable:day"],
        ),
        # Nulls are valid values, not cast failures.
        (3, None, None, None, "3", ["uncastable:amount"]),
        # 9999999999 overflows int; 123456789.00 needs 11 digits, decimal(10,2) holds 10.
        (None, None, False, date(2024, 3, 1), "9999999999", ["uncastable:id", "uncastable:amount"]),
        (4, Decimal("1.50"), True, date(2024, 3, 1), " 4 ", []),
    ]


@pytest.mark.usefixtures("ansi_mode")
def test_cast_to_schema_flags_numeric_casts_that_lose_digits(spark: SparkSession) -> None:
    raw = spark.createDataFrame(
        [(1.0, 5, Decimal("1.2300")), (1.5, 3_000_000_000, Decimal("1.2345")), (None, None, None)],
        "ratio double, quantity bigint, price decimal(12,4)",
    )

    checked = cast_to_schema(
        raw, {"ratio": IntegerType(), "quantity": IntegerType(), "price": DecimalType(10, 2)}
    )

    assert [row[ROW_PROBLEMS_COLUMN] for row in checked.collect()] == [
        [],
        ["uncastable:ratio", "uncastable:quantity", "uncastable:price"],
        [],
    ]


def test_cast_to_schema_keeps_declared_columns_only_and_keeps_the_original_values(
    spark: SparkSession,
) -> None:
    raw = spark.createDataFrame(
        [("secret", 7, "2024-03-01 10:00:00")], "internal string, id bigint, ts string"
    )

    checked = cast_to_schema(raw, {"ts": TimestampType(), "id": LongType()})

    assert checked.columns == ["ts", "id", ORIGINAL_VALUES_COLUMN, ROW_PROBLEMS_COLUMN]
    original = checked.select(f"{ORIGINAL_VALUES_COLUMN}.*")
    assert original.columns == ["ts", "id"]
    assert [tuple(row) for row in original.collect()] == [("2024-03-01 10:00:00", "7")]


def test_cast_to_schema_names_every_missing_declared_column(spark: SparkSession) -> None:
    raw = spark.createDataFrame([(1,)], "id bigint")

    with pytest.raises(ValueError, match="declared columns missing from the data: amount, ts"):
        cast_to_schema(raw, {"id": LongType(), "amount": DecimalType(10, 2), "ts": TimestampType()})


def test_missing_keys_and_timestamps_are_flagged(spark: SparkSession) -> None:
    raw = spark.createDataFrame(
        [
            ("t1", "1", "2024-03-01 10:00:00"),
            ("t1", None, "2024-03-01 10:00:00"),
            ("   ", "2", None),
            (None, "x", "2024-03-01 10:00:00"),
            ("t1", "3", ""),
        ],
        "tenant string, seq string, ts string",
    )
    checked = cast_to_schema(raw, {"tenant": StringType(), "seq": LongType(), "ts": TimestampType()})

    flagged = flag_missing_key_and_timestamp(checked, ["tenant", "seq"], "ts")

    assert [row[ROW_PROBLEMS_COLUMN] for row in flagged.collect()] == [
        [],
        ["missing_key:seq"],
        # A blank string key identifies nothing.
        ["missing_key:tenant", "missing_timestamp:ts"],
        # An unparseable key is reported as such, not also as missing.
        ["uncastable:seq", "missing_key:tenant"],
        # An empty timestamp string is present but invalid.
        ["uncastable:ts"],
    ]


def test_split_puts_every_row_in_exactly_one_output(spark: SparkSession) -> None:
    raw = spark.createDataFrame(
        [
            ("1", "10", "2024-03-01 10:00:00"),
            ("2", "ten", "2024-03-01 11:00:00"),
            (None, "11", "yesterday"),
            ("4", "12", "2024-03-02 00:00:00"),
            ("5", None, None),
        ],
        "id string, amount string, ts string",
    )
    checked = flag_missing_key_and_timestamp(
        cast_to_schema(raw, {"id": LongType(), "amount": IntegerType(), "ts": TimestampType()}), ["id"], "ts"
    )

    valid, quarantine = split_valid_and_quarantine(checked)

    assert valid.columns == ["id", "amount", "ts"]
    assert rows_of(valid, "id") == [(1, 10, "2024-03-01 10:00:00"), (4, 12, "2024-03-02 00:00:00")]
    assert quarantine.columns == ["id", "amount", "ts", QUARANTINE_REASON_COLUMN]
    assert rows_of(quarantine, "amount") == [
        ("5", None, None, "missing_timestamp:ts"),
        (None, "11", "yesterday", "uncastable:ts; missing_key:id"),
        ("2", "ten", "2024-03-01 11:00:00", "uncastable:amount"),
    ]
    assert valid.count() + quarantine.count() == raw.count()


def test_deduplicate_keeps_the_latest_version_of_each_key(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [
            ("a", 1, "2024-03-01 10:00:00", "first"),
            ("a", 1, "2024-03-03 10:00:00", "third"),
            ("a", 1, "2024-03-02 10:00:00", "second"),
            ("a", 2, "2024-03-01 10:00:00", "other key"),
            ("b", 1, "2024-03-01 09:00:00", "other tenant"),
        ],
        "tenant string, id int, ts string, label string",
    ).withColumn("ts", F.col("ts").cast(TimestampType()))

    deduplicated = deduplicate_latest(df, ["tenant", "id"], "ts")

    assert rows_of(deduplicated, "tenant", "id") == [
        ("a", 1, "2024-03-03 10:00:00", "third"),
        ("a", 2, "2024-03-01 10:00:00", "other key"),
        ("b", 1, "2024-03-01 09:00:00", "other tenant"),
    ]


@pytest.mark.parametrize("reverse_input", [False, True], ids=["as-given", "reversed"])
def test_deduplicate_breaks_timestamp_ties_by_the_data_not_the_input_order(
    spark: SparkSession, reverse_input: bool
) -> None:
    same_time = "2024-03-01 10:00:00"
    versions = [
        (1, same_time, Decimal("5.00"), "new"),
        (1, same_time, Decimal("7.00"), None),
        (1, same_time, Decimal("7.00"), "paid"),
        (1, same_time, Decimal("7.00"), "dup"),
    ]
    rows = list(reversed(versions)) if reverse_input else versions
    df = spark.createDataFrame(rows, "id int, ts string, amount decimal(10,2), status string").withColumn(
        "ts", F.col("ts").cast(TimestampType())
    )

    deduplicated = deduplicate_latest(df, ["id"], "ts")

    # Greatest amount first, then greatest status ("paid" > "dup"), nulls last.
    assert rows_of(deduplicated) == [(1, same_time, Decimal("7.00"), "paid")]


def test_partition_column_is_the_utc_date_of_the_timestamp(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [("2024-02-29 23:59:59",), ("2024-03-01 00:00:00",), ("2024-03-01T01:30:00+02:00",)], "ts string"
    ).withColumn("ts", F.col("ts").cast(TimestampType()))

    partitioned = add_partition_column(df, "ts", "ingest_date")

    assert partitioned.schema["ingest_date"].dataType == DateType()
    assert [row["ingest_date"] for row in partitioned.collect()] == [
        date(2024, 2, 29),
        date(2024, 3, 1),
        # 01:30 at UTC+2 is 23:30 UTC the day before.
        date(2024, 2, 29),
    ]


def test_pii_columns_are_hashed_with_the_salt_or_dropped(spark: SparkSession) -> None:
    raw = spark.createDataFrame(
        [(1, "a@example.com", "111-11-1111", 5551234), (2, None, "222-22-2222", None)],
        "id int, email string, ssn string, phone bigint",
    )

    protected = apply_pii_policy(
        raw, {"email": PiiAction.HASH, "ssn": PiiAction.DROP, "phone": PiiAction.HASH}, salt=SALT
    )

    assert protected.columns == ["id", "email", "phone"]
    assert rows_of(protected, "id") == [
        (1, sha256_hex(SALT + "a@example.com"), sha256_hex(SALT + "5551234")),
        (2, None, None),
    ]
    # The salt matters: the unsalted hash must not appear.
    assert sha256_hex("a@example.com") not in {row["email"] for row in protected.collect()}


def test_missing_pii_columns_and_an_empty_salt_are_errors(spark: SparkSession) -> None:
    raw = spark.createDataFrame([(1, "a@example.com")], "id int, email string")

    with pytest.raises(ValueError, match="PII column 'ssn' is missing") as raised:
        apply_pii_policy(
            raw, {"ssn": PiiAction.DROP, "phone": PiiAction.HASH, "email": PiiAction.HASH}, salt=""
        )
    message = str(raised.value)
    assert "PII column 'phone' is missing" in message
    assert "hashing phone, email needs a non-empty salt" in message


ORDERS_CONFIG = """{
  "columns": {"order_id": "bigint", "customer_email": "string", "amount": "decimal(10,2)",
              "status": "string", "updated_at": "timestamp"},
  "key_columns": ["order_id"],
  "timestamp_column": "updated_at",
  "pii": {"customer_email": "hash", "ssn": "drop"}
}"""

# What a DynamoDB scan yields after resolveChoice(cast:string): every attribute a string.
ORDERS_SCHEMA = (
    "order_id string, customer_email string, amount string, status string, updated_at string,"
    " ssn string, internal_note string"
)
ORDERS = [
    ("1", "a@example.com", "10.50", "new", "2024-03-01 09:00:00", "111-11-1111", "x"),
    ("1", "a@example.com", "12.00", "paid", "2024-03-02 10:00:00", "111-11-1111", "y"),
    ("2", "b@example.com", "5", "new", "2024-03-01 23:59:59", "222-22-2222", None),
    ("2", "b@example.com", "5.00", "dup", "2024-03-01 23:59:59", "222-22-2222", None),
    ("3", None, "7.25", "new", "2024-03-02T00:00:00Z", None, None),
    ("x4", "c@example.com", "1.00", "new", "2024-03-01 08:00:00", "444-44-4444", None),
    (None, "d@example.com", "2.00", "new", "2024-03-01 08:00:00", None, None),
    ("7", "e@example.com", "abc", "new", "not a time", None, None),
    ("8", "f@example.com", "3.00", "new", None, None, None),
]


def test_transform_curates_deduplicates_and_quarantines(spark: SparkSession) -> None:
    raw = spark.createDataFrame(ORDERS, ORDERS_SCHEMA)

    curated, quarantine = transform(raw, parse_curation_config(ORDERS_CONFIG), pii_salt=SALT)

    assert curated.columns == ["order_id", "customer_email", "amount", "status", "updated_at", "ingest_date"]
    assert rows_of(curated, "order_id") == [
        (
            1,
            sha256_hex(SALT + "a@example.com"),
            Decimal("12.00"),
            "paid",
            "2024-03-02 10:00:00",
            date(2024, 3, 2),
        ),
        # Tie on updated_at with the "dup" row: equal amounts, then "new" > "dup".
        (
            2,
            sha256_hex(SALT + "b@example.com"),
            Decimal("5.00"),
            "new",
            "2024-03-01 23:59:59",
            date(2024, 3, 1),
        ),
        (3, None, Decimal("7.25"), "new", "2024-03-02 00:00:00", date(2024, 3, 2)),
    ]
    assert quarantine.columns == [
        "order_id",
        "customer_email",
        "amount",
        "status",
        "updated_at",
        QUARANTINE_REASON_COLUMN,
    ]
    assert rows_of(quarantine, "customer_email") == sorted(
        [
            (
                "x4",
                sha256_hex(SALT + "c@example.com"),
                "1.00",
                "new",
                "2024-03-01 08:00:00",
                "uncastable:order_id",
            ),
            (
                None,
                sha256_hex(SALT + "d@example.com"),
                "2.00",
                "new",
                "2024-03-01 08:00:00",
                "missing_key:order_id",
            ),
            (
                "7",
                sha256_hex(SALT + "e@example.com"),
                "abc",
                "new",
                "not a time",
                "uncastable:amount; uncastable:updated_at",
            ),
            ("8", sha256_hex(SALT + "f@example.com"), "3.00", "new", None, "missing_timestamp:updated_at"),
        ],
        key=lambda row: str(row[1]),
    )
    superseded_versions = 2  # order 1's first version and order 2's "dup" twin
    assert curated.count() + quarantine.count() + superseded_versions == raw.count()


def test_transform_reports_all_missing_columns_at_once(spark: SparkSession) -> None:
    raw = spark.createDataFrame([("1", "2024-03-01 00:00:00")], "order_id string, updated_at string")

    with pytest.raises(ValueError, match="PII column 'customer_email' is missing") as raised:
        transform(raw, parse_curation_config(ORDERS_CONFIG), pii_salt="")
    message = str(raised.value)
    for expected in [
        "PII column 'ssn' is missing",
        "declared column 'amount' is missing",
        "declared column 'status' is missing",
        "hashing customer_email needs a non-empty salt",
    ]:
        assert expected in message
    assert "'order_id'" not in message
