"""The operations checkov policies (CKV_CSG_51-52, security/checks/OPERATIONS.md) against their compliant
and non-compliant fixtures, and what stock checkov does and does not cover next to them."""

from __future__ import annotations

import pytest

from tests.scan.helpers import FindingsByKey, check_results

PASSED, FAILED = True, False

# (check, stack) -> every resource the check must report in that stack, and its expected result.
EXPECTED: dict[tuple[str, str], dict[str, bool]] = {
    ("CKV_CSG_51", "csg51_compliant"): {
        "aws_cloudwatch_metric_alarm.cpu_alarm_1A2B3C4D": PASSED,  # topic reference on alarm and OK
        "aws_cloudwatch_metric_alarm.host_alarm_2B3C4D5E": PASSED,  # literal topic ARN next to EC2 recovery
    },
    ("CKV_CSG_51", "csg51_noncompliant"): {
        "aws_cloudwatch_metric_alarm.cpu_alarm_1A2B3C4D": FAILED,  # no actions at all
        "aws_cloudwatch_metric_alarm.memory_alarm_3C4D5E6F": FAILED,  # alarm action, no OK action
        "aws_cloudwatch_metric_alarm.disabled_alarm_4D5E6F7A": FAILED,  # actions_enabled = false
        "aws_cloudwatch_metric_alarm.silent_alarm_5E6F7A8B": FAILED,  # treat_missing_data left unset
        "aws_cloudwatch_metric_alarm.scaling_alarm_6F7A8B9C": FAILED,  # actions, but no SNS topic
    },
    ("CKV_CSG_52", "csg52_compliant"): {
        "data.aws_iam_policy_document.session_policy-document_2B3C4D5E": PASSED,  # the platform's shape
        "data.aws_iam_policy_document.operators_policy-document_3C4D5E6F": PASSED,  # ssm:* on *, ResourceTag
        # reader_policy-document_4D5E6F7A grants no session access to instances: not reported.
    },
    ("CKV_CSG_52", "csg52_noncompliant"): {
        "data.aws_iam_policy_document.session_policy-document_2B3C4D5E": FAILED,  # no condition
        "data.aws_iam_policy_document.operators_policy-document_3C4D5E6F": FAILED,  # condition, not on a tag
        "data.aws_iam_policy_document.any-tag_policy-document_5E6F7A8B": FAILED,  # tag value "*"
        "data.aws_iam_policy_document.negated_policy-document_6F7A8B9C": FAILED,  # StringNotEquals
        "data.aws_iam_policy_document.partly_policy-document_7A8B9C0D": FAILED,  # one scoped, one not
    },
}


@pytest.mark.parametrize(("check_id", "stack"), sorted(EXPECTED), ids=lambda value: str(value))
def test_operations_check_reports_exactly_the_expected_results(
    policy_findings: FindingsByKey, check_id: str, stack: str
) -> None:
    assert check_results(policy_findings, check_id, stack) == EXPECTED[(check_id, stack)]


def test_operations_checks_carry_their_guideline(policy_findings: FindingsByKey) -> None:
    for check_id in ("CKV_CSG_51", "CKV_CSG_52"):
        guidelines = {f.guideline for (found, _, _), f in policy_findings.items() if found == check_id}
        assert guidelines == {f"security/checks/OPERATIONS.md#{check_id.lower()}"}


# Why the custom checks exist next to stock ones. If checkov starts catching one of these, the test fails:
# re-check whether the custom check is still needed.


@pytest.mark.parametrize(
    "address",
    [
        "aws_cloudwatch_metric_alarm.cpu_alarm_1A2B3C4D",
        "aws_cloudwatch_metric_alarm.memory_alarm_3C4D5E6F",
        "aws_cloudwatch_metric_alarm.silent_alarm_5E6F7A8B",
    ],
)
def test_stock_alarm_check_passes_alarms_that_tell_nobody(
    policy_findings: FindingsByKey, address: str
) -> None:
    assert policy_findings[("CKV_AWS_319", "csg51_noncompliant", address)].passed
    assert not policy_findings[("CKV_CSG_51", "csg51_noncompliant", address)].passed


def test_no_stock_check_fails_an_unscoped_session_grant(policy_findings: FindingsByKey) -> None:
    address = "data.aws_iam_policy_document.session_policy-document_2B3C4D5E"
    stock_failures = {
        check
        for (check, stack, found), finding in policy_findings.items()
        if stack == "csg52_noncompliant"
        and found == address
        and not check.startswith("CKV_CSG_")
        and not finding.passed
    }
    assert stock_failures == set()
