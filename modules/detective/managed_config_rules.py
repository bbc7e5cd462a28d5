"""AWS Config managed rules that mirror the controls this platform builds in, so drift made outside Terraform
(console, scripts) is caught in the account as well as in code review."""

import json
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.config_config_rule import ConfigConfigRule, ConfigConfigRuleSource
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.detective.configuration_recorder import ConfigurationRecorder


@dataclass(frozen=True, kw_only=True)
class ManagedRule:
    """One AWS managed rule: `identifier` (e.g. "S3_BUCKET_SSL_REQUESTS_ONLY") and its parameters."""

    key: str
    identifier: str
    parameters: dict[str, str] = field(default_factory=dict)


# Each rule checks a control a construct or aspect of this repository enforces.
PLATFORM_CONTROL_RULES: tuple[ManagedRule, ...] = (
    ManagedRule(key="cloudtrail-multi-region", identifier="MULTI_REGION_CLOUD_TRAIL_ENABLED"),
    ManagedRule(key="cloudtrail-encrypted", identifier="CLOUD_TRAIL_ENCRYPTION_ENABLED"),
    ManagedRule(key="cloudtrail-log-validation", identifier="CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED"),
    ManagedRule(key="cloudtrail-to-cloudwatch", identifier="CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED"),
    ManagedRule(
        key="s3-account-public-access-block", identifier="S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC"
    ),
    ManagedRule(key="s3-tls-only", identifier="S3_BUCKET_SSL_REQUESTS_ONLY"),
    ManagedRule(key="s3-versioning", identifier="S3_BUCKET_VERSIONING_ENABLED"),
    ManagedRule(key="s3-encryption", identifier="S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"),
    ManagedRule(key="ebs-encryption-by-default", identifier="EC2_EBS_ENCRYPTION_BY_DEFAULT"),
    ManagedRule(key="ebs-volumes-encrypted", identifier="ENCRYPTED_VOLUMES"),
    ManagedRule(key="ec2-imdsv2", identifier="EC2_IMDSV2_CHECK"),
    ManagedRule(key="ec2-no-public-ip", identifier="EC2_INSTANCE_NO_PUBLIC_IP"),
    ManagedRule(key="ec2-managed-by-ssm", identifier="EC2_INSTANCE_MANAGED_BY_SSM"),
    ManagedRule(key="no-ssh-from-internet", identifier="INCOMING_SSH_DISABLED"),
    ManagedRule(key="default-security-group-closed", identifier="VPC_DEFAULT_SECURITY_GROUP_CLOSED"),
    ManagedRule(key="vpc-flow-logs", identifier="VPC_FLOW_LOGS_ENABLED"),
    ManagedRule(key="rds-encrypted", identifier="RDS_STORAGE_ENCRYPTED"),
    ManagedRule(key="rds-not-public", identifier="RDS_INSTANCE_PUBLIC_ACCESS_CHECK"),
    ManagedRule(key="dynamodb-kms", identifier="DYNAMODB_TABLE_ENCRYPTED_KMS"),
    ManagedRule(key="dynamodb-pitr", identifier="DYNAMODB_PITR_ENABLED"),
    ManagedRule(key="log-groups-encrypted", identifier="CLOUDWATCH_LOG_GROUP_ENCRYPTED"),
    ManagedRule(key="sns-encrypted", identifier="SNS_ENCRYPTED_KMS"),
    ManagedRule(key="kms-rotation", identifier="CMK_BACKING_KEY_ROTATION_ENABLED"),
    ManagedRule(
        key="alarms-have-actions",
        identifier="CLOUDWATCH_ALARM_ACTION_CHECK",
        parameters={
            "alarmActionRequired": "true",
            "okActionRequired": "true",
            "insufficientDataActionRequired": "false",
        },
    ),
    ManagedRule(
        key="iam-password-policy",
        identifier="IAM_PASSWORD_POLICY",
        parameters={"MinimumPasswordLength": "14", "PasswordReusePrevention": "24", "MaxPasswordAge": "90"},
    ),
    ManagedRule(key="root-mfa", identifier="ROOT_ACCOUNT_MFA_ENABLED"),
    ManagedRule(key="root-no-access-keys", identifier="IAM_ROOT_ACCESS_KEY_CHECK"),
    ManagedRule(key="guardduty-enabled", identifier="GUARDDUTY_ENABLED_CENTRALIZED"),
)


@dataclass(frozen=True, kw_only=True)
class ManagedConfigRulesProps:
    """Settings of ManagedConfigRules."""

    name_prefix: str
    """Required. Rule-name prefix, e.g. "csg-account"."""
    rules: tuple[ManagedRule, ...] = PLATFORM_CONTROL_RULES
    """Default PLATFORM_CONTROL_RULES (the controls this repository builds)."""
    minimum_password_length: int = 14
    """Default 14. Checked by the IAM_PASSWORD_POLICY rule (the account's password policy setting)."""


class ManagedConfigRules(Construct):
    """`self.rules` by key; each waits for the recorder to be on."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        recorder: ConfigurationRecorder,
        props: ManagedConfigRulesProps,
    ) -> None:
        super().__init__(scope, construct_id)
        keys = [rule.key for rule in props.rules]
        raise_if_problems(
            self,
            [f"rules: key {key!r} listed more than once" for key in sorted(set(keys)) if keys.count(key) > 1],
        )
        self.rules: dict[str, ConfigConfigRule] = {}
        for rule in props.rules:
            parameters = dict(rule.parameters)
            if rule.identifier == "IAM_PASSWORD_POLICY":
                parameters["MinimumPasswordLength"] = str(props.minimum_password_length)
            self.rules[rule.key] = ConfigConfigRule(
                self,
                rule.key,
                name=f"{props.name_prefix}-{rule.key}",
                source=ConfigConfigRuleSource(owner="AWS", source_identifier=rule.identifier),
                input_parameters=json.dumps(parameters, sort_keys=True) if parameters else None,
                depends_on=[recorder.status],
            )
