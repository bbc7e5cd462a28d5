"""S3 object requests: evaluate bucket-policy conditions against the request, as AWS does.

Why the platform needs it: every data bucket's policy denies with conditions (no TLS, TLS < 1.2, an upload
naming another encryption or key). moto 5.2.5 ignores conditions it does not know (Bool, Numeric*, the
IfExists forms), so each of those Deny statements applied to every request and every object read or write
answered 403. This evaluates the conditions of a statement on object requests (GetObject, PutObject,
DeleteObject; HEAD as GetObject) with AWS's rules: the string, numeric, boolean, ARN and Null operators, their
IfExists forms, a missing key making a condition false (true for the negated operators and for IfExists).

The request context: the object-request headers that are S3 condition keys (x-amz-server-side-encryption,
x-amz-server-side-encryption-aws-kms-key-id, x-amz-acl, x-amz-storage-class), and transport as AWS's
endpoints give it, aws:SecureTransport = true and s3:TlsVersion = 1.2: the emulator listens on plain HTTP
on 127.0.0.1 in place of AWS's TLS endpoints. (The TLS-only policy itself is checked by the post-deploy
suite reading the policy document.) Statements apply when their Principal is everyone ("*" or AWS "*");
statements naming specific principals are left to moto, as before.
"""

import contextvars
import fnmatch
import json
from collections.abc import Callable, Mapping
from typing import Any

from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response

TRANSPORT_CONTEXT = {"aws:securetransport": "true", "s3:tlsversion": "1.2"}
HEADER_KEYS = (
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-acl",
    "x-amz-storage-class",
)
ACTION_ALIASES = {"s3:HeadObject": "s3:GetObject"}

_request_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("csg_s3_request_context")
_ORIGINAL_KEY_RESPONSE = S3Response._key_response


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(item).lower() if isinstance(item, bool) else str(item) for item in values]


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def check(actual: str, expected: str) -> bool:
        left, right = _number(actual), _number(expected)
        return left is not None and right is not None and compare(left, right)

    return check


_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda actual, expected: actual == expected,
    "StringEqualsIgnoreCase": lambda actual, expected: actual.lower() == expected.lower(),
    "StringLike": lambda actual, expected: fnmatch.fnmatchcase(actual, expected),
    "NumericEquals": _numeric(lambda a, b: a == b),
    "NumericLessThan": _numeric(lambda a, b: a < b),
    "NumericLessThanEquals": _numeric(lambda a, b: a <= b),
    "NumericGreaterThan": _numeric(lambda a, b: a > b),
    "NumericGreaterThanEquals": _numeric(lambda a, b: a >= b),
    "Bool": lambda actual, expected: actual.lower() == expected.lower(),
    "ArnEquals": lambda actual, expected: actual == expected,
    "ArnLike": lambda actual, expected: fnmatch.fnmatchcase(actual, expected),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    """Whether one operator/key/values entry of a Condition block holds for `context` (lower-case keys)."""
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    actual = context.get(key.lower())
    if base == "Null":
        return (actual is None) == (_strings(expected)[0].lower() == "true")
    if actual is None:
        return if_exists or base in _NEGATED
    if base in _NEGATED:
        compare = _POSITIVE[_NEGATED[base]]
        return not any(compare(actual, value) for value in _strings(expected))
    if base not in _POSITIVE:
        raise ValueError(f"condition operator {operator} is not emulated")
    return any(_POSITIVE[base](actual, value) for value in _strings(expected))


def _statement_applies(
    statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str]
) -> bool:
    principal = statement.get("Principal")
    if principal != "*" and not (isinstance(principal, dict) and _strings(principal.get("AWS")) == ["*"]):
        return False
    actions = _strings(statement.get("Action", []))
    resources = _strings(statement.get("Resource", []))
    if not any(fnmatch.fnmatchcase(action, pattern) for pattern in actions):
        return False
    if not any(fnmatch.fnmatchcase(resource, pattern) for pattern in resources):
        return False
    return all(
        condition_holds(operator, key, expected, context)
        for operator, entries in statement.get("Condition", {}).items()
        for key, expected in entries.items()
    )


def _get_permission(self: FakeBucket, action: str, resource: str) -> PermissionResult:
    if self.policy is None:
        return PermissionResult.NEUTRAL
    action = ACTION_ALIASES.get(action, action)
    context = {**TRANSPORT_CONTEXT, **_request_context.get({})}
    document = json.loads(self.policy.decode())
    found = document.get("Statement", [])
    permitted = False
    for statement in found if isinstance(found, list) else [found]:
        if _statement_applies(statement, action, resource, context):
            if statement.get("Effect") == "Deny":
                return PermissionResult.DENIED
            permitted = True
    return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL


def _key_response(self: S3Response, request: Any, full_url: str) -> Any:
    headers = {name.lower(): value for name, value in dict(request.headers).items()}
    context = {f"s3:{name}": headers[name] for name in HEADER_KEYS if name in headers}
    token = _request_context.set(context)
    try:
        return _ORIGINAL_KEY_RESPONSE(self, request, full_url)
    finally:
        _request_context.reset(token)


def apply() -> None:
    """Replace the bucket's policy check and give it the request's context."""
    FakeBucket.get_permission = _get_permission  # type: ignore[method-assign]
    S3Response._key_response = _key_response  # type: ignore[method-assign]
