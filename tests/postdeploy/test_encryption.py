"""Encryption controls: data at rest under the platform's own keys, TLS required in transit."""

from typing import Any

import pytest

from tests.postdeploy.platform import Aws, Outputs, as_list, principals, statements

ENCRYPTION = "encryption"
DATA_BUCKETS = ("raw", "curated", "athena_results")


def _key_id(arn_or_id: str) -> str:
    """The key ID in a key ARN (services answer with either form)."""
    return arn_or_id.rsplit("/", 1)[-1]


def _same_key(aws: Aws, reported: str | None, expected_arn: str) -> bool:
    """Whether `reported` (key ID, key ARN or alias) is the key `expected_arn`."""
    if not reported:
        return False
    if _key_id(reported) == _key_id(expected_arn):
        return True
    described = aws.client("kms").describe_key(KeyId=reported)["KeyMetadata"]["Arn"]
    return bool(described == expected_arn)


def _bucket_sse(aws: Aws, bucket: str) -> dict[str, Any]:
    s3 = aws.client("s3")
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        raise AssertionError(f"{bucket}: no default encryption") from None
    assert len(rules) == 1, f"{bucket}: expected one default-encryption rule, got {rules}"
    return dict(rules[0]["ApplyServerSideEncryptionByDefault"])


@pytest.mark.control(ENCRYPTION, "S3 data buckets: default encryption SSE-KMS with the data-lake key")
@pytest.mark.parametrize("purpose", DATA_BUCKETS)
def test_data_bucket_default_encryption_uses_our_key(aws: Aws, outputs: Outputs, purpose: str) -> None:
    bucket = outputs.env("bucket_names")[purpose]
    default = _bucket_sse(aws, bucket)
    assert default["SSEAlgorithm"] == "aws:kms", f"{bucket}: default encryption is {default['SSEAlgorithm']}"
    expected = outputs.env("kms_key_arns")["data_lake"]
    assert _same_key(aws, default.get("KMSMasterKeyID"), expected), (
        f"{bucket}: default key {default.get('KMSMasterKeyID')} is not the data-lake key {expected}"
    )


@pytest.mark.control(ENCRYPTION, "S3 access-log bucket: default encryption SSE-S3 (required by log delivery)")
def test_access_log_bucket_default_encryption_is_sse_s3(aws: Aws, outputs: Outputs) -> None:
    bucket = outputs.env("bucket_names")["access_logs"]
    assert _bucket_sse(aws, bucket)["SSEAlgorithm"] == "AES256", f"{bucket}: not SSE-S3"


def _denies_insecure_transport(statement: dict[str, Any], bucket: str) -> bool:
    actions = as_list(statement.get("Action"))
    resources = set(as_list(statement.get("Resource")))
    condition = statement.get("Condition", {}).get("Bool", {})
    return (
        statement.get("Effect") == "Deny"
        and "*" in principals(statement)
        and any(action in ("s3:*", "*") for action in actions)
        and {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"} <= resources
        and as_list(condition.get("aws:SecureTransport")) in (["false"], [False])
    )


@pytest.mark.control(ENCRYPTION, "S3 buckets: policy denies every request not sent over TLS")
@pytest.mark.parametrize("purpose", (*DATA_BUCKETS, "access_logs"))
def test_bucket_policy_denies_insecure_transport(aws: Aws, outputs: Outputs, purpose: str) -> None:
    bucket = outputs.env("bucket_names")[purpose]
    policy = aws.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
    assert any(_denies_insecure_transport(statement, bucket) for statement in statements(policy)), (
        f"{bucket}: no statement denies s3:* on the bucket and its objects when aws:SecureTransport is false"
    )


def _platform_key_arns(outputs: Outputs) -> dict[str, str]:
    keys = {f"environment {name}": arn for name, arn in outputs.env("kms_key_arns").items()}
    keys["account ebs"] = outputs.acct("ebs_default_kms_key_arn")
    return keys


@pytest.mark.control(ENCRYPTION, "KMS: automatic rotation on for every customer-managed key")
def test_every_customer_managed_key_rotates(aws: Aws, outputs: Outputs) -> None:
    kms = aws.client("kms")
    not_rotating = []
    for name, arn in _platform_key_arns(outputs).items():
        metadata = kms.describe_key(KeyId=arn)["KeyMetadata"]
        assert metadata["KeyManager"] == "CUSTOMER", f"{name} key {arn} is not customer-managed"
        assert metadata["KeyState"] == "Enabled", f"{name} key {arn} is {metadata['KeyState']}"
        if not kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"]:
            not_rotating.append(f"{name} ({arn})")
    assert not not_rotating, f"key rotation is off for: {', '.join(not_rotating)}"


@pytest.mark.control(ENCRYPTION, "EBS: encryption by default on, with the account's EBS key")
def test_ebs_encryption_by_default(aws: Aws, outputs: Outputs) -> None:
    ec2 = aws.client("ec2")
    assert ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True, (
        "EBS encryption by default is off"
    )
    default_key = ec2.get_ebs_default_kms_key_id()["KmsKeyId"]
    assert _same_key(aws, default_key, outputs.acct("ebs_default_kms_key_arn")), (
        f"EBS default key is {default_key}, not the account's EBS key"
    )


@pytest.mark.control(ENCRYPTION, "EBS: the app host's volumes are encrypted")
def test_app_host_volumes_encrypted(aws: Aws, outputs: Outputs) -> None:
    ec2 = aws.client("ec2")
    instance_id = outputs.env("app_host_instance_id")
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    mappings = reservations[0]["Instances"][0].get("BlockDeviceMappings", [])
    volume_ids = [mapping["Ebs"]["VolumeId"] for mapping in mappings if "Ebs" in mapping]
    assert volume_ids, f"{instance_id} has no EBS volumes to check"
    for volume in ec2.describe_volumes(VolumeIds=volume_ids)["Volumes"]:
        assert volume["Encrypted"], f"volume {volume['VolumeId']} of {instance_id} is not encrypted"
        assert volume.get("KmsKeyId"), f"volume {volume['VolumeId']} names no KMS key"


def _flow_log_group(aws: Aws, outputs: Outputs) -> str:
    flow_logs = aws.client("ec2").describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [outputs.env("vpc_id")]}]
    )["FlowLogs"]
    assert flow_logs, f"VPC {outputs.env('vpc_id')} has no flow log"
    return str(flow_logs[0]["LogGroupName"])


