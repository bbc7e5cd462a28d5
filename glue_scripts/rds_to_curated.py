"""Glue 5.0 job: an RDS table, read over JDBC through the crawler's Glue catalog table -> curated Parquet.

Incremental: job bookmarks make each run read only rows past the previous run's bookmark, and the
outputs are appended. Job arguments (besides JOB_NAME, which Glue passes):

* ``--source_database``: Glue catalog database holding the crawled table.
* ``--source_table``: the crawled catalog table.
* ``--bookmark_keys`` (optional): comma-separated bookmark key columns, each strictly increasing
  (e.g. an identity column); by default Glue uses the primary key.
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

SOURCE_DATABASE_ARGUMENT = "source_database"
SOURCE_TABLE_ARGUMENT = "source_table"
BOOKMARK_KEYS_ARGUMENT = "bookmark_keys"
# Names the bookmark state of the source; renaming it makes the next run start from scratch.
SOURCE_TRANSFORMATION_CTX = "rds_source"


def main() -> None:
    """Run the job with the arguments Glue passes in ``sys.argv``."""
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    logging.basicConfig(level=logging.INFO)
    arguments = getResolvedOptions(
        sys.argv, ["JOB_NAME", SOURCE_DATABASE_ARGUMENT, SOURCE_TABLE_ARGUMENT, *COMMON_REQUIRED_ARGUMENTS]
    )
    config = parse_curation_config(arguments[CURATION_CONFIG_ARGUMENT])
    pii_salt = read_pii_salt(
        config, optional_argument(sys.argv, PII_SALT_SECRET_ARGUMENT), boto3.client("secretsmanager")
    )
    bookmark_keys = optional_argument(sys.argv, BOOKMARK_KEYS_ARGUMENT)

    glue_context = GlueContext(SparkContext.getOrCreate())
    glue_context.spark_session.conf.set("spark.sql.session.timeZone", "UTC")
    job = Job(glue_context)
    job.init(arguments["JOB_NAME"], arguments)
    source = glue_context.create_dynamic_frame.from_catalog(
        database=arguments[SOURCE_DATABASE_ARGUMENT],
        table_name=arguments[SOURCE_TABLE_ARGUMENT],
        transformation_ctx=SOURCE_TRANSFORMATION_CTX,
        additional_options=(
            {
                "jobBookmarkKeys": [key.strip() for key in bookmark_keys.split(",")],
                "jobBookmarkKeysSortOrder": "asc",
            }
            if bookmark_keys
            else {}
        ),
    )
    curate(
        source.toDF(),
        config,
        pii_salt=pii_salt,
        curated_path=arguments[CURATED_PATH_ARGUMENT],
        quarantine_path=arguments[QUARANTINE_PATH_ARGUMENT],
        mode="append",
    )
    job.commit()


if __name__ == "__main__":
    main()
