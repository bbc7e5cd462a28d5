"""RDS: keep and report an instance's Performance Insights settings.

Why the platform needs it: the database's Performance Insights are on and encrypted with the database key (a
control the post-deploy suite checks). moto 5.2.5 dropped PerformanceInsightsEnabled, its KMS key and its
retention on create, so nothing could check them and Terraform planned to turn them on after every apply.
(ModifyDBInstance already stores them: moto sets every modified field.)
"""

from typing import Any

from moto.rds.models import DBInstance

_ORIGINAL = DBInstance.__init__
SETTINGS = (
    "performance_insights_enabled",
    "performance_insights_kms_key_id",
    "performance_insights_retention_period",
)


def _init(self: DBInstance, *args: Any, **kwargs: Any) -> None:
    _ORIGINAL(self, *args, **kwargs)
    for setting in SETTINGS:
        if kwargs.get(setting) is not None:
            setattr(self, setting, kwargs[setting])
    if not getattr(self, "performance_insights_enabled", False):
        setattr(self, "performance_insights_enabled", False)  # noqa: B010 - moto declares no such field
    elif getattr(self, "performance_insights_retention_period", None) is None:
        setattr(self, "performance_insights_retention_period", 7)  # noqa: B010 - AWS's default (free tier)


def apply() -> None:
    """Wrap moto's create (once)."""
    if DBInstance.__init__ is _ORIGINAL:
        DBInstance.__init__ = _init  # type: ignore[method-assign]
