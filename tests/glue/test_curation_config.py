"""Parsing and validation of the --curation_config job argument."""

from __future__ import annotations

import json
from typing import Any

import pytest
from curation_config import ConfigError, PiiAction, parse_curation_config, parse_spark_type
from pyspark.sql.types import DecimalType, IntegerType, LongType, StringType, TimestampType


def _config_json(**overrides: Any) -> str:
    document: dict[str, Any] = {
        "columns": {"order_id": "bigint", "email": "string", "updated_at": "timestamp"},
        "key_columns": ["order_id"],
        "timestamp_column": "updated_at",
        "pii": {"email": "hash", "ssn": "drop"},
    }
    document.update(overrides)
    return json.dumps(document)


def test_valid_config_is_parsed_with_declared_order_and_defaults() -> None:
    config = parse_curation_config(_config_json())

    assert list(config.columns) == ["order_id", "email", "updated_at"]
    assert config.columns["order_id"] == LongType()
    assert config.columns["email"] == StringType()
    assert config.columns["updated_at"] == TimestampType()
    assert config.key_columns == ("order_id",)
    assert config.timestamp_column == "updated_at"
    assert dict(config.pii) == {"email": PiiAction.HASH, "ssn": PiiAction.DROP}
    assert config.hashed_columns == ("email",)
    assert config.dropped_columns == ("ssn",)
    assert config.partition_column == "ingest_date"


def test_pii_and_partition_column_are_optional() -> None:
    document = json.loads(_config_json())
    del document["pii"]
    config = parse_curation_config(json.dumps(document))

    assert dict(config.pii) == {}
    assert parse_curation_config(_config_json(partition_column="event_date")).partition_column == "event_date"


def test_config_cannot_be_modified() -> None:
    config = parse_curation_config(_config_json())

    with pytest.raises(TypeError):
        config.columns["extra"] = IntegerType()  # type: ignore[index]


@pytest.mark.parametrize(
    ("type_name", "expected"),
    [
        ("int", IntegerType()),
        ("INTEGER", IntegerType()),
        ("long", LongType()),
        ("decimal(10,2)", DecimalType(10, 2)),
        (" Decimal( 38 , 0 ) ", DecimalType(38, 0)),
    ],
)
def test_spark_type_names(type_name: str, expected: object) -> None:
    assert parse_spark_type(type_name) == expected


@pytest.mark.parametrize("type_name", ["varchar", "decimal", "decimal(39,2)", "decimal(4,5)", "array<int>"])
def test_unsupported_spark_type_names(type_name: str) -> None:
    with pytest.raises(ValueError, match=r"decimal|unsupported"):
        parse_spark_type(type_name)


def test_every_problem_is_reported_at_once() -> None:
    config_json = _config_json(
        columns={"order_id": "bigint", "email": "int", "updated_at": "date", "bad name": "string"},
        key_columns=["order_id", "customer_id"],
        pii={"email": "hash", "ssn": "encrypt", "updated_at": "drop"},
        partition_column="order_id",
        shema={},
    )

    with pytest.raises(ConfigError) as raised:
        parse_curation_config(config_json)

    assert sorted(raised.value.problems) == sorted(
        [
            "unknown key 'shema' (known: columns, key_columns, partition_column, pii, timestamp_column)",
            "columns: column name 'bad name' must match ^[A-Za-z_][A-Za-z0-9_]*$",
            "key_columns: 'customer_id' is not declared in columns",
            "timestamp_column: 'updated_at' is declared as date, must be timestamp",
            "pii: hashed column 'email' must be declared as string (the hash's type), not int",
            "pii: action for 'ssn' must be 'hash' or 'drop', got 'encrypt'",
            "pii: dropped column 'updated_at' must not be declared in columns",
            "partition_column: 'order_id' collides with a configured column",
        ]
    )
    assert "customer_id" in str(raised.value)


@pytest.mark.parametrize(
    ("config_json", "expected_problem"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object, got list"),
        ('{"key_columns": ["id"], "timestamp_column": "ts"}', "columns: required"),
        (_config_json(key_columns=[]), "key_columns: required"),
        (_config_json(key_columns=["order_id", "order_id"]), "key_columns: duplicate names"),
        (_config_json(timestamp_column=None), "timestamp_column: required"),
        (_config_json(columns={"order_id": "bigint", "email": "string"}), "'updated_at' is not declared"),
        (_config_json(pii={"phone": "hash"}), "hashed column 'phone' must be declared in columns"),
        (_config_json(pii=["email"]), "pii: must be an object"),
        (
            _config_json(columns={"order_id": "bigint", "email": 5, "updated_at": "timestamp"}),
            "type of 'email'",
        ),
        (_config_json(partition_column="__csg_date"), "'__csg_date' is reserved"),
        (_config_json(partition_column="quarantine_reason"), "'quarantine_reason' is reserved"),
    ],
)
def test_invalid_configs_name_the_problem(config_json: str, expected_problem: str) -> None:
    with pytest.raises(ConfigError, match=expected_problem):
        parse_curation_config(config_json)
