"""A Secrets Manager secret the platform owns: our key, rotation by a function, a deny-by-default policy.

Terraform never writes the secret's value: the non-secret connection fields (host, user name, ...) are tags
`field:<name>`, and the rotation function writes the whole value, credential included, on its first
(immediate) rotation and every one after. So no credential is ever in the synthesized JSON or the state.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from cdktf_cdktf_provider_aws.secretsmanager_secret_rotation import (
    SecretsmanagerSecretRotation,
    SecretsmanagerSecretRotationRotationRules,
)
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.core.context import AccountContext
from modules.core.defaults import report_weakened_default
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey
from modules.secrets.secret_access import SecretAccess
from modules.serverless.private_function import PrivateFunction

# Field names that would hold a credential; they may never appear in the Terraform-managed version.
FIELD_TAG_PREFIX = "field:"
"""Tag-key prefix of the connection fields (the rotation function reads them)."""
SECRET_FIELD_PATTERN = re.compile(r"pass|secret|token|key|credential|pwd", re.IGNORECASE)
MAX_ROTATION_DAYS = 90


@dataclass(frozen=True, kw_only=True)
class PlatformSecretProps:
    """Settings of a PlatformSecret."""

    name: str
    """Required. Secret name, e.g. "csg-dev/database/etl"."""
    description: str
    """Required. What the credential is for and who uses it."""
    non_secret_fields: Mapping[str, str] = field(default_factory=dict)
    """Default none. Connection fields the rotation function copies into the value (engine, host, port,
    username...), as tags `field:<name>`; a name that looks like a credential (password, key...) is
    rejected."""
    rotation_days: int = 30
    """Default 30. Automatic rotation interval, 1-90 days (CIS/AWS FSBP expect at most 90)."""
    rotate_immediately: bool = True
    """Default true: the first rotation runs on creation, which is what creates the credential (with false,
    the secret has no value until the first scheduled rotation). Reported when false."""
    recovery_window_days: int = 30
    """Default 30 (the maximum): a deleted secret can be restored for this long."""


class PlatformSecret(Construct):
    """`self.secret` (encrypted with `key`), `self.rotation`, `self.access` (resource policy), and
    `grant_read`. Rotation is by `rotation_function`, which gets exactly the rights rotation needs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        key: EncryptionKey,
        rotation_function: PrivateFunction,
        props: PlatformSecretProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not 1 <= props.rotation_days <= MAX_ROTATION_DAYS:
            problems.append(f"rotation_days: {props.rotation_days} must be between 1 and {MAX_ROTATION_DAYS}")
        if not 7 <= props.recovery_window_days <= 30:
            problems.append(f"recovery_window_days: {props.recovery_window_days} must be between 7 and 30")
        problems += [
            f"non_secret_fields: {name!r} looks like a credential; credentials are created by rotation, "
            "never by Terraform"
            for name in props.non_secret_fields
            if SECRET_FIELD_PATTERN.search(name)
        ]
        raise_if_problems(self, problems)
        if not props.rotate_immediately:
            report_weakened_default(self, "rotate_immediately", True, False)

        self.key = key
        self.secret = SecretsmanagerSecret(
            self,
            "secret",
            name=props.name,
            description=props.description,
            kms_key_id=key.arn,
            recovery_window_in_days=props.recovery_window_days,
            tags={f"{FIELD_TAG_PREFIX}{name}": value for name, value in props.non_secret_fields.items()}
            or None,
        )
        self.access = SecretAccess(self, "access", secret_arn=self.secret.arn, key=key, region=context.region)
        self._grant_rotation(rotation_function.role.role, context)
        self.rotation = SecretsmanagerSecretRotation(
            self,
            "rotation",
            secret_id=self.secret.id,
            rotation_lambda_arn=rotation_function.function.arn,
            rotation_rules=SecretsmanagerSecretRotationRotationRules(
                automatically_after_days=props.rotation_days
            ),
            rotate_immediately=props.rotate_immediately,
            depends_on=[self.access.policy],
        )
        rotation_function.allow_invocation_by_secrets_manager(self.secret.arn)

    @property
    def arn(self) -> str:
        return self.secret.arn

    @property
    def name(self) -> str:
        return self.secret.name

    def _grant_rotation(self, role: IamRole, context: AccountContext) -> None:
        attach_grant(
            self,
            role,
            (
                Statement(
                    sid="RotateSecret",
                    actions=(
                        "secretsmanager:DescribeSecret",
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:PutSecretValue",
                        "secretsmanager:UpdateSecretVersionStage",
                    ),
                    resources=(self.secret.arn,),
                ),
            ),
        )
        self.key.grant_encrypt_decrypt(role, via_service=f"secretsmanager.{context.region}.amazonaws.com")
        self.access.admit(role)

    def grant_read(self, role: IamRole) -> None:
        """Let `role` read the secret (see SecretAccess.grant_read)."""
        self.access.grant_read(role)
