"""AWS Config for the account: a recorder of every supported resource, a delivery channel to its own encrypted
bucket, and non-compliance notices to the alerts topic. Rules are added by ManagedConfigRules."""

from dataclasses import dataclass
from typing import Literal

from cdktf_cdktf_provider_aws.config_configuration_recorder import (
    ConfigConfigurationRecorder,
    ConfigConfigurationRecorderRecordingGroup,
)
from cdktf_cdktf_provider_aws.config_configuration_recorder_status import ConfigConfigurationRecorderStatus
from cdktf_cdktf_provider_aws.config_delivery_channel import (
    ConfigDeliveryChannel,
    ConfigDeliveryChannelSnapshotDeliveryProperties,
)
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.core.context import AccountContext
from modules.core.defaults import report_weakened_default
from modules.keys.encryption_key import EncryptionKey
from modules.observability.alerts_topic import AlertsTopic
from modules.observability.event_alert import EventAlert, EventAlertProps
from modules.storage.secure_bucket import SecureBucket, SecureBucketProps

CONFIG_ROLE_POLICY = "service-role/AWS_ConfigRole"


@dataclass(frozen=True, kw_only=True)
class ConfigurationRecorderProps:
    """Settings of a ConfigurationRecorder."""

    name_prefix: str
    """Required. Prefix of the recorder, bucket (<prefix>-config-<account>), role and rule names."""
    snapshot_frequency: Literal[
        "One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"
    ] = "TwentyFour_Hours"
    """Default "TwentyFour_Hours": a full snapshot a day (changes are recorded as they happen)."""
    record_global_resources: bool = True
    """Default true: also record IAM (global) resources. Set it in one region of the account only."""
    force_destroy: bool = False
    """Default false: `terraform destroy` keeps the bucket with its history. Reported when true."""


class ConfigurationRecorder(Construct):
    """`self.recorder`, `self.delivery_channel`, `self.status`, `self.bucket` (SecureBucket), `self.role`
    and `self.compliance_alert`. One recorder per account and region."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        key: EncryptionKey,
        access_log_bucket: SecureBucket,
        topic: AlertsTopic,
        props: ConfigurationRecorderProps,
    ) -> None:
        super().__init__(scope, construct_id)
        if props.force_destroy:
            report_weakened_default(self, "force_destroy", False, True)
        if not props.record_global_resources:
            report_weakened_default(self, "record_global_resources", True, False)

        self.bucket = SecureBucket(
            self,
            "bucket",
            context=context,
            encryption_key=key,
            props=SecureBucketProps(
                name=f"{props.name_prefix}-config-{context.account_id}",
                access_log_bucket=access_log_bucket,
                force_destroy=props.force_destroy,
            ),
        )
        self.role = ServiceRole(
            self,
            "role",
            context=context,
            props=ServiceRoleProps(
                name=f"{props.name_prefix}-config-recorder",
                service="config.amazonaws.com",
                description="AWS Config reads resource configurations and delivers them to its bucket",
                managed_policy_arns=(f"arn:{context.partition}:iam::aws:policy/{CONFIG_ROLE_POLICY}",),
            ),
        )
        # In its own account AWS Config delivers as this role (no bucket-policy statement needed).
        delivery_prefix = f"AWSLogs/{context.account_id}/Config/"
        self.bucket.grant_write(self.role.role, prefix=delivery_prefix)
        attach_grant(
            self.bucket,
            self.role.role,
            (
                Statement(
                    sid="CheckBucketAcl", actions=("s3:GetBucketAcl",), resources=(self.bucket.bucket.arn,)
                ),
            ),
        )

        self.recorder = ConfigConfigurationRecorder(
            self,
            "recorder",
            name=f"{props.name_prefix}-recorder",
            role_arn=self.role.role.arn,
            recording_group=ConfigConfigurationRecorderRecordingGroup(
                all_supported=True, include_global_resource_types=props.record_global_resources
            ),
        )
        self.delivery_channel = ConfigDeliveryChannel(
            self,
            "delivery-channel",
            name=f"{props.name_prefix}-delivery",
            s3_bucket_name=self.bucket.bucket.id,
            s3_kms_key_arn=key.arn,
            snapshot_delivery_properties=ConfigDeliveryChannelSnapshotDeliveryProperties(
                delivery_frequency=props.snapshot_frequency
            ),
            depends_on=[self.recorder, self.bucket.policy],
        )
        self.status = ConfigConfigurationRecorderStatus(
            self,
            "status",
            name=self.recorder.name,
            is_enabled=True,
            depends_on=[self.delivery_channel],
        )
        self.compliance_alert = EventAlert(
            self,
            "non-compliance",
            topic=topic,
            props=EventAlertProps(
                name=f"{props.name_prefix}-config-non-compliant",
                description="A resource became NON_COMPLIANT with an AWS Config rule",
                event_pattern={
                    "source": ["aws.config"],
                    "detail-type": ["Config Rules Compliance Change"],
                    "detail": {"newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]}},
                },
            ),
        )
