"""Glue CreateTrigger: an ON_DEMAND (or EVENT) trigger is created in state CREATED, as AWS does.

Why the platform needs it: the curation workflow starts with an on-demand trigger (the ingest function starts
the workflow). moto 5.2.5 created it ACTIVATED; Terraform reads an activated on-demand trigger as disabled
and planned to enable it after every apply: never idempotent.
"""

from typing import Any

from moto.glue.models import FakeTrigger

_ORIGINAL = FakeTrigger.__init__
NOT_ACTIVATED_TYPES = ("ON_DEMAND", "EVENT")


def _init(self: FakeTrigger, *args: Any, **kwargs: Any) -> None:
    _ORIGINAL(self, *args, **kwargs)
    if self.trigger_type in NOT_ACTIVATED_TYPES:
        self.state = "CREATED"


def apply() -> None:
    """Wrap moto's create (once)."""
    if FakeTrigger.__init__ is _ORIGINAL:
        FakeTrigger.__init__ = _init  # type: ignore[method-assign]
