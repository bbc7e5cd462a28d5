"""RDS CreateDBInstance: a new instance gets AWS's current default CA, rds-ca-rsa2048-g1.

Why the platform needs it: the database pins `ca_cert_identifier = "rds-ca-rsa2048-g1"`. Terraform does not
send it on create; it compares the created instance's CA with the setting and, when they differ, modifies the
instance and waits for it again (over a minute of the provider's fixed waits). On AWS new instances get
rds-ca-rsa2048-g1 by default (since 2024), so no modify happens; moto 5.2.5 still answered with the retired
"rds-ca-default", which forced the extra modify on every local deployment.
"""

from typing import Any

from moto.rds.models import DBInstance

AWS_DEFAULT_CA = "rds-ca-rsa2048-g1"
_APPLIED = "_csg_default_ca_applied"


def apply() -> None:
    """Wrap moto's create (once; whatever other patches already wrapped is kept)."""
    if getattr(DBInstance, _APPLIED, False):
        return
    original = DBInstance.__init__

    def _init(self: DBInstance, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("ca_certificate_identifier", AWS_DEFAULT_CA)
        original(self, *args, **kwargs)

    DBInstance.__init__ = _init  # type: ignore[method-assign]
    setattr(DBInstance, _APPLIED, True)
