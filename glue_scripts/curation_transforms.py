"""Pure DataFrame transformations shared by the curation Glue jobs.

Every function takes DataFrames plus plain configuration and returns DataFrames; none reads,
writes or touches awsglue, so all of them run on a plain local SparkSession. ``transform`` composes
them into the pipeline both entry points use.

Quarantine reasons are ``"; "``-joined problem codes, one per problem found in the row:

* ``uncastable:<column>`` - a non-null value that cannot be represented in the declared type
  (unparseable, out of range, or a numeric value that would lose digits). For the timestamp column
  this is the "invalid timestamp" case.
* ``missing_key:<column>`` - a key column that is null or, for string keys, blank.
* ``missing_timestamp:<column>`` - the timestamp column is null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from curation_config import QUARANTINE_REASON_COLUMN, CurationConfig, PiiAction
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ByteType,
    DataType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    ShortType,
    StringType,
)

# Working columns between cast_to_schema and split_valid_and_quarantine. The config parser rejects
# declared columns with this prefix, so they cannot collide with data.
ORIGINAL_VALUES_COLUMN = "__csg_original_values"
ROW_PROBLEMS_COLUMN = "__csg_row_problems"
_ROW_RANK_COLUMN = "__csg_row_rank"

_NUMERIC_TYPES = (ByteType, ShortType, IntegerType, LongType, FloatType, DoubleType, DecimalType)
# Wide enough to show rounding of any value with up to 20 integer and 18 fractional digits.
_WIDE_DECIMAL = DecimalType(38, 18)


def _quoted(column_name: str) -> str:
    return "`" + column_name.replace("`", "``") + "`"


def _missing_columns(df: DataFrame, names: Iterable[str]) -> list[str]:
    present = set(df.columns)
    return [name for name in names if name not in present]


def _require_columns(df: DataFrame, names: Iterable[str], role: str) -> None:
    missing = _missing_columns(df, names)
    if missing:
        raise ValueError(f"{role} missing from the data: {', '.join(missing)}")


def apply_pii_policy(raw: DataFrame, pii: Mapping[str, PiiAction], *, salt: str) -> DataFrame:
    """Drop or hash the configured PII columns of ``raw``.

    A hashed value is the lowercase hex SHA-256 of ``salt`` followed by the value cast to string;
    equal inputs give equal hashes (joins still work) and null stays null.

    Raises:
        ValueError: a configured PII column is missing from ``raw``, or columns are to be hashed with
            an empty salt (an unsalted hash of an e-mail address is reversible by dictionary).
    """
    problems = [f"PII column {name!r} is missing from the data" for name in _missing_columns(raw, pii)]
    hashed = [name for name, action in pii.items() if action is PiiAction.HASH]
    if hashed and not salt:
        problems.append(f"hashing {', '.join(hashed)} needs a non-empty salt")
    if problems:
        raise ValueError("; ".join(problems))
    dropped = [name for name, action in pii.items() if action is PiiAction.DROP]
    return raw.drop(*dropped).withColumns(
        {name: F.sha2(F.concat(F.lit(salt), F.col(name).cast(StringType())), 256) for name in hashed}
    )


def _typed_value(name: str, source_type: DataType, target_type: DataType) -> Column:
    if source_type == target_type:
        return F.col(name)
    # try_cast yields null instead of failing on bad input whatever spark.sql.ansi.enabled says.
    return F.expr(f"try_cast({_quoted(name)} AS {target_type.simpleString()})")


def _is_uncastable(name: str, source_type: DataType, target_type: DataType) -> Column:
    original = F.col(name)
    typed = _typed_value(name, source_type, target_type)
    cast_failed = original.isNotNull() & typed.isNull()
    # Some casts succeed while dropping digits (1.5 -> 1, "1.234" -> 1.23); comparing the result
    # with the input, both in a type that holds each, exposes the loss.
    if isinstance(source_type, _NUMERIC_TYPES) and isinstance(target_type, _NUMERIC_TYPES):
        return cast_failed | (typed.cast(source_type) != original)
    if isinstance(source_type, StringType) and isinstance(target_type, DecimalType):
        wide = _WIDE_DECIMAL.simpleString()
        return cast_failed | (typed.cast(_WIDE_DECIMAL) != F.expr(f"try_cast({_quoted(name)} AS {wide})"))
    return cast_failed


def cast_to_schema(raw: DataFrame, columns: Mapping[str, DataType]) -> DataFrame:
    """Cast ``raw`` to the declared ``columns``, flagging rather than nulling uncastable values.

    Returns the declared columns, in declared order and with the declared types, plus two working
    columns: ``ORIGINAL_VALUES_COLUMN`` (struct of the input values as strings, for quarantine) and
    ``ROW_PROBLEMS_COLUMN`` (array of ``uncastable:<column>`` codes, empty for a clean row).
    Columns of ``raw`` that are not declared are not carried over.

    Raises:
        ValueError: a declared column is missing from ``raw``.
    """
    _require_columns(raw, columns, "declared columns")
    source_types = {field.name: field.dataType for field in raw.schema.fields}
    problems = F.array(
        *[
            F.when(_is_uncastable(name, source_types[name], target_type), F.lit(f"uncastable:{name}"))
            for name, target_type in columns.items()
        ]
    )
    return raw.select(
        *[
            _typed_value(name, source_types[name], target_type).alias(name)
            for name, target_type in columns.items()
        ],
        F.struct(*[F.col(name).cast(StringType()).alias(name) for name in columns]).alias(
            ORIGINAL_VALUES_COLUMN
        ),
        F.array_compact(problems).alias(ROW_PROBLEMS_COLUMN),
    )


def flag_missing_key_and_timestamp(
    checked: DataFrame, key_columns: Iterable[str], timestamp_column: str
) -> DataFrame:
    """Append ``missing_key`` / ``missing_timestamp`` codes to the row problems of ``checked``.

    ``checked`` is the output of ``cast_to_schema``. A key is missing when its input value was null
    or, for a string key, blank. The timestamp is missing when its input value was null (a present
    but unparseable timestamp is already flagged ``uncastable``).
    """
    original_values = F.col(ORIGINAL_VALUES_COLUMN)
    column_types = {field.name: field.dataType for field in checked.schema.fields}
    missing_flags = []
    for key in key_columns:
        missing = original_values[key].isNull()
        if isinstance(column_types[key], StringType):
            missing = missing | (F.trim(F.col(key)) == "")
        missing_flags.append(F.when(missing, F.lit(f"missing_key:{key}")))
    missing_flags.append(
        F.when(original_values[timestamp_column].isNull(), F.lit(f"missing_timestamp:{timestamp_column}"))
    )
    return checked.withColumn(
        ROW_PROBLEMS_COLUMN,
        F.concat(F.col(ROW_PROBLEMS_COLUMN), F.array_compact(F.array(*missing_flags))),
    )


def split_valid_and_quarantine(checked: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Split checked rows into (valid, quarantine); every input row lands in exactly one of them.

    ``valid`` has the typed declared columns of the rows without problems. ``quarantine`` has, for
    every other row, the input values of the declared columns as strings plus
    ``QUARANTINE_REASON_COLUMN`` (the row's problem codes joined with ``"; "``).
    """
    has_problems = F.size(F.col(ROW_PROBLEMS_COLUMN)) > 0
    valid = checked.where(~has_problems).drop(ORIGINAL_VALUES_COLUMN, ROW_PROBLEMS_COLUMN)
    quarantine = checked.where(has_problems).select(
        f"{ORIGINAL_VALUES_COLUMN}.*",
        F.array_join(F.col(ROW_PROBLEMS_COLUMN), "; ").alias(QUARANTINE_REASON_COLUMN),
    )
    return valid, quarantine


