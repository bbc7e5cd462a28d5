"""SessionPermissionSet: Session Manager shells only on instances tagged with the environment, only with
the default shell document, plus view-only; a bounded session; assigned to one group in this account."""

import json
from pathlib import Path
from typing import Any

import pytest

from modules.access.session_permission_set import SessionPermissionSet, SessionPermissionSetProps
from modules.core.context import AccountContext
from modules.core.validation import PropsError
from security.checkov_run import checkov_executable, read_findings, run_checkov
from security.stacks import discover_stacks
from tests.unit.modules.conftest import Synthesized, data_sources, only, resources, synth

INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-0123456789abcdef"


def _build(**settings: Any) -> Any:
    def build(stack: Any, context: AccountContext) -> None:
        props = {
            "name": "csg-test-app-host-session",
            "instance_arn": INSTANCE_ARN,
            "identity_store_id": "d-0123456789",
            "group_name": "platform-operators",
            "tag_key": "environment",
            "tag_value": "test",
            **settings,
        }
        SessionPermissionSet(
            stack, "session-access", context=context, props=SessionPermissionSetProps(**props)
        )

    return build


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    return synth(_build(session_duration_hours=2), aspects_production=True)


def _statements(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    inline = only(resources(synthesized, "aws_ssoadmin_permission_set_inline_policy"))
    document_id = (
        inline["inline_policy"].removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
    )
    statements = data_sources(synthesized, "aws_iam_policy_document")[document_id]["statement"]
    return {s["sid"]: s for s in statements}


def test_sessions_start_only_on_instances_tagged_with_the_environment(synthesized: Synthesized) -> None:
    statement = _statements(synthesized)["StartSessionOnEnvironmentInstances"]
    assert statement["actions"] == ["ssm:StartSession"]
    assert (
        statement["resources"][0].endswith(":instance/*") and ":ec2:eu-west-1:" in statement["resources"][0]
    )
    assert statement["condition"] == [
        {"test": "StringEquals", "variable": "ssm:resourceTag/environment", "values": ["test"]}
    ]


def test_sessions_use_only_the_default_shell_document(synthesized: Synthesized) -> None:
    statement = _statements(synthesized)["StartSessionWithDefaultShellOnly"]
    assert statement["resources"][0].endswith(":document/SSM-SessionManagerRunShell")
    assert statement["condition"][0]["variable"] == "ssm:SessionDocumentAccessCheck"


def test_users_manage_only_their_own_sessions_and_use_only_the_session_key(synthesized: Synthesized) -> None:
    statements = _statements(synthesized)
    # `$${` is Terraform's literal `${`: the IAM policy variable reaches AWS unevaluated.
    assert statements["ManageOwnSessions"]["resources"][0].endswith(":session/$${aws:userid}-*")
    key = statements["UseSessionKey"]
    assert key["actions"] == ["kms:GenerateDataKey"]
    assert key["condition"][0]["values"] == ["alias/csg-account-sessions"]
    wildcard = [sid for sid, s in statements.items() if "*" in s["resources"]]
    assert wildcard == ["SeeSessionTargets"]  # describe calls without resource-level permissions
    assert all(a.startswith("ssm:Describe") for a in statements["SeeSessionTargets"]["actions"])
    assert statements["SeeConnectionStatus"]["resources"][0].endswith(":instance/*")


def test_permission_set_is_bounded_view_only_and_assigned_to_the_group(synthesized: Synthesized) -> None:
    permission_set = only(resources(synthesized, "aws_ssoadmin_permission_set"))
    assert permission_set["session_duration"] == "PT2H"
    attachment = only(resources(synthesized, "aws_ssoadmin_managed_policy_attachment"))
    assert attachment["managed_policy_arn"].endswith(":iam::aws:policy/job-function/ViewOnlyAccess")
    group_id, group = next(iter(data_sources(synthesized, "aws_identitystore_group").items()))
    assert group["alternate_identifier"]["unique_attribute"] == {
        "attribute_path": "DisplayName",
        "attribute_value": "platform-operators",
    }
    assignment = only(resources(synthesized, "aws_ssoadmin_account_assignment"))
    assert assignment["principal_type"] == "GROUP"
    assert assignment["principal_id"] == f"${{data.aws_identitystore_group.{group_id}.group_id}}"
    assert assignment["target_type"] == "AWS_ACCOUNT"
    assert assignment["target_id"].startswith("${data.aws_caller_identity.")


def test_checkov_passes_the_synthesized_permission_set_policy(
    synthesized: Synthesized, tmp_path: Path
) -> None:
    """Real checkov, CKV_CSG_52 included, on this construct's output; failing cases are scan fixtures."""
    stack_file = tmp_path / "synth" / "stacks" / "sso" / "cdk.tf.json"
    stack_file.parent.mkdir(parents=True)
    stack_file.write_text(json.dumps(synthesized, indent=2))  # results are located by line
    stacks = discover_stacks(tmp_path / "synth")
    scan = read_findings(
        run_checkov(checkov_executable(), [s.file for s in stacks], tmp_path / "out"), stacks
    )
    results = {f.address: f.passed for f in scan.findings if f.check_id == "CKV_CSG_52"}
    (document,) = results
    assert document.startswith("data.aws_iam_policy_document.session-access_policy-document")
    assert results[document] is True
    # And stock checkov finds nothing to object to in the inline policy (e.g. "*" on restrictable actions).
    failed = sorted(f.check_id for f in scan.findings if f.address == document and not f.passed)
    assert failed == []


def test_missing_tag_or_unbounded_session_is_rejected() -> None:
    with pytest.raises(PropsError) as error:
        synth(_build(tag_value="", session_duration_hours=24, name="x" * 33))
    assert len(error.value.problems) == 3
