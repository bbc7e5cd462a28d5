"""A customer-managed KMS key with rotation, an alias, an explicit key policy, and grant methods."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct

from modules.access.policy import Condition, Principal, Statement, attach_grant, growing_policy_document
from modules.core.context import AccountContext
from modules.core.defaults import report_weakened_default
from modules.core.validation import raise_if_problems

ENCRYPT_ACTIONS = ("kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*")
DECRYPT_ACTIONS = ("kms:Decrypt",)
DESCRIBE_ACTIONS = ("kms:DescribeKey",)


@dataclass(frozen=True, kw_only=True)
class KeyServiceUse:
    """A service principal allowed to use the key through the key policy (roles get IAM grants instead)."""

    service_principal: str
    """Required. e.g. "logs.eu-west-1.amazonaws.com"."""
    actions: tuple[str, ...]
    """Required. KMS actions the service needs, e.g. ("kms:Encrypt*", "kms:Decrypt*", ...)."""
    conditions: tuple[Condition, ...] = ()
    """Default none; use them (encryption context, source ARN/account) wherever the service supports it."""


@dataclass(frozen=True, kw_only=True)
class EncryptionKeyProps:
    """Settings of an EncryptionKey. Secure by default: rotation on, 30-day deletion window."""

    alias: str
    """Required. Alias name without the "alias/" prefix, e.g. "csg-dev-data-lake"."""
    description: str
    """Required. Which data the key protects."""
    service_uses: tuple[KeyServiceUse, ...] = ()
    """Default none. Service principals that encrypt with this key on the platform's behalf."""
    enable_rotation: bool = True
    """Default true. Annual automatic rotation. Turning it off is reported as a weakened default."""
    deletion_window_days: int = 30
    """Default 30 (the maximum): time to notice and cancel a scheduled deletion."""


class EncryptionKey(Construct):
    """A KMS customer-managed key. `self.key` is the key; grant methods give roles IAM permissions on it."""

    def __init__(
        self, scope: Construct, construct_id: str, *, context: AccountContext, props: EncryptionKeyProps
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not 7 <= props.deletion_window_days <= 30:
            problems.append(f"deletion_window_days: {props.deletion_window_days} is outside KMS's 7-30 days")
        if props.alias.startswith("alias/") or props.alias.startswith("aws"):
            problems.append(f"alias: {props.alias!r} must not start with 'alias/' or 'aws'")
        for use in props.service_uses:
            if "kms:*" in use.actions:
                problems.append(f"service_uses: {use.service_principal} must not get kms:*")
        raise_if_problems(self, problems)
        if not props.enable_rotation:
            report_weakened_default(self, "enable_rotation", True, False)

        self.context = context
        account_root = f"arn:{context.partition}:iam::{context.account_id}:root"
        statements = [
            # Delegates authorization to IAM, so that role grants (attach_grant) take effect, and keeps the
            # account able to manage the key (without it a key can become unmanageable).
            Statement(
                sid="AccountAdministersKeyThroughIam",
                actions=("kms:*",),
                resources=("*",),
                principals=(Principal(kind="AWS", identifiers=(account_root,)),),
            )
        ]
        statements += [
            Statement(
                sid=f"ServiceUse{index}",
                actions=use.actions,
                resources=("*",),
                principals=(Principal(kind="Service", identifiers=(use.service_principal,)),),
                conditions=use.conditions,
            )
            for index, use in enumerate(props.service_uses)
        ]
        fixed_statements = tuple(statements)
        # Roles granted use of the key are named in the key policy too (same actions and conditions as their
        # IAM grant), so the key policy alone tells a reviewer who can use the key and how.
        self._role_statements: list[Statement] = []
        self._role_uses: set[tuple[IamRole, tuple[str, ...], tuple[Condition, ...]]] = set()
        self.policy = growing_policy_document(
            self, "policy", lambda: fixed_statements + tuple(self._role_statements)
        )
        self.key = KmsKey(
            self,
            "key",
            description=props.description,
            enable_key_rotation=props.enable_rotation,
            deletion_window_in_days=props.deletion_window_days,
            policy=self.policy.json,
        )
        self.arn: str = self.key.arn  # read once: each read of a token attribute is a jsii round trip
        self.alias = KmsAlias(self, "alias", name=f"alias/{props.alias}", target_key_id=self.key.key_id)

    def _grant(self, verb: str, role: IamRole, actions: tuple[str, ...], via_service: str | None) -> None:
        conditions = (
            (Condition(test="StringEquals", variable="kms:ViaService", values=(via_service,)),)
            if via_service
            else ()
        )
        # e.g. "KeyDecryptViaS3": the sid says which service the use is limited to.
        via = f"Via{via_service.split('.', 1)[0].title()}" if via_service else ""
        attach_grant(
            self,
            role,
            (
                Statement(
                    sid=f"Key{verb.title().replace('-', '')}{via}",
                    actions=actions,
                    resources=(self.arn,),
                    conditions=conditions,
                ),
            ),
        )
        role_use = (role, actions, conditions)
        if role_use in self._role_uses:  # granted before, e.g. for a second prefix of one bucket
            return
        self._role_uses.add(role_use)
        self._role_statements.append(
            Statement(
                sid=f"RoleUse{len(self._role_statements)}",
                actions=actions,
                resources=("*",),
                principals=(Principal(kind="AWS", identifiers=(role.arn,)),),
                conditions=conditions,
            )
        )

    def grant_decrypt(self, role: IamRole, *, via_service: str | None = None) -> None:
        """Let `role` decrypt with this key (optionally only through one service, e.g. s3.<region>)."""
        self._grant("decrypt", role, DECRYPT_ACTIONS + DESCRIBE_ACTIONS, via_service)

    def grant_encrypt_decrypt(self, role: IamRole, *, via_service: str | None = None) -> None:
        """Let `role` encrypt and decrypt with this key (optionally only through one service)."""
        self._grant(
            "encrypt-decrypt", role, ENCRYPT_ACTIONS + DECRYPT_ACTIONS + DESCRIBE_ACTIONS, via_service
        )
