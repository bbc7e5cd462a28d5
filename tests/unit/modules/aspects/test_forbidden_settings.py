"""ForbiddenSettings: synth fails on a forbidden setting, whoever wrote the resource; passes otherwise."""

import pytest
from cdktf import Aspects, TerraformStack
from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.instance import Instance, InstanceMetadataOptions
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.security_group import SecurityGroup, SecurityGroupIngress
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule

from modules.aspects.forbidden_settings import ForbiddenSettings, violations
from modules.core.context import AccountContext
from tests.unit.modules.conftest import Synthesized, synth


def _expect_synth_error(build: object, message: str, *, production: bool = False) -> None:
    with pytest.raises(RuntimeError) as error:
        synth(build, aspects_production=production)  # type: ignore[arg-type]
    assert "forbidden setting" in str(error.value)
    assert message in str(error.value)


def test_compliant_resources_synthesize() -> None:
    def compliant(stack: TerraformStack, context: AccountContext) -> None:
        group = SecurityGroup(stack, "sg", name="sg", vpc_id="vpc-1")
        VpcSecurityGroupIngressRule(
            stack,
            "from-group",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=5432,
            to_port=5432,
            referenced_security_group_id="sg-2",
        )
        Instance(
            stack,
            "host",
            ami="ami-1",
            instance_type="t3.micro",
            metadata_options=InstanceMetadataOptions(http_tokens="required", http_put_response_hop_limit=1),
        )
        DbInstance(stack, "db", instance_class="db.t4g.micro", engine="postgres", deletion_protection=True)
        S3Bucket(stack, "bucket", bucket="b")

    assert synth(compliant, aspects_production=True)["resource"]["aws_instance"]


def _open_rule(stack: TerraformStack, context: AccountContext) -> None:
    VpcSecurityGroupIngressRule(
        stack,
        "open",
        security_group_id="sg-1",
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4="0.0.0.0/0",
    )


def test_ingress_rule_from_the_internet_fails_synth() -> None:
    _expect_synth_error(_open_rule, "admits the whole internet")
    # The error is pinned on the offending construct, so cdktf prints its path.
    _expect_synth_error(_open_rule, "[test/open] forbidden setting: aws_vpc_security_group_ingress_rule.open")


def test_the_aspect_added_the_usual_way_fails_synth_just_the_same() -> None:
    def usual_way(stack: TerraformStack, context: AccountContext) -> None:
        _open_rule(stack, context)
        Aspects.of(stack).add(ForbiddenSettings(production=False))

    with pytest.raises(RuntimeError, match=r"\[test/open\] forbidden setting: .*admits the whole internet"):
        synth(usual_way)


def test_applying_the_aspect_adds_nothing_to_the_synthesized_configuration() -> None:
    def compliant(stack: TerraformStack, context: AccountContext) -> None:
        S3Bucket(stack, "bucket", bucket="b")

    assert synth(compliant, aspects_production=True) == synth(compliant)


def test_inline_ssh_ingress_fails_synth() -> None:
    def ssh(stack: TerraformStack, context: AccountContext) -> None:
        SecurityGroup(
            stack,
            "sg",
            name="sg",
            ingress=[
                SecurityGroupIngress(from_port=22, to_port=22, protocol="tcp", cidr_blocks=["10.0.0.0/8"])
            ],
        )

    _expect_synth_error(ssh, "port 22")


def test_imdsv1_instance_fails_synth() -> None:
    _expect_synth_error(
        lambda stack, context: Instance(stack, "host", ami="ami-1", instance_type="t3.micro"), "IMDSv1"
    )


def test_public_database_fails_synth() -> None:
    _expect_synth_error(
        lambda stack, context: DbInstance(
            stack,
            "db",
            instance_class="db.t4g.micro",
            engine="postgres",
            publicly_accessible=True,
            deletion_protection=True,
        ),
        "publicly accessible",
    )


def test_prod_only_rules_apply_only_in_prod() -> None:
    def unprotected(stack: TerraformStack, context: AccountContext) -> None:
        DbInstance(stack, "db", instance_class="db.t4g.micro", engine="postgres", deletion_protection=False)
        S3Bucket(stack, "bucket", bucket="b", force_destroy=True)

    assert synth(unprotected, aspects_production=False)["resource"]["aws_db_instance"]
    _expect_synth_error(unprotected, "without deletion protection in prod", production=True)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"ip_protocol": "-1", "cidr_ipv4": "10.0.0.0/8"}, "port 22"),
        ({"ip_protocol": "tcp", "from_port": 20, "to_port": 25, "cidr_ipv4": "10.0.0.0/8"}, "port 22"),
        ({"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv6": "::/0"}, "whole internet"),
    ],
)
def test_rule_ranges_and_protocols_that_cover_ssh_or_internet(rule: Synthesized, expected: str) -> None:
    found = violations("aws_vpc_security_group_ingress_rule", rule, production=False)
    assert any(expected in message for message in found)


def test_narrow_rule_is_not_a_violation() -> None:
    rule = {"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16"}
    assert violations("aws_vpc_security_group_ingress_rule", rule, production=True) == []
