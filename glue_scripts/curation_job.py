"""Job plumbing shared by the curation entry points: arguments, the PII salt, and the writes.

Nothing here imports awsglue, so this module (like the entry points at import time) runs on a
plain PySpark installation; ``curate`` is the whole read-independent part of a job run.

Job arguments every entry point takes (Glue passes each as ``--<name> <value>``):

* ``--curation_config`` (required): the JSON read by ``curation_config.parse_curation_config``.
* ``--curated_path`` (required): where the curated Parquet goes, e.g. ``s3://bucket/orders/``.
* ``--quarantine_path`` (required): where quarantined rows go, e.g. ``s3://bucket/quarantine/orders/``;
  must not lie inside ``--curated_path`` or contain it.
* ``--pii_salt_secret_id`` (required only if the config hashes a column): name or ARN of the Secrets
  Manager secret whose SecretString salts the PII hashes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from curation_config import CurationConfig
from curation_transforms import transform
from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

LOG = logging.getLogger(__name__)

# Job arguments (passed as --<name> <value>) that every curation entry point requires.
CURATION_CONFIG_ARGUMENT = "curation_config"
CURATED_PATH_ARGUMENT = "curated_path"
QUARANTINE_PATH_ARGUMENT = "quarantine_path"
COMMON_REQUIRED_ARGUMENTS = (CURATION_CONFIG_ARGUMENT, CURATED_PATH_ARGUMENT, QUARANTINE_PATH_ARGUMENT)
# Optional; required when the configuration hashes a column.
PII_SALT_SECRET_ARGUMENT = "pii_salt_secret_id"  # noqa: S105 - the name of an argument, not a secret

WriteMode = Literal["append", "overwrite"]


class SecretsManagerClient(Protocol):
    """The part of a boto3 Secrets Manager client that ``read_pii_salt`` uses."""

    def get_secret_value(self, *, SecretId: str) -> Mapping[str, Any]:
        """Return the secret's current version."""


@dataclass(frozen=True, kw_only=True)
class CurationCounts:
    """Row counts of one run; ``superseded_rows`` are older versions of a curated key.

    Attributes:
        input_rows: Rows read from the source. No default.
        curated_rows: Rows written to the curated output. No default.
        quarantined_rows: Rows written to the quarantine output. No default.
    """

    input_rows: int
    curated_rows: int
    quarantined_rows: int

    @property
    def superseded_rows(self) -> int:
        """Valid rows dropped because a later version of their key was curated."""
        return self.input_rows - self.curated_rows - self.quarantined_rows


def optional_argument(argv: Sequence[str], name: str) -> str | None:
    """Return the value of the optional job argument ``--<name>`` in ``argv``, or None if absent.

    awsglue's getResolvedOptions treats every name it is given as required, hence this.

    Raises:
        ValueError: ``--<name>`` is the last token, so it has no value.
    """
    flag = f"--{name}"
    for index, token in enumerate(argv):
        if token == flag:
            if index + 1 == len(argv):
                raise ValueError(f"job argument {flag} has no value")
            return argv[index + 1]
        if token.startswith(f"{flag}="):
            return token[len(flag) + 1 :]
    return None


def read_pii_salt(config: CurationConfig, secret_id: str | None, secrets_client: SecretsManagerClient) -> str:
    """Return the salt for hashing PII: the SecretString of ``secret_id``, or "" if nothing is hashed.

    The salt lives in Secrets Manager rather than in a job argument because job arguments are
    readable by anyone who can describe the job.

    Raises:
        ValueError: columns are hashed but no secret is named, or the secret's string is empty.
    """
    if not config.hashed_columns:
        return ""
    if not secret_id:
        raise ValueError(
            f"--{PII_SALT_SECRET_ARGUMENT} is required because the config hashes"
            f" {', '.join(config.hashed_columns)}"
        )
    salt = secrets_client.get_secret_value(SecretId=secret_id).get("SecretString")
    if not isinstance(salt, str) or not salt:
        raise ValueError(f"secret {secret_id!r} has no non-empty SecretString to use as the PII salt")
    return salt


def check_output_paths(curated_path: str, quarantine_path: str) -> None:
    """Refuse output paths of which one lies inside the other.

    An overwrite of one would delete the other, and readers of the outer one would pick up the
    inner one's files.

    Raises:
        ValueError: the paths are equal or nested.
    """
    curated_prefix, quarantine_prefix = curated_path.rstrip("/") + "/", quarantine_path.rstrip("/") + "/"
    if curated_prefix.startswith(quarantine_prefix) or quarantine_prefix.startswith(curated_prefix):
        raise ValueError(f"curated path {curated_path!r} and quarantine path {quarantine_path!r} overlap")


def write_curated(curated: DataFrame, path: str, *, partition_column: str, mode: WriteMode) -> None:
    """Write ``curated`` as Parquet under ``path``, one ``<partition_column>=yyyy-MM-dd`` folder per date.

    ``overwrite`` replaces everything under ``path`` (a full snapshot), whatever the session's
    partitionOverwriteMode says.
    """
    (
        # One file per date and run instead of one per shuffle partition.
        curated.repartition(F.col(partition_column))
        .write.mode(mode)
        .option("partitionOverwriteMode", "static")
        .partitionBy(partition_column)
        .parquet(path)
    )


def write_quarantine(quarantine: DataFrame, path: str, *, mode: WriteMode) -> None:
    """Write ``quarantine`` as unpartitioned Parquet under ``path``.

    Not partitioned by date: a quarantined row's timestamp may be the very thing that is broken.
    """
    quarantine.coalesce(1).write.mode(mode).parquet(path)


def curate(
    raw: DataFrame,
    config: CurationConfig,
    *,
    pii_salt: str,
    curated_path: str,
    quarantine_path: str,
    mode: WriteMode,
) -> CurationCounts:
    """Transform ``raw`` and write the curated and quarantine outputs; return the row counts.

    ``raw`` is persisted for the run: both outputs and the counts derive from it, and reading the
    source again could see different rows (and cost a second JDBC or DynamoDB scan). In ``append``
    mode an empty quarantine is not written, to avoid an empty file per run.

    Raises:
        ValueError: the output paths overlap (see ``check_output_paths``).
    """
    check_output_paths(curated_path, quarantine_path)
    raw = raw.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        curated, quarantine = transform(raw, config, pii_salt=pii_salt)
        input_rows = raw.count()
        quarantined_rows = quarantine.count()
        write_curated(curated, curated_path, partition_column=config.partition_column, mode=mode)
        if quarantined_rows or mode == "overwrite":
            write_quarantine(quarantine, quarantine_path, mode=mode)
        counts = CurationCounts(
            input_rows=input_rows, curated_rows=curated.count(), quarantined_rows=quarantined_rows
        )
    finally:
        raw.unpersist()
    LOG.info(
        "curated %d rows, quarantined %d, superseded %d, of %d input rows",
        counts.curated_rows,
        counts.quarantined_rows,
        counts.superseded_rows,
        counts.input_rows,
    )
    return counts
