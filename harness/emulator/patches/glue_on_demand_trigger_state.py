"""Glue: an ON_DEMAND (or EVENT) trigger stays in state CREATED when created or started, as on AWS.

Why the platform needs it: the curation workflow starts with an on-demand trigger (the ingest function starts
the workflow). moto 5.2.5 made it ACTIVATED on creation and on StartTrigger; Terraform reads an activated
on-demand trigger as disabled and planned to enable it after every apply: never idempotent. (Starting an
on-demand trigger runs its actions once; moto runs no jobs, so nothing else changes.)
"""

from typing import Any

from moto.glue.models import FakeTrigger

_ORIGINAL_INIT = FakeTrigger.__init__
_ORIGINAL_START = FakeTrigger.start_trigger
NOT_ACTIVATED_TYPES = ("ON_DEMAND", "EVENT")


def _init(self: FakeTrigger, *args: Any, **kwargs: Any) -> None:
    _ORIGINAL_INIT(self, *args, **kwargs)
    if self.trigger_type in NOT_ACTIVATED_TYPES:
        self.state = "CREATED"


def _start_trigger(self: FakeTrigger) -> None:
    if self.trigger_type not in NOT_ACTIVATED_TYPES:
        _ORIGINAL_START(self)


def apply() -> None:
    """Wrap moto's create and start (once)."""
    if FakeTrigger.__init__ is _ORIGINAL_INIT:
        FakeTrigger.__init__ = _init  # type: ignore[method-assign]
        FakeTrigger.start_trigger = _start_trigger  # type: ignore[method-assign]
