"""The custom checkov policies (security/checks/) against their compliant and non-compliant fixtures.

Each fixture stack (tests/scan/fixtures/policies/stacks/<check>_<compliant|noncompliant>/) is one file,
so these results also show that references resolve within a stack only: the compliant and
non-compliant stacks reuse the same logical IDs with different wiring.
"""

from __future__ import annotations

import pytest

from tests.scan.helpers import FindingsByKey, check_results

PASSED, FAILED = True, False

# (check, stack) -> every resource the check must report in that stack, and its expected result.
EXPECTED: dict[tuple[str, str], dict[str, bool]] = {
    ("CKV_CSG_1", "csg1_compliant"): {
        # Two statements; the TLS deny is the first.
        "aws_s3_bucket.data_bucket_1A2B3C4D": PASSED,
        # Single statement with two conditions, BoolIfExists, principal AWS "*", action "*".
        "aws_s3_bucket.logs_bucket_5E6F7A8B": PASSED,
    },
    ("CKV_CSG_1", "csg1_noncompliant"): {
        "aws_s3_bucket.data_bucket_1A2B3C4D": FAILED,  # no bucket policy at all
        "aws_s3_bucket.logs_bucket_5E6F7A8B": FAILED,  # denies when SecureTransport is "true"
        "aws_s3_bucket.raw_bucket_6E7F8A9B": FAILED,  # Allow, not Deny
        "aws_s3_bucket.stage_bucket_7A8B9C0D": FAILED,  # denies one role only, not every principal
    },
    ("CKV_CSG_2", "csg2_compliant"): {
        "aws_security_group.app_sg_11AA22BB": PASSED,  # CIDR ingress, but not a data store
        "aws_security_group.warehouse_db_sg_33CC44DD": PASSED,  # RDS SG: SG, self and SG-rule sources only
        "aws_security_group.cache_sg_55EE66FF": PASSED,  # tagged data store, SG-referencing rule
    },
    ("CKV_CSG_2", "csg2_noncompliant"): {
        "aws_security_group.app_sg_11AA22BB": PASSED,
        "aws_security_group.warehouse_db_sg_33CC44DD": FAILED,  # inline cidr_blocks next to a good rule
        "aws_security_group.cluster_sg_21AB43CD": FAILED,  # aws_vpc_security_group_ingress_rule cidr_ipv4
        "aws_security_group.cache_sg_55EE66FF": FAILED,  # aws_security_group_rule cidr_blocks
        "aws_security_group.search_sg_65EF87AB": FAILED,  # prefix_list_id, OpenSearch via vpc_options
        "aws_security_group.tagged_sg_09BA87DC": FAILED,  # tag DataStore=True, inline ipv6_cidr_blocks
        "aws_security_group.mixed_sg_10FE32DC": FAILED,  # one SG-sourced rule and one cidr_ipv6 rule
    },
    ("CKV_CSG_3", "csg3_compliant"): {
        "aws_security_group.bastion_sg_1A2B3C4D": PASSED,
        "aws_vpc_security_group_ingress_rule.bastion_ssh-from-vpn_2B3C4D5E": PASSED,
        "aws_vpc_security_group_ingress_rule.bastion_ping_3C4D5E6F": PASSED,
        "aws_security_group_rule.bastion_ssh-out_4D5E6F7A": PASSED,
    },
    ("CKV_CSG_3", "csg3_noncompliant"): {
        "aws_security_group.bastion_sg_1A2B3C4D": FAILED,  # inline, as cdktf writes it (null fields)
        "aws_security_group.jump_sg_5E6F7A8B": FAILED,  # a self rule before the bad one
        "aws_security_group.worker_sg_6F7A8B9C": PASSED,  # its rules are separate resources
        "aws_vpc_security_group_ingress_rule.worker_all-traffic_7A8B9C0D": FAILED,
        "aws_vpc_security_group_ingress_rule.worker_ssh-v6_8B9C0D1E": FAILED,
        "aws_security_group_rule.worker_low-ports_9C0D1E2F": FAILED,
    },
    ("CKV_CSG_4", "csg4_compliant"): {
        "aws_instance.runner_instance_1A2B3C4D": PASSED,
        "aws_instance.sealed_instance_2B3C4D5E": PASSED,  # metadata endpoint disabled
        "aws_launch_template.workers_template_3C4D5E6F": PASSED,
    },
    ("CKV_CSG_4", "csg4_noncompliant"): {
        "aws_instance.runner_instance_1A2B3C4D": FAILED,  # hop limit 2
        "aws_instance.default-hops_instance_4D5E6F7A": FAILED,  # hop limit left to the AMI
        "aws_instance.imdsv1_instance_5E6F7A8B": PASSED,  # hop limit 1; IMDSv1 is stock CKV_AWS_79's job
        "aws_launch_template.workers_template_3C4D5E6F": FAILED,  # no metadata_options
    },
}


