"""Configuration of one curation job, parsed from the ``--curation_config`` JSON job argument.

Shipped to Glue with ``--extra-py-files`` next to ``curation_transforms.py`` and imported as a
top-level module, so it must not import anything from this repository by package path.

Example argument value::

    {"columns": {"order_id": "bigint", "customer_email": "string",
                 "amount": "decimal(10,2)", "updated_at": "timestamp"},
     "key_columns": ["order_id"],
     "timestamp_column": "updated_at",
     "pii": {"customer_email": "hash", "ssn": "drop"},
     "partition_column": "ingest_date"}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any

from pyspark.sql.types import (
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    ShortType,
    StringType,
    TimestampType,
)

# Names end up as Parquet column names and Hive partition directories (``name=value``), and are
# spliced into Spark SQL; a conservative identifier rule keeps all three unambiguous.
COLUMN_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# The quarantine output's extra column; a declared column of that name would be shadowed.
QUARANTINE_REASON_COLUMN = "quarantine_reason"

# Prefix of the transforms' working columns; declared columns may not use it.
RESERVED_COLUMN_PREFIX = "__csg_"

DEFAULT_PARTITION_COLUMN = "ingest_date"

_SIMPLE_TYPES: Mapping[str, DataType] = MappingProxyType(
    {
        "string": StringType(),
        "boolean": BooleanType(),
        "smallint": ShortType(),
        "int": IntegerType(),
        "integer": IntegerType(),
        "bigint": LongType(),
        "long": LongType(),
        "float": FloatType(),
        "double": DoubleType(),
        "date": DateType(),
        "timestamp": TimestampType(),
    }
)
_DECIMAL_PATTERN = re.compile(r"^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$")
_MAX_DECIMAL_PRECISION = 38
_KNOWN_KEYS = frozenset({"columns", "key_columns", "timestamp_column", "pii", "partition_column"})


class PiiAction(Enum):
    """What happens to a PII column before any row leaves the job."""

    HASH = "hash"
    """Replace each non-null value by the hex SHA-256 of salt + value (nulls stay null)."""
    DROP = "drop"
    """Remove the column entirely, from the curated and the quarantine output."""


class ConfigError(ValueError):
    """The curation configuration is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid curation config:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True, kw_only=True)
class CurationConfig:
    """What one curation job reads, validates and writes.

    Attributes:
        columns: Curated schema, in output order: column name -> Spark type. Input columns not
            named here are not carried over. No default.
        key_columns: Columns identifying a record; rows are de-duplicated on them. No default.
        timestamp_column: Timestamp-typed declared column telling which version of a record is the
            latest; also the source of the partition column. No default.
        pii: PII column name -> action. HASH columns must be declared as ``string`` (the hash's
            type); DROP columns must not be declared (they are not part of the output). Default:
            empty, i.e. no PII handling.
        partition_column: Name of the date column derived from ``timestamp_column`` that the
            curated Parquet is partitioned by. Default: ``"ingest_date"``.
    """

    columns: Mapping[str, DataType]
    key_columns: tuple[str, ...]
    timestamp_column: str
    pii: Mapping[str, PiiAction] = field(default_factory=lambda: MappingProxyType({}))
    partition_column: str = DEFAULT_PARTITION_COLUMN

    @property
    def hashed_columns(self) -> tuple[str, ...]:
        """PII columns whose values are hashed, in configuration order."""
        return tuple(name for name, action in self.pii.items() if action is PiiAction.HASH)

    @property
    def dropped_columns(self) -> tuple[str, ...]:
        """PII columns removed from the data, in configuration order."""
        return tuple(name for name, action in self.pii.items() if action is PiiAction.DROP)


def parse_spark_type(type_name: str) -> DataType:
    """Return the Spark type for a type name such as ``bigint`` or ``decimal(10,2)``.

    Raises:
        ValueError: the name is not one of the supported types.
    """
    normalized = type_name.strip().lower()
    if normalized in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[normalized]
    decimal_match = _DECIMAL_PATTERN.match(normalized)
    if decimal_match:
        precision, scale = int(decimal_match.group(1)), int(decimal_match.group(2))
        if not 1 <= precision <= _MAX_DECIMAL_PRECISION or scale > precision:
            raise ValueError(
                f"decimal({precision},{scale}) needs 1 <= precision <= {_MAX_DECIMAL_PRECISION}"
                " and scale <= precision"
            )
        return DecimalType(precision, scale)
    supported = ", ".join([*_SIMPLE_TYPES, "decimal(p,s)"])
    raise ValueError(f"unsupported type {type_name!r} (supported: {supported})")


