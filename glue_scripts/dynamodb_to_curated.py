"""Glue 5.0 job: a DynamoDB table -> curated Parquet.

Glue job bookmarks do not track DynamoDB sources, so every run scans the whole table and replaces
the curated and quarantine outputs with the new snapshot. Job arguments (besides JOB_NAME, which
Glue passes):

* ``--source_table_name``: the DynamoDB table to scan.
* the common ones of ``curation_job``: ``--curation_config``, ``--curated_path``,
  ``--quarantine_path``, ``--pii_salt_secret_id``.

awsglue is imported inside ``main`` only, so this module imports where awsglue is not installed.
"""

from __future__ import annotations

import logging
import sys

import boto3
from curation_config import parse_curation_config
from curation_job import (
    COMMON_REQUIRED_ARGUMENTS,
    CURATED_PATH_ARGUMENT,
    CURATION_CONFIG_ARGUMENT,
    PII_SALT_SECRET_ARGUMENT,
    QUARANTINE_PATH_ARGUMENT,
    curate,
    optional_argument,
    read_pii_salt,
)

SOURCE_TABLE_NAME_ARGUMENT = "source_table_name"
# Stable transformation_ctx names keep the job's bookmark state consistent across runs.
SOURCE_TRANSFORMATION_CTX = "dynamodb_source"
RESOLVE_CHOICE_TRANSFORMATION_CTX = "dynamodb_resolve_choice"
# Share of the table's read capacity the scan may use, leaving the rest to the application.
READ_THROUGHPUT_PERCENT = "0.5"


def main() -> None:
    """Run the job with the arguments Glue passes in ``sys.argv``."""
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    logging.basicConfig(level=logging.INFO)
    arguments = getResolvedOptions(
        sys.argv, ["JOB_NAME", SOURCE_TABLE_NAME_ARGUMENT, *COMMON_REQUIRED_ARGUMENTS]
    )
    config = parse_curation_config(arguments[CURATION_CONFIG_ARGUMENT])
    pii_salt = read_pii_salt(
        config, optional_argument(sys.argv, PII_SALT_SECRET_ARGUMENT), boto3.client("secretsmanager")
    )

    glue_context = GlueContext(SparkContext.getOrCreate())
    glue_context.spark_session.conf.set("spark.sql.session.timeZone", "UTC")
    job = Job(glue_context)
    job.init(arguments["JOB_NAME"], arguments)
    source = glue_context.create_dynamic_frame.from_options(
        connection_type="dynamodb",
        connection_options={
            "dynamodb.input.tableName": arguments[SOURCE_TABLE_NAME_ARGUMENT],
            "dynamodb.throughput.read.percent": READ_THROUGHPUT_PERCENT,
        },
        transformation_ctx=SOURCE_TRANSFORMATION_CTX,
    )
    # An attribute stored with different types in different items becomes a choice type; strings
    # let cast_to_schema judge every value against the declared type, row by row.
    raw = source.resolveChoice(
        choice="cast:string", transformation_ctx=RESOLVE_CHOICE_TRANSFORMATION_CTX
    ).toDF()
    curate(
        raw,
        config,
        pii_salt=pii_salt,
        curated_path=arguments[CURATED_PATH_ARGUMENT],
        quarantine_path=arguments[QUARANTINE_PATH_ARGUMENT],
        mode="overwrite",
    )
    job.commit()


if __name__ == "__main__":
    main()
