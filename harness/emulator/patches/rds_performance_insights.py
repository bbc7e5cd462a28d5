"""RDS: keep and report an instance's Performance Insights settings.

Why the platform needs it: the database's Performance Insights are on and encrypted with the database key (a
control the post-deploy suite checks). moto 5.2.5 dropped EnablePerformanceInsights, its KMS key and its
retention on create, and never reported PerformanceInsightsEnabled, so nothing could check them and
Terraform planned to turn them on after every apply. (ModifyDBInstance stores what it is given: moto sets
every modified field on the instance.)
"""

from typing import Any

from moto.rds.models import DBInstance

_ORIGINAL = DBInstance.__init__
STORED = (
    "enable_performance_insights",
    "performance_insights_kms_key_id",
    "performance_insights_retention_period",
)
DEFAULT_RETENTION_DAYS = 7
"""AWS's default retention (the free tier)."""


def _init(self: DBInstance, *args: Any, **kwargs: Any) -> None:
    _ORIGINAL(self, *args, **kwargs)
    for setting in STORED:
        setattr(self, setting, kwargs.get(setting))


def _enabled(self: DBInstance) -> bool:
    return bool(getattr(self, "enable_performance_insights", False))


def _retention(self: DBInstance) -> int | None:
    if not _enabled(self):
        return None
    stored = self.__dict__.get("performance_insights_retention_period")
    return int(stored) if stored is not None else DEFAULT_RETENTION_DAYS


def _set_retention(self: DBInstance, value: int | None) -> None:
    self.__dict__["performance_insights_retention_period"] = value


def apply() -> None:
    """Wrap moto's create (once) and add the fields DescribeDBInstances reports."""
    if DBInstance.__init__ is _ORIGINAL:
        DBInstance.__init__ = _init  # type: ignore[method-assign]
    DBInstance.performance_insights_enabled = property(_enabled)  # type: ignore[attr-defined]
    DBInstance.performance_insights_retention_period = property(_retention, _set_retention)  # type: ignore[attr-defined]