def parse_curation_config(config_json: str) -> CurationConfig:
    """Parse and validate the ``--curation_config`` job argument.

    Raises:
        ConfigError: listing every problem found, not just the first.
    """
    try:
        document = json.loads(config_json)
    except json.JSONDecodeError as error:
        raise ConfigError([f"not valid JSON: {error}"]) from error
    if not isinstance(document, dict):
        raise ConfigError([f"must be a JSON object, got {type(document).__name__}"])

    problems: list[str] = [
        f"unknown key {key!r} (known: {', '.join(sorted(_KNOWN_KEYS))})"
        for key in document
        if key not in _KNOWN_KEYS
    ]
    columns = _parse_columns(document.get("columns"), problems)
    key_columns = _parse_key_columns(document.get("key_columns"), columns, problems)
    timestamp_column = _parse_timestamp_column(document.get("timestamp_column"), columns, problems)
    pii = _parse_pii(document.get("pii", {}), columns, problems)
    partition_column = _parse_partition_column(
        document.get("partition_column", DEFAULT_PARTITION_COLUMN), columns, pii, problems
    )
    if problems:
        raise ConfigError(problems)
    return CurationConfig(
        columns=MappingProxyType(columns),
        key_columns=tuple(key_columns),
        timestamp_column=timestamp_column,
        pii=MappingProxyType(pii),
        partition_column=partition_column,
    )


def _name_problem(where: str, name: object) -> str | None:
    if not isinstance(name, str):
        return f"{where}: column names must be strings, got {name!r}"
    if not COLUMN_NAME_PATTERN.match(name):
        return f"{where}: column name {name!r} must match {COLUMN_NAME_PATTERN.pattern}"
    if name.startswith(RESERVED_COLUMN_PREFIX) or name == QUARANTINE_REASON_COLUMN:
        return f"{where}: column name {name!r} is reserved"
    return None


def _parse_columns(raw: Any, problems: list[str]) -> dict[str, DataType]:
    if not isinstance(raw, dict) or not raw:
        problems.append("columns: required, a non-empty object of column name -> type name")
        return {}
    columns: dict[str, DataType] = {}
    for name, type_name in raw.items():
        name_problem = _name_problem("columns", name)
        if name_problem:
            problems.append(name_problem)
            continue
        if not isinstance(type_name, str):
            problems.append(f"columns: type of {name!r} must be a string, got {type_name!r}")
            continue
        try:
            columns[name] = parse_spark_type(type_name)
        except ValueError as error:
            problems.append(f"columns: {name!r}: {error}")
    return columns


def _parse_key_columns(raw: Any, columns: Mapping[str, DataType], problems: list[str]) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(name, str) for name in raw):
        problems.append("key_columns: required, a non-empty list of column names")
        return []
    if len(set(raw)) != len(raw):
        problems.append(f"key_columns: duplicate names in {raw!r}")
    problems.extend(
        f"key_columns: {name!r} is not declared in columns" for name in raw if name not in columns
    )
    return list(raw)


def _parse_timestamp_column(raw: Any, columns: Mapping[str, DataType], problems: list[str]) -> str:
    if not isinstance(raw, str) or not raw:
        problems.append("timestamp_column: required, a column name")
        return ""
    if raw not in columns:
        problems.append(f"timestamp_column: {raw!r} is not declared in columns")
    elif not isinstance(columns[raw], TimestampType):
        problems.append(
            f"timestamp_column: {raw!r} is declared as {columns[raw].simpleString()}, must be timestamp"
        )
    return raw


def _parse_pii(raw: Any, columns: Mapping[str, DataType], problems: list[str]) -> dict[str, PiiAction]:
    if not isinstance(raw, dict):
        problems.append("pii: must be an object of column name -> 'hash' or 'drop'")
        return {}
    pii: dict[str, PiiAction] = {}
    for name, action_name in raw.items():
        name_problem = _name_problem("pii", name)
        if name_problem:
            problems.append(name_problem)
            continue
        try:
            action = PiiAction(action_name)
        except ValueError:
            problems.append(f"pii: action for {name!r} must be 'hash' or 'drop', got {action_name!r}")
            continue
        if action is PiiAction.HASH:
            if name not in columns:
                problems.append(f"pii: hashed column {name!r} must be declared in columns (as string)")
            elif not isinstance(columns[name], StringType):
                problems.append(
                    f"pii: hashed column {name!r} must be declared as string (the hash's type),"
                    f" not {columns[name].simpleString()}"
                )
        elif name in columns:
            problems.append(f"pii: dropped column {name!r} must not be declared in columns")
        pii[name] = action
    return pii


def _parse_partition_column(
    raw: Any, columns: Mapping[str, DataType], pii: Mapping[str, PiiAction], problems: list[str]
) -> str:
    name_problem = _name_problem("partition_column", raw)
    if name_problem:
        problems.append(name_problem)
        return DEFAULT_PARTITION_COLUMN
    if raw in columns or raw in pii:
        problems.append(f"partition_column: {raw!r} collides with a configured column")
    return str(raw)
