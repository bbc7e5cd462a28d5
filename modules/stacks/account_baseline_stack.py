"""Account-wide singletons, in one stack so that several environments in one account never fight over them."""

from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.ebs_default_kms_key import EbsDefaultKmsKey
from cdktf_cdktf_provider_aws.ebs_encryption_by_default import EbsEncryptionByDefault
from cdktf_cdktf_provider_aws.iam_account_password_policy import IamAccountPasswordPolicy
from cdktf_cdktf_provider_aws.s3_account_public_access_block import S3AccountPublicAccessBlock
from constructs import Construct

from environments.schema import AccountConfig
from modules.analytics.catalog_encryption import CATALOG_KEY_ALIAS, CatalogEncryption
from modules.aspects.forbidden_settings import ForbiddenSettings
from modules.core.context import AccountContext
from modules.core.outputs import stable_output
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from modules.stacks.account_operations import AccountOperations
from modules.stacks.provider_setup import configure_backend, configure_provider


class AccountBaselineStack(TerraformStack):
    """S3 account public access block, EBS encryption by default with our key, IAM password policy."""

    def __init__(self, scope: Construct, config: AccountConfig) -> None:
        super().__init__(scope, config.name)
        configure_provider(
            self,
            region=config.region,
            allowed_account_ids=config.allowed_account_ids,
            tags=config.tags,
            environment="account",
        )
        configure_backend(self, backend=config.backend, stack_name=config.name, region=config.region)
        context = AccountContext(self, "account", region=config.region, resource_prefix="csg-account")

        S3AccountPublicAccessBlock(
            self,
            "s3-public-access-block",
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        self.ebs_key = EncryptionKey(
            self,
            "ebs-key",
            context=context,
            props=EncryptionKeyProps(alias="csg-account-ebs", description="Default key for new EBS volumes"),
        )
        EbsEncryptionByDefault(self, "ebs-encryption-by-default", enabled=True)
        EbsDefaultKmsKey(self, "ebs-default-key", key_arn=self.ebs_key.arn)
        IamAccountPasswordPolicy(
            self,
            "password-policy",
            minimum_password_length=config.minimum_password_length,
            require_lowercase_characters=True,
            require_uppercase_characters=True,
            require_numbers=True,
            require_symbols=True,
            allow_users_to_change_password=True,
            password_reuse_prevention=24,
            max_password_age=90,
        )
        self.operations = AccountOperations(self, "operations", config=config, context=context)
        # Glue Data Catalog encryption is per account and region; environments find the key by its alias.
        self.glue_catalog_key = EncryptionKey(
            self,
            "glue-catalog-key",
            context=context,
            props=EncryptionKeyProps(
                alias=CATALOG_KEY_ALIAS, description="Glue Data Catalog metadata and connection passwords"
            ),
        )
        self.glue_catalog_encryption = CatalogEncryption(
            self, "glue-catalog-encryption", key=self.glue_catalog_key
        )
        stable_output(
            self, "ebs_default_kms_key_arn", self.ebs_key.arn, "Key that encrypts new EBS volumes by default"
        )
        stable_output(
            self,
            "glue_catalog_kms_key_arn",
            self.glue_catalog_key.arn,
            "Key that encrypts the Glue Data Catalog and its connection passwords",
        )
        ForbiddenSettings.apply_to(self, production=True)
