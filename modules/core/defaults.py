"""Reporting when a construct is asked to weaken one of its secure defaults.

Weakening is allowed, but never silent: each override becomes a synth-time warning annotation on the
construct (shown by `cdktf synth` and by main.py's summary), like aws-solutions-constructs'
`flagOverriddenDefaults`.
"""

from cdktf import Annotations
from constructs import Construct

WEAKENED_DEFAULT_PREFIX = "weakened default:"


def report_weakened_default(scope: Construct, setting: str, secure_value: object, value: object) -> None:
    """Record on `scope` that `setting` was set to `value` instead of the secure `secure_value`."""
    Annotations.of(scope).add_warning(
        f"{WEAKENED_DEFAULT_PREFIX} {setting} = {value!r} (secure default: {secure_value!r})"
    )
