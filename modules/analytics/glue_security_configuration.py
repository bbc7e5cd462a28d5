"""A Glue security configuration: SSE-KMS for S3 output, KMS for CloudWatch logs, CSE-KMS for bookmarks."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.glue_security_configuration import (
    GlueSecurityConfiguration as GlueSecurityConfigurationResource,
)
from cdktf_cdktf_provider_aws.glue_security_configuration import (
    GlueSecurityConfigurationEncryptionConfiguration,
    GlueSecurityConfigurationEncryptionConfigurationCloudwatchEncryption,
    GlueSecurityConfigurationEncryptionConfigurationJobBookmarksEncryption,
    GlueSecurityConfigurationEncryptionConfigurationS3Encryption,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.core.context import AccountContext
from modules.keys.encryption_key import EncryptionKey


@dataclass(frozen=True, kw_only=True)
class GlueSecurityConfigurationProps:
    """Settings of a GlueSecurityConfiguration."""

    name: str
    """Required. e.g. "csg-dev-glue"."""


class GlueSecurityConfiguration(Construct):
    """`self.configuration`: data written by crawlers and jobs is encrypted with `data_key` (S3 output,
    bookmarks) and `logs_key` (CloudWatch logs). Every role that runs under it needs `grant_use`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        data_key: EncryptionKey,
        logs_key: EncryptionKey,
        props: GlueSecurityConfigurationProps,
    ) -> None:
        super().__init__(scope, construct_id)
        self.context = context
        self.data_key = data_key
        self.configuration = GlueSecurityConfigurationResource(
            self,
            "configuration",
            name=props.name,
            encryption_configuration=GlueSecurityConfigurationEncryptionConfiguration(
                s3_encryption=GlueSecurityConfigurationEncryptionConfigurationS3Encryption(
                    s3_encryption_mode="SSE-KMS", kms_key_arn=data_key.arn
                ),
                cloudwatch_encryption=GlueSecurityConfigurationEncryptionConfigurationCloudwatchEncryption(
                    cloudwatch_encryption_mode="SSE-KMS", kms_key_arn=logs_key.arn
                ),
                job_bookmarks_encryption=GlueSecurityConfigurationEncryptionConfigurationJobBookmarksEncryption(
                    job_bookmarks_encryption_mode="CSE-KMS", kms_key_arn=data_key.arn
                ),
            ),
        )

    @property
    def name(self) -> str:
        return self.configuration.name

    def grant_use(self, role: IamRole, *, log_group_prefix: str) -> None:
        """What a role running under this configuration needs: the data key (S3 output through S3, and
        client-side bookmark encryption, which calls KMS directly) and associating the logs key with the
        log groups whose names start with `log_group_prefix` (the crawler's or job's own)."""
        self.data_key.grant_encrypt_decrypt(role)
        attach_grant(
            self,
            role,
            (
                Statement(
                    sid="EncryptGlueLogGroups",
                    actions=("logs:AssociateKmsKey",),
                    resources=(self.context.arn("logs", f"log-group:{log_group_prefix}*"),),
                ),
            ),
        )
