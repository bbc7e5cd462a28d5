"""Secrets Manager RotateSecret on a secret that has no value yet.

Why the platform needs it: the ETL credentials secret is created empty, because its first value (the
password) is made by the rotation function, never by Terraform; Terraform then turns rotation on. moto 5.2.5
crashed on a secret without versions (UnboundLocalError, answered 500). AWS starts the rotation function,
which creates the first version; the emulator runs no Lambda code, so here the rotation is configured
(function, schedule, enabled) and the secret stays without a value, which is what the post-deploy suite
then sees.
"""

import time
from typing import Any

from moto.secretsmanager.models import FakeSecret, SecretsManagerBackend

_ORIGINAL = SecretsManagerBackend.rotate_secret


def _rotate_secret(
    self: SecretsManagerBackend,
    secret_id: str,
    client_request_token: str | None = None,
    rotation_lambda_arn: str | None = None,
    rotation_rules: dict[str, Any] | None = None,
    rotate_immediately: bool = True,
) -> str:
    secret = self.secrets[secret_id] if self._is_valid_identifier(secret_id) else None
    if not isinstance(secret, FakeSecret) or secret.versions or secret.is_deleted():
        return _ORIGINAL(
            self, secret_id, client_request_token, rotation_lambda_arn, rotation_rules, rotate_immediately
        )
    secret.rotation_requested = True
    secret.rotation_lambda_arn = rotation_lambda_arn or secret.rotation_lambda_arn
    days = int((rotation_rules or {}).get("AutomaticallyAfterDays", 0))
    if days:
        secret.auto_rotate_after_days = days
        secret.next_rotation_date = int(time.time()) + days * 86400
    if secret.auto_rotate_after_days > 0:
        secret.rotation_enabled = True
    return str(secret.to_short_dict())


def apply() -> None:
    """Wrap moto's rotate (once)."""
    if SecretsManagerBackend.rotate_secret is _ORIGINAL:
        SecretsManagerBackend.rotate_secret = _rotate_secret  # type: ignore[method-assign]
