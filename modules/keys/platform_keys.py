"""The platform's customer-managed keys, one per data domain, so a key's blast radius is one domain."""

from dataclasses import dataclass

from constructs import Construct

from modules.access.policy import Condition
from modules.core.context import AccountContext
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps, KeyServiceUse

LOGS_KEY_ACTIONS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")


@dataclass(frozen=True, kw_only=True)
class PlatformKeysProps:
    """Settings of PlatformKeys."""

    deletion_window_days: int = 30
    """Default 30 (the maximum)."""
    extra_logs_key_uses: tuple[KeyServiceUse, ...] = ()
    """Default none. More services that write encrypted audit/alerting data (CloudTrail, SNS publishers)."""


class PlatformKeys(Construct):
    """Keys: `data_lake` (S3, Athena, Glue output), `database` (RDS, DynamoDB), `logs` (CloudWatch Logs,
    audit trail, alerts) and `secrets` (Secrets Manager, Lambda environment)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        props: PlatformKeysProps = PlatformKeysProps(),
    ) -> None:
        super().__init__(scope, construct_id)
        logs_uses = (
            # CloudWatch Logs encrypts with the caller's key only for log groups in this account and region.
            KeyServiceUse(
                service_principal=context.service_principal("logs"),
                actions=LOGS_KEY_ACTIONS,
                conditions=(
                    Condition(
                        test="ArnLike",
                        variable="kms:EncryptionContext:aws:logs:arn",
                        values=(context.arn("logs", "log-group:*"),),
                    ),
                ),
            ),
        )

        def key(name: str, description: str, uses: tuple[KeyServiceUse, ...] = ()) -> EncryptionKey:
            return EncryptionKey(
                self,
                name,
                context=context,
                props=EncryptionKeyProps(
                    alias=context.name(name),
                    description=description,
                    service_uses=uses,
                    deletion_window_days=props.deletion_window_days,
                ),
            )

        self.data_lake = key("data-lake", "Data-lake objects, Athena results and Glue output")
        self.database = key("database", "RDS storage, Performance Insights and DynamoDB tables")
        self.logs = key(
            "logs", "CloudWatch log groups, audit trail and alerts", logs_uses + props.extra_logs_key_uses
        )
        self.secrets = key("secrets", "Secrets Manager secrets and function environments")

    @property
    def all_keys(self) -> tuple[EncryptionKey, ...]:
        return (self.data_lake, self.database, self.logs, self.secrets)
