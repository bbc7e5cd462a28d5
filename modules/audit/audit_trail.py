"""The audit trail: a multi-region CloudTrail with global events and log-file validation, encrypted with our
key, delivered to its own bucket and to a KMS-encrypted log group, with S3 data events for the data lake."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudtrail import (
    Cloudtrail,
    CloudtrailEventSelector,
    CloudtrailEventSelectorDataResource,
)
from constructs import Construct

from modules.access.policy import Condition, Principal, Statement
from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.core.context import AccountContext
from modules.core.defaults import report_weakened_default
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey, KeyServiceUse
from modules.observability.log_group import VALID_RETENTION_DAYS, EncryptedLogGroup, EncryptedLogGroupProps
from modules.storage.secure_bucket import SecureBucket, SecureBucketProps

CLOUDTRAIL = "cloudtrail.amazonaws.com"
MAX_DATA_RESOURCES = 250  # CloudTrail's limit for basic event selectors


@dataclass(frozen=True, kw_only=True)
class AuditTrailProps:
    """Settings of an AuditTrail."""

    name: str
    """Required. Trail name; also names its bucket (<name>-<account>) and log group (/<name>)."""
    log_retention_days: int
    """Required. Retention of the trail's CloudWatch log group (the environment's log_retention_days)."""
    force_destroy: bool = False
    """Default false: `terraform destroy` keeps a bucket holding audit logs. Reported when true."""


def trail_arn(context: AccountContext, name: str) -> str:
    """The ARN a trail called `name` in this account and region will have (known before it exists)."""
    return context.arn("cloudtrail", f"trail/{name}")


class AuditTrail(Construct):
    """`self.trail`, `self.bucket` (SecureBucket), `self.log_group` (EncryptedLogGroup), `self.delivery_role`.

    The key passed in must carry `AuditTrail.key_uses(...)` in its key policy
    (PlatformKeysProps.extra_logs_key_uses).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        key: EncryptionKey,
        access_log_bucket: SecureBucket,
        data_event_buckets: tuple[SecureBucket, ...],
        props: AuditTrailProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not 3 <= len(props.name) <= 128:
            problems.append(f"name: {props.name!r} must be 3-128 characters")
        if props.log_retention_days not in VALID_RETENTION_DAYS:
            problems.append(
                f"log_retention_days: {props.log_retention_days} is not a CloudWatch retention value"
            )
        if len(data_event_buckets) > MAX_DATA_RESOURCES:
            problems.append(f"data_event_buckets: at most {MAX_DATA_RESOURCES}")
        raise_if_problems(self, problems)
        if props.force_destroy:
            report_weakened_default(self, "force_destroy", False, True)

        arn = trail_arn(context, props.name)
        bucket_name = f"{props.name}-{context.account_id}"
        bucket_arn = f"arn:{context.partition}:s3:::{bucket_name}"
        from_this_trail = Condition(test="StringEquals", variable="aws:SourceArn", values=(arn,))
        cloudtrail = (Principal(kind="Service", identifiers=(CLOUDTRAIL,)),)
        self.bucket = SecureBucket(
            self,
            "bucket",
            context=context,
            encryption_key=key,
            props=SecureBucketProps(
                name=bucket_name,
                access_log_bucket=access_log_bucket,
                force_destroy=props.force_destroy,
                extra_policy_statements=(
                    Statement(
                        sid="CloudTrailChecksBucketAcl",
                        actions=("s3:GetBucketAcl",),
                        resources=(bucket_arn,),
                        principals=cloudtrail,
                        conditions=(from_this_trail,),
                    ),
                    Statement(
                        sid="CloudTrailWritesLogFiles",
                        actions=("s3:PutObject",),
                        resources=(f"{bucket_arn}/AWSLogs/{context.account_id}/*",),
                        principals=cloudtrail,
                        conditions=(
                            from_this_trail,
                            Condition(
                                test="StringEquals",
                                variable="s3:x-amz-acl",
                                values=("bucket-owner-full-control",),
                            ),
                        ),
                    ),
                ),
            ),
        )
        self.log_group = EncryptedLogGroup(
            self,
            "log-group",
            key=key,
            props=EncryptedLogGroupProps(name=f"/{props.name}", retention_days=props.log_retention_days),
        )
        self.delivery_role = ServiceRole(
            self,
            "delivery-role",
            context=context,
            props=ServiceRoleProps(
                name=f"{props.name}-to-logs"[:64],
                service=CLOUDTRAIL,
                description="CloudTrail delivers the audit trail to its CloudWatch log group",
                # CloudTrail's log delivery does not send aws:SourceAccount/SourceArn (AWS: "confused deputy
                # prevention is not applicable" to this role), so the condition would block delivery.
                restrict_to_own_account=False,
            ),
        )
        # CloudTrail checks the role's permissions when the trail is created, so the grant must exist first.
        delivery_policy = self.log_group.grant_write(self.delivery_role.role)
        self.trail = Cloudtrail(
            self,
            "trail",
            name=props.name,
            s3_bucket_name=self.bucket.bucket.id,
            kms_key_id=key.arn,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            cloud_watch_logs_group_arn=f"{self.log_group.arn}:*",
            cloud_watch_logs_role_arn=self.delivery_role.role.arn,
            event_selector=[
                CloudtrailEventSelector(
                    read_write_type="All",
                    include_management_events=True,
                    data_resource=[
                        CloudtrailEventSelectorDataResource(
                            type="AWS::S3::Object",
                            values=[f"{bucket.bucket.arn}/" for bucket in data_event_buckets],
                        )
                    ]
                    if data_event_buckets
                    else None,
                )
            ],
            depends_on=[self.bucket.policy, delivery_policy],
        )

    @property
    def name(self) -> str:
        return self.trail.name

    @staticmethod
    def key_uses(context: AccountContext, name: str) -> tuple[KeyServiceUse, ...]:
        """Key-policy uses the trail's key needs: CloudTrail may create data keys only for this account's
        trails         (encryption context) on behalf of this trail (source ARN), and describe the key."""
        from_this_trail = Condition(
            test="StringEquals", variable="aws:SourceArn", values=(trail_arn(context, name),)
        )
        return (
            KeyServiceUse(
                service_principal=CLOUDTRAIL,
                actions=("kms:GenerateDataKey*",),
                conditions=(
                    from_this_trail,
                    Condition(
                        test="StringLike",
                        variable="kms:EncryptionContext:aws:cloudtrail:arn",
                        values=(f"arn:{context.partition}:cloudtrail:*:{context.account_id}:trail/*",),
                    ),
                ),
            ),
            KeyServiceUse(
                service_principal=CLOUDTRAIL, actions=("kms:DescribeKey",), conditions=(from_this_trail,)
            ),
        )
