"""attach_grant: each grant its own inline policy, uniquely named per role, beside the granting construct."""

import pytest
from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.iam_role import IamRole
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.core.context import AccountContext
from tests.unit.modules.conftest import Synthesized, policy_statements, resources, synth


def _grant(scope: Construct, verb: str, role: IamRole, sid: str) -> None:
    attach_grant(scope, verb, role, (Statement(sid=sid, actions=("s3:GetObject",), resources=("*",)),))


def _role(stack: TerraformStack, name: str) -> IamRole:
    return IamRole(stack, name, name=name, assume_role_policy="{}")


def _policies(synthesized: Synthesized) -> dict[str, dict[str, str]]:
    return resources(synthesized, "aws_iam_role_policy")


def test_repeated_grants_of_one_verb_to_one_role_are_all_kept_under_distinct_names() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        role = _role(stack, "reader")
        granting = Construct(stack, "bucket")
        for sid in ("First", "Second", "Third"):
            _grant(granting, "read", role, sid)

    synthesized = synth(build)
    policies = _policies(synthesized).values()
    names = [policy["name"] for policy in policies]
    assert len(names) == 3
    assert len(set(names)) == 3
    assert all(name.startswith("bucket-read") for name in names)
    sids = sorted(
        statement["sid"]
        for policy in policies
        for statement in policy_statements(synthesized, policy["policy"])
    )
    assert sids == ["First", "Second", "Third"]


def test_same_named_granting_constructs_in_different_places_get_different_policy_names() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        role = _role(stack, "reader")
        for parent in ("raw", "curated"):
            _grant(Construct(Construct(stack, parent), "bucket"), "read", role, parent.title())

    names = [policy["name"] for policy in _policies(synth(build)).values()]
    assert len(names) == 2
    assert len(set(names)) == 2


def test_each_role_gets_its_own_policy_naming_its_own_role() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        granting = Construct(stack, "bucket")
        for name in ("reader", "writer"):
            _grant(granting, "read", _role(stack, name), name.title())

    roles = sorted(policy["role"] for policy in _policies(synth(build)).values())
    assert roles == ["${aws_iam_role.reader.name}", "${aws_iam_role.writer.name}"]


def test_a_grant_id_another_construct_already_took_fails_loudly() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        role = _role(stack, "reader")
        granting = Construct(stack, "bucket")
        Construct(granting, f"grant-read-{role.friendly_unique_id}")
        _grant(granting, "read", role, "Taken")

    with pytest.raises(RuntimeError, match="already a Construct with name"):
        synth(build)