@pytest.mark.control(ENCRYPTION, "CloudWatch Logs: platform log groups encrypted with the logs key")
def test_log_groups_encrypted_with_logs_key(aws: Aws, outputs: Outputs) -> None:
    logs = aws.client("logs")
    expected = outputs.env("kms_key_arns")["logs"]
    names = {
        _flow_log_group(aws, outputs),
        outputs.env("trail_log_group_name"),
        f"/aws/lambda/{outputs.env('ingest_function_name')}",
        f"/aws/lambda/{outputs.env('rotation_function_name')}",
    }
    for name in sorted(names):
        found = [
            group
            for group in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
            if group["logGroupName"] == name
        ]
        assert found, f"log group {name} does not exist"
        assert found[0].get("kmsKeyId") == expected, (
            f"log group {name} is encrypted with {found[0].get('kmsKeyId')!r}, not the logs key {expected}"
        )
        assert found[0].get("retentionInDays"), f"log group {name} keeps logs forever (no retention)"


@pytest.mark.control(ENCRYPTION, "RDS: storage and Performance Insights encrypted with the database key")
def test_rds_storage_and_performance_insights_encrypted(aws: Aws, outputs: Outputs) -> None:
    instance = aws.client("rds").describe_db_instances(
        DBInstanceIdentifier=outputs.env("database_instance_id")
    )["DBInstances"][0]
    expected = outputs.env("kms_key_arns")["database"]
    assert instance["StorageEncrypted"], "RDS storage is not encrypted"
    assert _same_key(aws, instance.get("KmsKeyId"), expected), (
        f"RDS storage key is {instance.get('KmsKeyId')}"
    )
    assert instance.get("PerformanceInsightsEnabled"), "Performance Insights is off"
    assert _same_key(aws, instance.get("PerformanceInsightsKMSKeyId"), expected), (
        f"Performance Insights key is {instance.get('PerformanceInsightsKMSKeyId')}, not the database key"
    )


@pytest.mark.control(ENCRYPTION, "RDS: rds.force_ssl = 1 in the instance's parameter group")
def test_rds_forces_tls(aws: Aws, outputs: Outputs) -> None:
    rds = aws.client("rds")
    instance = rds.describe_db_instances(DBInstanceIdentifier=outputs.env("database_instance_id"))[
        "DBInstances"
    ][0]
    groups = [group["DBParameterGroupName"] for group in instance["DBParameterGroups"]]
    assert groups, "the instance has no parameter group"
    values = {
        parameter["ParameterName"]: parameter.get("ParameterValue")
        for group in groups
        for page in rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=group)
        for parameter in page["Parameters"]
    }
    assert values.get("rds.force_ssl") == "1", f"rds.force_ssl is {values.get('rds.force_ssl')!r} in {groups}"


