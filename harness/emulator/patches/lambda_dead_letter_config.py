"""Lambda: keep and report a function's DeadLetterConfig.

Why the platform needs it: the ingest function sends events it cannot process to an encrypted dead-letter
queue (watched by an alarm). moto 5.2.5 dropped DeadLetterConfig on create and update, so Terraform planned
to add it again after every apply, and nothing could check where failed events go.
"""

from typing import Any

from moto.awslambda.models import LambdaFunction

_ORIGINAL_INIT = LambdaFunction.__init__
_ORIGINAL_GET = LambdaFunction.get_configuration
_ORIGINAL_UPDATE = LambdaFunction.update_configuration
_DEAD_LETTER = "_csg_dead_letter_config"


def _init(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
    _ORIGINAL_INIT(self, account_id, spec, *args, **kwargs)
    setattr(self, _DEAD_LETTER, spec.get("DeadLetterConfig"))


def _get_configuration(self: LambdaFunction, *args: Any, **kwargs: Any) -> dict[str, Any]:
    configuration = _ORIGINAL_GET(self, *args, **kwargs)
    dead_letter = getattr(self, _DEAD_LETTER, None)
    if dead_letter and dead_letter.get("TargetArn"):
        configuration["DeadLetterConfig"] = dead_letter
    return configuration


def _update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
    if "DeadLetterConfig" in config_updates:
        setattr(self, _DEAD_LETTER, config_updates["DeadLetterConfig"])
    return _ORIGINAL_UPDATE(self, config_updates)


def apply() -> None:
    """Wrap moto's create, read and update (once)."""
    if LambdaFunction.get_configuration is _ORIGINAL_GET:
        LambdaFunction.__init__ = _init  # type: ignore[method-assign]
        LambdaFunction.get_configuration = _get_configuration  # type: ignore[method-assign]
        LambdaFunction.update_configuration = _update_configuration  # type: ignore[method-assign]
