"""The datasets the ETL jobs curate: where each comes from, its curated schema (the `--curation_config` job
argument, see glue_scripts/curation_config.py) and where its Parquet goes.

These are the platform's data contracts, kept apart from the constructs that move the data. A dataset
that hashes PII needs a salt secret (`--pii_salt_secret_id`); these ones only drop PII, so none is used.
"""

import json
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, kw_only=True)
class CuratedDataset:
    """One curated dataset. Its Parquet lands under s3://<curated>/<name>/, partitioned by `partition_column`
    (so the curated crawler names the catalog table `name`); rejected rows under s3://<curated>/quarantine/<name>/."""

    name: str
    """Required. Dataset (and curated table) name, lower-case with underscores."""
    source: Literal["rds", "dynamodb"]
    """Required. Where the job reads it."""
    source_table: str
    """Required. RDS: the table in the public schema; DynamoDB: a key of DataServices.tables."""
    columns: dict[str, str]
    """Required. Curated column name -> Spark type name, in output order."""
    key_columns: tuple[str, ...]
    """Required. Columns identifying a record (the latest version per key is kept)."""
    timestamp_column: str
    """Required. Timestamp column telling which version is the latest; partitions derive from it."""
    pii: dict[str, Literal["hash", "drop"]] = field(default_factory=dict)
    """Default none. PII column -> action."""
    partition_column: str = "ingest_date"
    """Default "ingest_date"."""

    @property
    def curated_prefix(self) -> str:
        return f"{self.name}/"

    @property
    def quarantine_prefix(self) -> str:
        return f"quarantine/{self.name}/"

    def curation_config_json(self) -> str:
        """The `--curation_config` argument."""
        document: dict[str, object] = {
            "columns": self.columns,
            "key_columns": list(self.key_columns),
            "timestamp_column": self.timestamp_column,
            "partition_column": self.partition_column,
        }
        if self.pii:
            document["pii"] = self.pii
        # Not sorted: the order of `columns` is the curated schema's column order.
        return json.dumps(document)


ORDERS = CuratedDataset(
    name="rds_orders",
    source="rds",
    source_table="orders",
    columns={
        "order_id": "bigint",
        "customer_id": "bigint",
        "status": "string",
        "amount": "decimal(12,2)",
        "currency": "string",
        "updated_at": "timestamp",
    },
    key_columns=("order_id",),
    timestamp_column="updated_at",
    pii={"customer_email": "drop"},
)
"""Orders from the application database (public.orders)."""

APPLICATION_ITEMS = CuratedDataset(
    name="dynamodb_application",
    source="dynamodb",
    source_table="application",
    columns={
        "pk": "string",
        "sk": "string",
        "entity_type": "string",
        "status": "string",
        "updated_at": "timestamp",
    },
    key_columns=("pk", "sk"),
    timestamp_column="updated_at",
)
"""Items of the application table."""

DATASETS: tuple[CuratedDataset, ...] = (ORDERS, APPLICATION_ITEMS)