@pytest.mark.control(ENCRYPTION, "DynamoDB: tables encrypted with the database key")
def test_dynamodb_tables_encrypted_with_our_key(aws: Aws, outputs: Outputs) -> None:
    dynamodb = aws.client("dynamodb")
    expected = outputs.env("kms_key_arns")["database"]
    for purpose, table in outputs.env("table_names").items():
        description = dynamodb.describe_table(TableName=table)["Table"].get("SSEDescription", {})
        assert description.get("Status") == "ENABLED" and description.get("SSEType") == "KMS", (
            f"table {purpose} ({table}) is not SSE-KMS: {description}"
        )
        assert _same_key(aws, description.get("KMSMasterKeyArn"), expected), (
            f"table {purpose} ({table}) uses {description.get('KMSMasterKeyArn')}, not the database key"
        )


@pytest.mark.control(ENCRYPTION, "Secrets Manager: secrets encrypted with the secrets key")
def test_secrets_encrypted_with_secrets_key(aws: Aws, outputs: Outputs) -> None:
    secretsmanager = aws.client("secretsmanager")
    expected = outputs.env("kms_key_arns")["secrets"]
    for purpose, arn in outputs.env("secret_arns").items():
        key = secretsmanager.describe_secret(SecretId=arn).get("KmsKeyId")
        assert _same_key(aws, key, expected), (
            f"secret {purpose} is encrypted with {key!r}, not the secrets key"
        )


@pytest.mark.control(ENCRYPTION, "SNS: alerts topic encrypted with the logs key")
def test_alerts_topic_encrypted(aws: Aws, outputs: Outputs) -> None:
    attributes = aws.client("sns").get_topic_attributes(TopicArn=outputs.env("alerts_topic_arn"))[
        "Attributes"
    ]
    key = attributes.get("KmsMasterKeyId")
    assert _same_key(aws, key, outputs.env("kms_key_arns")["logs"]), f"alerts topic key is {key!r}"


@pytest.mark.control(ENCRYPTION, "CloudTrail: encrypted with the logs key, log-file validation on")
def test_trail_encrypted_and_validated(aws: Aws, outputs: Outputs) -> None:
    trail = aws.client("cloudtrail").get_trail(Name=outputs.env("trail_name"))["Trail"]
    assert _same_key(aws, trail.get("KmsKeyId"), outputs.env("kms_key_arns")["logs"]), (
        f"trail key is {trail.get('KmsKeyId')!r}, not the logs key"
    )
    assert trail.get("LogFileValidationEnabled") is True, "CloudTrail log-file validation is off"


@pytest.mark.control(ENCRYPTION, "CloudTrail: logging")
def test_trail_is_logging(aws: Aws, outputs: Outputs) -> None:
    status = aws.client("cloudtrail").get_trail_status(Name=outputs.env("trail_name"))
    assert status["IsLogging"] is True, f"trail {outputs.env('trail_name')} is not logging"


@pytest.mark.control(ENCRYPTION, "Athena: workgroup enforces SSE-KMS results with the data-lake key")
def test_athena_workgroup_enforces_kms(aws: Aws, outputs: Outputs) -> None:
    workgroup = aws.client("athena").get_work_group(WorkGroup=outputs.env("athena_workgroup_name"))[
        "WorkGroup"
    ]
    configuration = workgroup["Configuration"]
    assert configuration.get("EnforceWorkGroupConfiguration") is True, "workgroup settings are not enforced"
    encryption = configuration["ResultConfiguration"].get("EncryptionConfiguration", {})
    assert encryption.get("EncryptionOption") == "SSE_KMS", f"results encryption is {encryption}"
    assert _same_key(aws, encryption.get("KmsKey"), outputs.env("kms_key_arns")["data_lake"]), (
        f"results key is {encryption.get('KmsKey')!r}, not the data-lake key"
    )


@pytest.mark.control(
    ENCRYPTION, "Glue: jobs run under a security configuration encrypting S3, logs, bookmarks"
)
def test_glue_jobs_use_security_configuration(aws: Aws, outputs: Outputs) -> None:
    glue = aws.client("glue")
    keys = outputs.env("kms_key_arns")
    for source, name in outputs.env("glue_job_names").items():
        configuration_name = glue.get_job(JobName=name)["Job"].get("SecurityConfiguration")
        assert configuration_name, f"Glue job {source} ({name}) runs without a security configuration"
        encryption = glue.get_security_configuration(Name=configuration_name)["SecurityConfiguration"][
            "EncryptionConfiguration"
        ]
        s3 = encryption["S3Encryption"][0]
        assert s3["S3EncryptionMode"] == "SSE-KMS" and _same_key(
            aws, s3.get("KmsKeyArn"), keys["data_lake"]
        ), f"{configuration_name}: S3 encryption {s3}"
        cloudwatch = encryption["CloudWatchEncryption"]
        assert cloudwatch["CloudWatchEncryptionMode"] == "SSE-KMS", f"{configuration_name}: logs {cloudwatch}"
        bookmarks = encryption["JobBookmarksEncryption"]
        assert bookmarks["JobBookmarksEncryptionMode"] == "CSE-KMS", (
            f"{configuration_name}: bookmarks {bookmarks}"
        )
