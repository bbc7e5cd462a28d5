"""CKV_CSG_52: a policy document that lets someone start Session Manager sessions on EC2 instances
limits it to instances carrying a tag.

Fails when an Allow statement grants ssm:StartSession (directly or through a wildcard such as ssm:* or *)
on instances (`*`, an ARN with `:instance/`, or an EC2 ARN ending in `*`) without a String condition on
`ssm:resourceTag/<key>` or `aws:ResourceTag/<key>` whose values are not just `*`. Statements on other
resources (e.g. the session document) are not in scope, and a document granting no session access to
instances is not reported. Stock checkov has no Session Manager scoping check. Applies to every
`aws_iam_policy_document`: the SSO permission set's inline policy and any role's.
See security/checks/OPERATIONS.md.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck

START_SESSION = "ssm:startsession"
TAG_CONDITION_PREFIXES = ("ssm:resourcetag/", "aws:resourcetag/")
# Any EC2 ARN whose resource part is a wildcard, e.g. arn:aws:ec2:eu-west-1:111122223333:*
_EC2_WILDCARD = re.compile(r"^arn:[^:]*:ec2:[^:]*:[^:]*:\*$")


def _listed(value: Any) -> list[Any]:
    """checkov wraps values in lists, sometimes twice; return a flat list."""
    if value is None:
        return []
    if not isinstance(value, list):
        return [value]
    flat: list[Any] = []
    for item in value:
        flat.extend(_listed(item) if isinstance(item, list) else [item])
    return flat


def _grants_start_session(statement: dict[str, Any]) -> bool:
    effect = _listed(statement.get("effect"))
    if effect and effect[0] not in ("Allow", None):
        return False
    return any(
        isinstance(action, str) and fnmatch.fnmatchcase(START_SESSION, action.lower())
        for action in _listed(statement.get("actions"))
    )


def _covers_instances(statement: dict[str, Any]) -> bool:
    return any(
        isinstance(resource, str)
        and (resource == "*" or ":instance/" in resource or bool(_EC2_WILDCARD.match(resource)))
        for resource in _listed(statement.get("resources"))
    )


def _tag_scoped(statement: dict[str, Any]) -> bool:
    for condition in _listed(statement.get("condition")):
        if not isinstance(condition, dict):
            continue
        test = str(_listed(condition.get("test"))[0] if _listed(condition.get("test")) else "")
        variable = str(_listed(condition.get("variable"))[0] if _listed(condition.get("variable")) else "")
        values = [value for value in _listed(condition.get("values")) if isinstance(value, str)]
        if (
            test.startswith("String")
            and not test.startswith("StringNot")
            and variable.lower().startswith(TAG_CONDITION_PREFIXES)
            and values
            and all(value.strip("*") for value in values)
        ):
            return True
    return False


class SessionAccessTagScoped(BaseDataCheck):  # type: ignore[misc]  # checkov is untyped here
    def __init__(self) -> None:
        super().__init__(
            name="Ensure ssm:StartSession on EC2 instances is limited to instances with a given tag "
            "(ssm:resourceTag condition)",
            id="CKV_CSG_52",
            categories=(CheckCategories.IAM,),
            supported_data=("aws_iam_policy_document",),
            guideline="security/checks/OPERATIONS.md#ckv_csg_52",
        )

    def scan_data_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["statement"]
        session_statements = [
            statement
            for statement in _listed(conf.get("statement"))
            if isinstance(statement, dict)
            and _grants_start_session(statement)
            and _covers_instances(statement)
        ]
        if not session_statements:
            return CheckResult.UNKNOWN  # the document grants no session access to instances
        if all(_tag_scoped(statement) for statement in session_statements):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = SessionAccessTagScoped()
