"""An S3 bucket that is secure by default: our KMS key, versioning, no public access, TLS-only policy."""

from dataclasses import dataclass, field
from typing import Literal, Optional

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
from cdktf_cdktf_provider_aws.s3_bucket_notification import S3BucketNotification
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from constructs import Construct

from modules.access.policy import Condition, Principal, Statement, attach_grant, policy_document
from modules.core.context import AccountContext
from modules.core.defaults import report_weakened_default
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey

READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
LIST_ACTIONS = ("s3:ListBucket", "s3:GetBucketLocation")
WRITE_ACTIONS = ("s3:PutObject", "s3:AbortMultipartUpload")
DELETE_ACTIONS = ("s3:DeleteObject",)


@dataclass(frozen=True, kw_only=True)
class ExpirationRule:
    """Delete current objects under `prefix` after `days` (e.g. Athena results)."""

    prefix: str
    days: int


@dataclass(frozen=True, kw_only=True)
class SecureBucketProps:
    """Settings of a SecureBucket. Every default is the secure choice; weakening one is reported."""

    name: str
    """Required. Globally unique bucket name."""
    encryption: Literal["kms", "s3-managed"] = "kms"
    """Default "kms" (SSE-KMS with `encryption_key` and a bucket key). "s3-managed" only where AWS requires
    it (S3 server access logging targets); reported as a weakened default."""
    versioned: bool = True
    """Default true."""
    access_log_bucket: Optional["SecureBucket"] = None
    """Default none, which is reported unless `receives_access_logs` (a log bucket doesn't log to itself)."""
    receives_access_logs: bool = False
    """Default false. True for the access-log bucket: lets the S3 logging service write to it."""
    noncurrent_version_expiration_days: int = 90
    """Default 90. Old versions are kept this long, then expire."""
    expirations: tuple[ExpirationRule, ...] = ()
    """Default none. Extra expiry rules by prefix."""
    eventbridge_notifications: bool = True
    """Default true: object events go to EventBridge (the ingest trigger and the audit of writes)."""
    force_destroy: bool = False
    """Default false: `terraform destroy` refuses to delete a bucket with data. Reported when true."""
    extra_policy_statements: tuple[Statement, ...] = field(default=())
    """Default none. Resource-policy statements for service principals (e.g. CloudTrail delivery)."""


