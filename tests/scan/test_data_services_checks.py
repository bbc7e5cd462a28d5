"""The data-services checkov policies (CKV_CSG_41-44, security/checks/DATA_SERVICES.md) against their
compliant and non-compliant fixtures, and what stock checkov does and does not cover next to them."""

from __future__ import annotations

import pytest

from tests.scan.helpers import FindingsByKey, check_results

PASSED, FAILED = True, False

# (check, stack) -> every resource the check must report in that stack, and its expected result.
EXPECTED: dict[tuple[str, str], dict[str, bool]] = {
    ("CKV_CSG_41", "csg41_compliant"): {
        "aws_glue_connection.etl_connection_1A2B3C4D": PASSED,
        "aws_glue_connection.default-type_connection_2B3C4D5E": PASSED,  # type unset = JDBC; "TRUE"
        # network_connection_3C4D5E6F: a NETWORK connection is not evaluated, so not reported.
    },
    ("CKV_CSG_41", "csg41_noncompliant"): {
        "aws_glue_connection.etl_connection_1A2B3C4D": FAILED,  # JDBC_ENFORCE_SSL missing
        "aws_glue_connection.ssl-off_connection_4D5E6F7A": FAILED,  # JDBC_ENFORCE_SSL = "false"
        "aws_glue_connection.inline-password_connection_5E6F7A8B": FAILED,  # USERNAME/PASSWORD, no secret
        "aws_glue_connection.both_connection_6F7A8B9C": FAILED,  # secret, but a PASSWORD as well
        "aws_glue_connection.no-properties_connection_7A8B9C0D": FAILED,
    },
    ("CKV_CSG_42", "csg42_compliant"): {
        "aws_db_instance.orders_instance_1A2B3C4D": PASSED,
        # replica_instance_2B3C4D5E: a read replica inherits credentials, so it is not reported.
    },
    ("CKV_CSG_42", "csg42_noncompliant"): {
        "aws_db_instance.orders_instance_1A2B3C4D": FAILED,  # password in the configuration
        "aws_db_instance.unmanaged_instance_3C4D5E6F": FAILED,  # neither managed nor set
        "aws_db_instance.write-only_instance_4D5E6F7A": FAILED,  # password_wo
        "aws_db_instance.managed-off_instance_5E6F7A8B": FAILED,  # manage_master_user_password = false
    },
    ("CKV_CSG_43", "csg43_compliant"): {
        "aws_athena_workgroup.analytics_workgroup_1A2B3C4D": PASSED,
        "aws_athena_workgroup.default-enforce_workgroup_2B3C4D5E": PASSED,  # enforcement left at its default
    },
    ("CKV_CSG_43", "csg43_noncompliant"): {
        "aws_athena_workgroup.analytics_workgroup_1A2B3C4D": FAILED,  # no cutoff
        "aws_athena_workgroup.unenforced_workgroup_3C4D5E6F": FAILED,  # cutoff, not enforced
        "aws_athena_workgroup.bare_workgroup_4D5E6F7A": FAILED,  # no configuration at all
    },
    ("CKV_CSG_44", "csg44_compliant"): {
        "aws_secretsmanager_secret.etl_secret_1A2B3C4D": PASSED,
    },
    ("CKV_CSG_44", "csg44_noncompliant"): {
        "aws_secretsmanager_secret.etl_secret_1A2B3C4D": FAILED,  # the stack's only policy is the other's
        "aws_secretsmanager_secret.app_secret_3C4D5E6F": PASSED,
    },
}


@pytest.mark.parametrize(("check_id", "stack"), sorted(EXPECTED), ids=lambda value: str(value))
def test_data_services_check_reports_exactly_the_expected_results(
    policy_findings: FindingsByKey, check_id: str, stack: str
) -> None:
    assert check_results(policy_findings, check_id, stack) == EXPECTED[(check_id, stack)]


def test_data_services_checks_carry_their_guideline(policy_findings: FindingsByKey) -> None:
    for check_id in ("CKV_CSG_41", "CKV_CSG_42", "CKV_CSG_43", "CKV_CSG_44"):
        guidelines = {f.guideline for (found, _, _), f in policy_findings.items() if found == check_id}
        assert guidelines == {f"security/checks/DATA_SERVICES.md#{check_id.lower()}"}


# Why the custom checks exist next to stock ones. If checkov starts catching one of these, the test fails:
# re-check whether the custom check is still needed.


def test_stock_athena_check_passes_a_workgroup_without_cutoff(policy_findings: FindingsByKey) -> None:
    address = "aws_athena_workgroup.analytics_workgroup_1A2B3C4D"
    assert policy_findings[("CKV_AWS_82", "csg43_noncompliant", address)].passed
    assert not policy_findings[("CKV_CSG_43", "csg43_noncompliant", address)].passed


def test_stock_checks_pass_a_secret_without_resource_policy(policy_findings: FindingsByKey) -> None:
    address = "aws_secretsmanager_secret.etl_secret_1A2B3C4D"
    assert policy_findings[("CKV_AWS_149", "csg44_noncompliant", address)].passed
    assert not policy_findings[("CKV_CSG_44", "csg44_noncompliant", address)].passed


def test_no_stock_check_reports_on_glue_connections(policy_findings: FindingsByKey) -> None:
    stock = {
        check
        for (check, stack, address), _ in policy_findings.items()
        if stack == "csg41_noncompliant"
        and address.startswith("aws_glue_connection.")
        and not check.startswith("CKV_CSG_")
    }
    assert stock == set()
