"""GlueSecurityConfiguration: SSE-KMS for S3 output, KMS for CloudWatch logs, CSE-KMS for bookmarks, all
with our keys; a role using it may associate the logs key with its own log groups only."""

from pathlib import Path

from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    logical_id,
    reference,
    single,
    stack_json,
    statements_of_grants,
)


def test_every_kind_of_output_is_encrypted_with_our_keys(synth_dir: Path) -> None:
    dev: Synthesized = stack_json(synth_dir, "dev")
    configuration = single(dev, "aws_glue_security_configuration", "data-services/glue-security/")
    data_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/data-lake/"), "arn")
    logs_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/logs/"), "arn")
    assert configuration["encryption_configuration"] == {
        "s3_encryption": {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": data_key},
        "cloudwatch_encryption": {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": logs_key},
        "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": data_key},
    }


def test_a_job_may_associate_the_key_with_its_own_log_groups_only(synth_dir: Path) -> None:
    dev: Synthesized = stack_json(synth_dir, "dev")
    role = logical_id(dev, "aws_iam_role", "glue-job-rds/role/")
    (resource,) = actions_on(statements_of_grants(dev, role))["logs:AssociateKmsKey"]
    assert resource.endswith(":log-group:/aws-glue/jobs/csg-dev-curate-rds-orders*")
