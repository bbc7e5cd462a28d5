"""Glue GetJob: no ExecutionClass unless the job was given one, as AWS answers.

Why the platform needs it: the curation jobs leave the execution class unset. moto 5.2.5 always answered
"STANDARD", which Terraform saw as a setting to remove after every apply: never idempotent.
"""

from typing import Any

from moto.glue.models import FakeJob

_ORIGINAL_INIT = FakeJob.__init__
_ORIGINAL_AS_DICT = FakeJob.as_dict
_GIVEN = "_csg_execution_class_given"


def _init(self: FakeJob, *args: Any, **kwargs: Any) -> None:
    _ORIGINAL_INIT(self, *args, **kwargs)
    setattr(self, _GIVEN, kwargs.get("execution_class") is not None)


def _as_dict(self: FakeJob) -> dict[str, Any]:
    result = _ORIGINAL_AS_DICT(self)
    if not getattr(self, _GIVEN, True):
        result.pop("ExecutionClass", None)
    return result


def apply() -> None:
    """Wrap moto's create and read (once)."""
    if FakeJob.as_dict is _ORIGINAL_AS_DICT:
        FakeJob.__init__ = _init  # type: ignore[method-assign]
        FakeJob.as_dict = _as_dict  # type: ignore[method-assign]