class SecureBucket(Construct):
    """A bucket with encryption, versioning, public access block, BucketOwnerEnforced, a TLS-only bucket
    policy, access logging and lifecycle rules. `self.bucket` is the S3 bucket; `self.key` its KMS key."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        props: SecureBucketProps,
        encryption_key: EncryptionKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._check(props, encryption_key)
        self.context = context
        self.key = encryption_key if props.encryption == "kms" else None

        self.bucket = S3Bucket(self, "bucket", bucket=props.name, force_destroy=props.force_destroy)
        self.arn: str = self.bucket.arn  # read once: each read of a token attribute is a jsii round trip
        self.public_access_block = S3BucketPublicAccessBlock(
            self,
            "public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=self.bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=(
                        S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm="aws:kms", kms_master_key_id=self.key.arn
                        )
                        if self.key
                        else S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm="AES256"
                        )
                    ),
                    bucket_key_enabled=self.key is not None,
                )
            ],
        )
        self.versioning = S3BucketVersioningA(
            self,
            "versioning",
            bucket=self.bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(
                status="Enabled" if props.versioned else "Suspended"
            ),
        )
        self.policy = S3BucketPolicy(
            self,
            "policy",
            bucket=self.bucket.id,
            policy=policy_document(self, "policy-document", self._policy_statements(props)).json,
            depends_on=[self.public_access_block],
        )
        self._lifecycle(props)
        if props.access_log_bucket is not None:
            # S3 checks the target's policy when logging is turned on, so the policy must exist first.
            S3BucketLoggingA(
                self,
                "access-logging",
                bucket=self.bucket.id,
                target_bucket=props.access_log_bucket.bucket.id,
                target_prefix=f"{props.name}/",
                depends_on=[props.access_log_bucket.policy],
            )
        if props.eventbridge_notifications:
            S3BucketNotification(self, "notifications", bucket=self.bucket.id, eventbridge=True)

    def _check(self, props: SecureBucketProps, encryption_key: EncryptionKey | None) -> None:
        problems = []
        if not 3 <= len(props.name) <= 63:
            problems.append(f"name: {props.name!r} must be 3-63 characters")
        if props.encryption == "kms" and encryption_key is None:
            problems.append("encryption_key: required when encryption = 'kms'")
        if props.encryption == "s3-managed" and encryption_key is not None:
            problems.append("encryption_key: given but encryption = 's3-managed' would ignore it")
        if props.noncurrent_version_expiration_days < 1:
            problems.append("noncurrent_version_expiration_days: must be at least 1")
        if props.receives_access_logs and props.encryption == "kms":
            problems.append("encryption: S3 server access logging can only write to an SSE-S3 bucket")
        raise_if_problems(self, problems)
        if props.encryption == "s3-managed" and not props.receives_access_logs:
            report_weakened_default(self, "encryption", "kms", props.encryption)
        if not props.versioned:
            report_weakened_default(self, "versioned", True, False)
        if props.force_destroy:
            report_weakened_default(self, "force_destroy", False, True)
        if props.access_log_bucket is None and not props.receives_access_logs:
            report_weakened_default(self, "access_log_bucket", "a log bucket", None)

    def _policy_statements(self, props: SecureBucketProps) -> tuple[Statement, ...]:
        everyone = (Principal(kind="*", identifiers=("*",)),)
        bucket_and_objects = (self.arn, f"{self.arn}/*")
        statements = [
            Statement(
                sid="DenyInsecureTransport",
                effect="Deny",
                actions=("s3:*",),
                resources=bucket_and_objects,
                principals=everyone,
                conditions=(Condition(test="Bool", variable="aws:SecureTransport", values=("false",)),),
            ),
            Statement(
                sid="DenyOutdatedTls",
                effect="Deny",
                actions=("s3:*",),
                resources=bucket_and_objects,
                principals=everyone,
                conditions=(Condition(test="NumericLessThan", variable="s3:TlsVersion", values=("1.2",)),),
            ),
        ]
        if self.key is not None:
            # Uploads that name their own encryption must use this bucket's key; uploads that name none get
            # the default encryption, so ordinary writers and AWS services are not blocked. IfExists alone
            # would not do that: a missing key makes an ...IfExists condition true, which would deny every
            # upload without the header; the Null condition limits each statement to uploads that send it.
            statements += [
                Statement(
                    sid="DenyOtherEncryption",
                    effect="Deny",
                    actions=("s3:PutObject",),
                    resources=(f"{self.arn}/*",),
                    principals=everyone,
                    conditions=(
                        Condition(
                            test="StringNotEqualsIfExists",
                            variable="s3:x-amz-server-side-encryption",
                            values=("aws:kms",),
                        ),
                        Condition(test="Null", variable="s3:x-amz-server-side-encryption", values=("false",)),
                    ),
                ),
                Statement(
                    sid="DenyOtherKmsKey",
                    effect="Deny",
                    actions=("s3:PutObject",),
                    resources=(f"{self.arn}/*",),
                    principals=everyone,
                    conditions=(
                        Condition(
                            test="StringNotEqualsIfExists",
                            variable="s3:x-amz-server-side-encryption-aws-kms-key-id",
                            values=(self.key.arn,),
                        ),
                        Condition(
                            test="Null",
                            variable="s3:x-amz-server-side-encryption-aws-kms-key-id",
                            values=("false",),
                        ),
                    ),
                ),
            ]
        if props.receives_access_logs:
            statements.append(
                Statement(
                    sid="AllowServerAccessLogDelivery",
                    actions=("s3:PutObject",),
                    resources=(f"{self.arn}/*",),
                    principals=(Principal(kind="Service", identifiers=("logging.s3.amazonaws.com",)),),
                    conditions=(
                        Condition(
                            test="StringEquals",
                            variable="aws:SourceAccount",
                            values=(self.context.account_id,),
                        ),
                    ),
                )
            )
        statements += props.extra_policy_statements
        return tuple(statements)

    def _lifecycle(self, props: SecureBucketProps) -> None:
        rules = [
            S3BucketLifecycleConfigurationRule(
                id="expire-noncurrent-versions-and-abort-uploads",
                status="Enabled",
                filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                noncurrent_version_expiration=[
                    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                        noncurrent_days=props.noncurrent_version_expiration_days
                    )
                ],
                abort_incomplete_multipart_upload=[
                    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                ],
            )
        ]
        rules += [
            S3BucketLifecycleConfigurationRule(
                id=f"expire-{rule.prefix.strip('/').replace('/', '-') or 'all'}-after-{rule.days}-days",
                status="Enabled",
                filter=[S3BucketLifecycleConfigurationRuleFilter(prefix=rule.prefix)],
                expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=rule.days)],
            )
            for rule in props.expirations
        ]
        dependencies: list[ITerraformDependable] = [self.versioning]
        S3BucketLifecycleConfiguration(
            self, "lifecycle", bucket=self.bucket.id, rule=rules, depends_on=dependencies
        )

    # Grants: S3 permissions on this bucket plus the matching KMS permissions, only through S3.

    def _kms_via_s3(self) -> str:
        return f"s3.{self.context.region}.amazonaws.com"

    def grant_read(self, role: IamRole, *, prefix: str = "") -> None:
        """Let `role` list the bucket and read objects under `prefix` (default: all)."""
        attach_grant(
            self,
            role,
            (
                Statement(sid="ListBucket", actions=LIST_ACTIONS, resources=(self.arn,)),
                Statement(sid="ReadObjects", actions=READ_ACTIONS, resources=(f"{self.arn}/{prefix}*",)),
            ),
        )
        if self.key is not None:
            self.key.grant_decrypt(role, via_service=self._kms_via_s3())

    def grant_write(self, role: IamRole, *, prefix: str = "") -> None:
        """Let `role` write objects under `prefix` (default: all), encrypted with the bucket's key."""
        attach_grant(
            self,
            role,
            (Statement(sid="WriteObjects", actions=WRITE_ACTIONS, resources=(f"{self.arn}/{prefix}*",)),),
        )
        if self.key is not None:
            self.key.grant_encrypt_decrypt(role, via_service=self._kms_via_s3())

    def grant_read_write(self, role: IamRole, *, prefix: str = "") -> None:
        """grant_read and grant_write together."""
        self.grant_read(role, prefix=prefix)
        self.grant_write(role, prefix=prefix)

    def grant_delete(self, role: IamRole, *, prefix: str = "") -> None:
        """Let `role` delete objects under `prefix` (default: all)."""
        attach_grant(
            self,
            role,
            (Statement(sid="DeleteObjects", actions=DELETE_ACTIONS, resources=(f"{self.arn}/{prefix}*",)),),
        )
