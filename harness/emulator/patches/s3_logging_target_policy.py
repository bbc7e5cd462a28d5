"""S3 PutBucketLogging: accept a target bucket whose policy has statements with `"Principal": "*"`.

Why the platform needs it: every bucket's policy denies non-TLS requests to `"Principal": "*"`, and the
access-log bucket also allows `logging.s3.amazonaws.com` to write. moto 5.2.5 checks the target bucket's
policy for that grant (as AWS does) but assumes every Principal is an object, so `"*"` raised
AttributeError and PutBucketLogging answered 500 for every data bucket. This replaces the check with one
that reads all policy grammar forms (Principal "*" or object, Action and Resource as string or list);
what it accepts is unchanged: an Allow of s3:PutObject to the logging service on the target bucket/prefix.
"""

import json
from typing import Any

from moto.s3.models import FakeBucket

LOGGING_SERVICE_PRINCIPAL = "logging.s3.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _grants_log_delivery(statement: dict[str, Any], bucket: FakeBucket, target_prefix: str | None) -> bool:
    principal = statement.get("Principal", {})
    services = _as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
    resources = {
        f"arn:{bucket.partition}:s3:::{bucket.name}/{target_prefix or ''}*",
        f"arn:{bucket.partition}:s3:::{bucket.name}/*",
        f"arn:{bucket.partition}:s3:::{bucket.name}",
    }
    return (
        LOGGING_SERVICE_PRINCIPAL in services
        and statement.get("Effect") == "Allow"
        and "s3:PutObject" in _as_list(statement.get("Action", []))
        and any(resource in resources for resource in _as_list(statement.get("Resource", [])))
    )


def _log_permissions_enabled_policy(target_bucket: FakeBucket, target_prefix: str | None) -> bool:
    if not target_bucket.policy:
        return False
    document = json.loads(target_bucket.policy.decode())
    return any(
        _grants_log_delivery(statement, target_bucket, target_prefix)
        for statement in _as_list(document.get("Statement", []))
    )


def apply() -> None:
    """Replace moto's check (a staticmethod on FakeBucket)."""
    FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)  # type: ignore[method-assign]
