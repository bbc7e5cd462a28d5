"""attach_grant: one inline policy per role, beside the role, holding every grant made to it."""

import json
import re
from pathlib import Path

import pytest
from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.iam_role import IamRole
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.core.context import AccountContext
from tests.unit.modules.conftest import Synthesized, only, policy_statements, resources, synth

# IAM accepts letters and digits only in a statement ID, and each must be unique within its policy.
SID_PATTERN = re.compile(r"[A-Za-z0-9]+")


def _read(sid: str, resource: str = "*") -> Statement:
    return Statement(sid=sid, actions=("s3:GetObject",), resources=(resource,))


def _role(stack: TerraformStack, name: str) -> IamRole:
    return IamRole(stack, name, name=name, assume_role_policy="{}")


def _statements_by_sid(synthesized: Synthesized) -> dict[str, dict[str, object]]:
    policy = only(resources(synthesized, "aws_iam_role_policy"))
    statements = policy_statements(synthesized, policy["policy"])
    by_sid = {statement["sid"]: statement for statement in statements}
    assert len(by_sid) == len(statements), "statement IDs repeat within the policy"
    return by_sid


def test_grants_from_several_constructs_share_one_policy_with_sids_naming_the_granting_construct() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        role = _role(stack, "reader")
        attach_grant(Construct(stack, "raw-bucket"), role, (_read("ReadObjects", "raw"),))
        attach_grant(Construct(stack, "table_ledger"), role, (_read("ReadItems", "ledger"),))

    synthesized = synth(build)
    policy = only(resources(synthesized, "aws_iam_role_policy"))
    assert policy["role"] == "${aws_iam_role.reader.name}"
    assert policy["//"]["metadata"]["path"] == "test/reader-grants"  # beside the role
    by_sid = _statements_by_sid(synthesized)
    assert list(by_sid) == ["RawBucketReadObjects", "TableLedgerReadItems"]  # in grant order
    assert by_sid["RawBucketReadObjects"]["resources"] == ["raw"]
    assert by_sid["TableLedgerReadItems"]["resources"] == ["ledger"]


def test_a_statement_granted_twice_appears_once() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        role, bucket = _role(stack, "reader"), Construct(stack, "bucket")
        attach_grant(bucket, role, (_read("ReadObjects", "same"),))
        attach_grant(bucket, role, (_read("ReadObjects", "same"),))

    assert list(_statements_by_sid(synth(build))) == ["BucketReadObjects"]


def test_a_different_statement_under_a_taken_sid_is_kept_under_a_numbered_sid() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        role = _role(stack, "reader")
        bucket = Construct(stack, "bucket")
        attach_grant(bucket, role, (_read("ReadObjects", "first/*"),))
        attach_grant(bucket, role, (_read("ReadObjects", "second/*"),))
        # Same construct ID elsewhere in the tree: the same prefix, so numbered too.
        attach_grant(Construct(Construct(stack, "other"), "bucket"), role, (_read("ReadObjects", "third/*"),))

    by_sid = _statements_by_sid(synth(build))
    assert {sid: s["resources"] for sid, s in by_sid.items()} == {
        "BucketReadObjects": ["first/*"],
        "BucketReadObjects2": ["second/*"],
        "BucketReadObjects3": ["third/*"],
    }


def test_each_role_gets_its_own_policy_naming_its_own_role() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        granting = Construct(stack, "bucket")
        for name in ("reader", "writer"):
            attach_grant(granting, _role(stack, name), (_read(name.title()),))

    synthesized = synth(build)
    policies = resources(synthesized, "aws_iam_role_policy").values()
    assert sorted(policy["role"] for policy in policies) == [
        "${aws_iam_role.reader.name}",
        "${aws_iam_role.writer.name}",
    ]
    for policy in policies:
        (statement,) = policy_statements(synthesized, policy["policy"])
        assert policy["role"] == f"${{aws_iam_role.{statement['sid'].removeprefix('Bucket').lower()}.name}}"


def test_every_grant_returns_the_one_policy_to_depend_on() -> None:
    returned = []

    def build(stack: TerraformStack, context: AccountContext) -> None:
        role = _role(stack, "reader")
        returned.append(attach_grant(Construct(stack, "a"), role, (_read("A"),)))
        returned.append(attach_grant(Construct(stack, "b"), role, (_read("B"),)))

    synth(build)
    assert returned[0] is returned[1]


def test_a_policy_id_another_construct_already_took_fails_loudly() -> None:
    def build(stack: TerraformStack, context: AccountContext) -> None:
        role = _role(stack, "reader")
        Construct(stack, "reader-grants")
        attach_grant(Construct(stack, "bucket"), role, (_read("Taken"),))

    with pytest.raises(RuntimeError, match="already a Construct with name"):
        synth(build)


def test_every_policy_of_the_platform_has_unique_well_formed_sids(stack_dirs: list[Path]) -> None:
    checked = 0
    for stack_dir in stack_dirs:
        synthesized = json.loads((stack_dir / "cdk.tf.json").read_text())
        for logical_id, document in synthesized["data"]["aws_iam_policy_document"].items():
            sids = [statement["sid"] for statement in document["statement"] if "sid" in statement]
            assert len(sids) == len(set(sids)), f"{stack_dir.name} {logical_id}: repeated sids"
            assert all(SID_PATTERN.fullmatch(sid) for sid in sids), f"{stack_dir.name} {logical_id}: {sids}"
            checked += len(sids)
    assert checked > 100