def deduplicate_latest(df: DataFrame, key_columns: Iterable[str], timestamp_column: str) -> DataFrame:
    """Keep one row per key: the one with the latest ``timestamp_column``.

    Rows with equal key and timestamp are told apart by the remaining columns in column order,
    greatest value first and nulls last, so the survivor depends on the data only, never on the
    input order or partitioning.
    """
    keys = list(key_columns)
    tie_breakers = [name for name in df.columns if name not in keys and name != timestamp_column]
    latest_first = Window.partitionBy(*keys).orderBy(
        *[F.col(name).desc_nulls_last() for name in [timestamp_column, *tie_breakers]]
    )
    return (
        df.withColumn(_ROW_RANK_COLUMN, F.row_number().over(latest_first))
        .where(F.col(_ROW_RANK_COLUMN) == 1)
        .drop(_ROW_RANK_COLUMN)
    )


def add_partition_column(df: DataFrame, timestamp_column: str, partition_column: str) -> DataFrame:
    """Add ``partition_column``: the date (yyyy-MM-dd) of ``timestamp_column`` in the session time zone.

    The jobs pin the session time zone to UTC so a record's partition does not depend on where the
    job runs.
    """
    return df.withColumn(partition_column, F.to_date(F.col(timestamp_column)))


def transform(raw: DataFrame, config: CurationConfig, *, pii_salt: str) -> tuple[DataFrame, DataFrame]:
    """Turn raw source rows into (curated, quarantine).

    Steps: PII policy, cast to the declared schema, flag missing keys and timestamps, quarantine the
    rows with problems, keep the latest version of each key, add the partition column. Every input
    row is either quarantined, curated, or superseded by a later version of its key. PII is handled
    first so that quarantined rows do not carry it either.

    Raises:
        ValueError: listing every configured PII column and every declared column missing from
            ``raw``, and an empty salt when columns are to be hashed.
    """
    problems = [f"PII column {name!r} is missing from the data" for name in _missing_columns(raw, config.pii)]
    problems += [
        f"declared column {name!r} is missing from the data"
        for name in _missing_columns(raw, config.columns)
        if name not in config.pii
    ]
    if config.hashed_columns and not pii_salt:
        problems.append(f"hashing {', '.join(config.hashed_columns)} needs a non-empty salt")
    if problems:
        raise ValueError("; ".join(problems))

    protected = apply_pii_policy(raw, config.pii, salt=pii_salt)
    checked = flag_missing_key_and_timestamp(
        cast_to_schema(protected, config.columns), config.key_columns, config.timestamp_column
    )
    valid, quarantine = split_valid_and_quarantine(checked)
    curated = add_partition_column(
        deduplicate_latest(valid, config.key_columns, config.timestamp_column),
        config.timestamp_column,
        config.partition_column,
    )
    return curated, quarantine