@pytest.mark.parametrize(("check_id", "stack"), sorted(EXPECTED), ids=lambda value: str(value))
def test_custom_check_reports_exactly_the_expected_results(
    policy_findings: FindingsByKey, check_id: str, stack: str
) -> None:
    assert check_results(policy_findings, check_id, stack) == EXPECTED[(check_id, stack)]


def test_custom_checks_carry_their_readme_guideline(policy_findings: FindingsByKey) -> None:
    for check_id in ("CKV_CSG_1", "CKV_CSG_2", "CKV_CSG_3", "CKV_CSG_4"):
        guidelines = {f.guideline for (found, _, _), f in policy_findings.items() if found == check_id}
        assert guidelines == {f"security/checks/README.md#{check_id.lower()}"}


def test_results_are_named_by_terraform_address(policy_findings: FindingsByKey) -> None:
    """checkov itself says `data.<name>` / `resource.<name>` / `<type>.<name>` for these."""
    document = "data.aws_iam_policy_document.data_policy-document_0A1B2C3D"
    assert ("CKV_AWS_356", "csg1_compliant", document) in policy_findings  # a Python check
    assert ("CKV2_AWS_40", "csg1_compliant", document) in policy_findings  # a graph check
    assert ("CKV_AWS_41", "csg1_compliant", "provider.aws") in policy_findings
    addresses = {address for _, _, address in policy_findings}
    assert not {address for address in addresses if address.startswith(("resource.", "aws_iam_policy"))}


# Why CKV_CSG_3 and CKV_CSG_4 exist next to stock checks (security/checks/README.md). If checkov fixes
# one of these, the test fails: re-check whether the custom check is still needed.
STOCK_CKV_AWS_24_MISSES = [
    # cdktf writes `prefix_list_ids: null` in inline rules, which CKV_AWS_24 reads as "has a prefix list".
    "aws_security_group.bastion_sg_1A2B3C4D",
    "aws_security_group.jump_sg_5E6F7A8B",
    "aws_vpc_security_group_ingress_rule.worker_all-traffic_7A8B9C0D",  # ip_protocol -1 without ports
    "aws_vpc_security_group_ingress_rule.worker_ssh-v6_8B9C0D1E",  # cidr_ipv6 "::/0" as a string
]


@pytest.mark.parametrize("address", STOCK_CKV_AWS_24_MISSES)
def test_stock_ssh_check_misses_what_ckv_csg_3_catches(policy_findings: FindingsByKey, address: str) -> None:
    assert policy_findings[("CKV_AWS_24", "csg3_noncompliant", address)].passed
    assert not policy_findings[("CKV_CSG_3", "csg3_noncompliant", address)].passed


def test_stock_ssh_check_flags_a_rule_sourced_from_a_security_group(policy_findings: FindingsByKey) -> None:
    """A false positive to expect in the registry: CKV_AWS_24 ignores referenced_security_group_id."""
    address = "aws_vpc_security_group_ingress_rule.bastion_ssh-from-vpn_2B3C4D5E"
    assert not policy_findings[("CKV_AWS_24", "csg3_compliant", address)].passed
    assert policy_findings[("CKV_CSG_3", "csg3_compliant", address)].passed


def test_stock_checks_cover_imdsv2_so_ckv_csg_4_does_not(policy_findings: FindingsByKey) -> None:
    stack = "csg4_noncompliant"
    assert not policy_findings[("CKV_AWS_79", stack, "aws_instance.imdsv1_instance_5E6F7A8B")].passed
    assert not policy_findings[("CKV_AWS_79", stack, "aws_launch_template.workers_template_3C4D5E6F")].passed
    assert policy_findings[("CKV_AWS_79", stack, "aws_instance.runner_instance_1A2B3C4D")].passed


def test_stock_hop_limit_check_passes_an_unset_limit(policy_findings: FindingsByKey) -> None:
    address = "aws_launch_template.workers_template_3C4D5E6F"
    assert policy_findings[("CKV_AWS_341", "csg4_noncompliant", address)].passed
    assert not policy_findings[("CKV_CSG_4", "csg4_noncompliant", address)].passed
