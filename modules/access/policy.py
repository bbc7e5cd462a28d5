"""Typed IAM policy statements rendered with `DataAwsIamPolicyDocument`, and the grant helper.

Constructs never hand-write policy JSON: they describe statements with these classes and attach them to a
role with `attach_grant`, which is what every construct's `grant_*` method calls.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal
from weakref import WeakKeyDictionary

import jsii
from cdktf import IAnyProducer, IResolveContext, Lazy
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct


@dataclass(frozen=True, kw_only=True)
class Condition:
    """One IAM condition: `test` (e.g. StringEquals) on `variable` against `values`."""

    test: str
    variable: str
    values: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Principal:
    """Principals of a resource policy statement: `kind` is AWS, Service or "*"."""

    kind: Literal["AWS", "Service", "*"]
    identifiers: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Statement:
    """One policy statement. Defaults: Allow, no principals (identity policy), no conditions."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    effect: Literal["Allow", "Deny"] = "Allow"
    principals: tuple[Principal, ...] = ()
    conditions: tuple[Condition, ...] = ()


def _rendered(statement: Statement) -> DataAwsIamPolicyDocumentStatement:
    return DataAwsIamPolicyDocumentStatement(
        sid=statement.sid,
        effect=statement.effect,
        actions=list(statement.actions),
        resources=list(statement.resources) or None,
        principals=[
            DataAwsIamPolicyDocumentStatementPrincipals(type=p.kind, identifiers=list(p.identifiers))
            for p in statement.principals
        ]
        or None,
        condition=[
            DataAwsIamPolicyDocumentStatementCondition(
                test=c.test, variable=c.variable, values=list(c.values)
            )
            for c in statement.conditions
        ]
        or None,
    )


def policy_document(
    scope: Construct, construct_id: str, statements: tuple[Statement, ...]
) -> DataAwsIamPolicyDocument:
    """A `DataAwsIamPolicyDocument` holding `statements`, in order."""
    return DataAwsIamPolicyDocument(scope, construct_id, statement=[_rendered(s) for s in statements])


@jsii.implements(IAnyProducer)
class _StatementsProducer:
    def __init__(self, statements: Callable[[], tuple[Statement, ...]]) -> None:
        self._statements = statements
        self._last: tuple[tuple[Statement, ...], list[DataAwsIamPolicyDocumentStatement]] | None = None

    def produce(self, context: IResolveContext) -> list[DataAwsIamPolicyDocumentStatement]:
        # cdktf resolves a stack three times per synth (prepare, the aspect's render, the write), and each
        # rendered statement is type-checked field by field: render again only if the statements changed.
        statements = self._statements()
        if self._last is None or self._last[0] != statements:
            self._last = (statements, [_rendered(statement) for statement in statements])
        return self._last[1]


def growing_policy_document(
    scope: Construct, construct_id: str, statements: Callable[[], tuple[Statement, ...]]
) -> DataAwsIamPolicyDocument:
    """A policy document whose statements are read at synth time, so grants made after the document was
    created (e.g. a key policy naming the roles granted use of the key) still appear in it."""
    return DataAwsIamPolicyDocument(
        scope, construct_id, statement=Lazy.any_value(_StatementsProducer(statements))
    )


def _pascal_case(construct_id: str) -> str:
    """Turns "glue-assets" into "GlueAssets": a statement ID allows letters and digits only."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", construct_id))


class _RolePermissions:
    """A role's one inline policy, beside the role, and the statements grants added to it, in grant order."""

    def __init__(self, role: IamRole) -> None:
        role_node = role.node
        scope = role_node.scope
        assert isinstance(scope, Construct), "a role always has a parent construct"
        self.statements: list[Statement] = []
        self._granted: set[Statement] = set()
        document = growing_policy_document(
            scope, f"{role_node.id}-grants-document", lambda: tuple(self.statements)
        )
        self.policy = IamRolePolicy(
            scope, f"{role_node.id}-grants", name="grants", role=role.name, policy=document.json
        )

    def add(self, statement: Statement) -> None:
        """Add `statement` unless it was granted before; a sid another statement took gets a number."""
        if statement in self._granted:
            return
        self._granted.add(statement)
        taken = {existing.sid for existing in self.statements}
        sid, number = statement.sid, 1
        while sid in taken:
            number += 1
            sid = f"{statement.sid}{number}"
        self.statements.append(replace(statement, sid=sid))


# Grants are this platform's most frequent call (~320 per full synth), and every read of a construct's
# node or ID is a round trip to the jsii kernel: read each once.
_sid_prefixes: "WeakKeyDictionary[Construct, str]" = WeakKeyDictionary()
_role_permissions: "WeakKeyDictionary[IamRole, _RolePermissions]" = WeakKeyDictionary()


def attach_grant(scope: Construct, role: IamRole, statements: tuple[Statement, ...]) -> IamRolePolicy:
    """Add `statements` to `role`'s one inline policy, and return that policy (for `depends_on`).

    As with aws-cdk-lib's default policy, the first grant to a role creates the policy, beside the role,
    and every later grant adds to it: a reviewer reads all of a role's permissions in one document, and a
    role with 30 grants costs two resources, not 60. Each sid is prefixed with the granting construct's
    ID ("Curated" + "ReadObjects"); a statement granted twice appears once, and a sid that a different
    statement already took gets a number ("CuratedReadObjects2").
    """
    if scope not in _sid_prefixes:
        _sid_prefixes[scope] = _pascal_case(scope.node.id)
    prefix = _sid_prefixes[scope]
    if role not in _role_permissions:
        _role_permissions[role] = _RolePermissions(role)
    permissions = _role_permissions[role]
    for statement in statements:
        permissions.add(replace(statement, sid=f"{prefix}{statement.sid}"))
    return permissions.policy
