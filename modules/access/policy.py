"""Typed IAM policy statements rendered with `DataAwsIamPolicyDocument`, and the grant helper.

Constructs never hand-write policy JSON: they describe statements with these classes and attach them to a
role with `attach_grant`, which is what every construct's `grant_*` method calls.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
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

    def produce(self, context: IResolveContext) -> list[DataAwsIamPolicyDocumentStatement]:
        return [_rendered(statement) for statement in self._statements()]


def growing_policy_document(
    scope: Construct, construct_id: str, statements: Callable[[], tuple[Statement, ...]]
) -> DataAwsIamPolicyDocument:
    """A policy document whose statements are read at synth time, so grants made after the document was
    created (e.g. a key policy naming the roles granted use of the key) still appear in it."""
    return DataAwsIamPolicyDocument(
        scope, construct_id, statement=Lazy.any_value(_StatementsProducer(statements))
    )


@dataclass
class _GrantingScope:
    """What naming a scope's grants needs, read from the jsii kernel once per scope."""

    construct_id: str
    address: str
    grant_ids: set[str] = field(default_factory=set)


# Grants are this platform's most frequent construct (~320 per full synth), and every read of a
# construct's node, ID, address or a role's name is a round trip to the jsii kernel: read each once.
_granting_scopes: "WeakKeyDictionary[Construct, _GrantingScope]" = WeakKeyDictionary()
_role_names: "WeakKeyDictionary[IamRole, tuple[str, str]]" = WeakKeyDictionary()


def attach_grant(
    scope: Construct, verb: str, role: IamRole, statements: tuple[Statement, ...]
) -> IamRolePolicy:
    """Attach `statements` to `role` as an inline policy named after the granting construct and `verb`.

    The policy lives in the granting construct's scope, so a resource's grants sit beside the resource.
    Its construct ID is `grant-<verb>-<role>`, with `-2`, `-3`... for further grants of the same verb
    to the same role from the same scope. (An ID some other code already gave a child of the scope
    makes construct creation fail loudly.)
    """
    if scope not in _granting_scopes:
        node = scope.node
        _granting_scopes[scope] = _GrantingScope(construct_id=node.id, address=node.addr)
    granting = _granting_scopes[scope]
    if role not in _role_names:
        _role_names[role] = (role.friendly_unique_id, role.name)
    role_id, role_name = _role_names[role]

    grant_id = f"grant-{verb}-{role_id}"
    suffix = 1
    while (grant_id if suffix == 1 else f"{grant_id}-{suffix}") in granting.grant_ids:
        suffix += 1
    if suffix > 1:
        grant_id = f"{grant_id}-{suffix}"
    granting.grant_ids.add(grant_id)
    document = policy_document(scope, f"{grant_id}-document", statements)
    return IamRolePolicy(
        scope,
        grant_id,
        # Unique per granting construct, verb and grant (a role's inline policies share one namespace: a
        # second grant of the same verb under the same name would silently replace the first), readable in
        # the console.
        name=f"{granting.construct_id}-{verb}{f'-{suffix}' if suffix > 1 else ''}-{granting.address[:8]}"[
            :128
        ],
        role=role_name,
        policy=document.json,
    )
