"""AppHost: a private, SSM-only instance. No public IP, no key pair, no inbound rule, outbound only where
allowed; IMDSv2 with hop limit 1; encrypted root volume; AL2023 from SSM; least-privilege role."""

import re
from typing import Any

import pytest
from cdktf_cdktf_provider_aws.security_group_rule import SecurityGroupRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule

from modules.access.app_host import AppHost, AppHostProps, ami_architecture
from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from tests.unit.modules.conftest import Synthesized, data_sources, only, policy_statements, resources, synth
from tests.unit.modules.operations_support import network

CREDENTIAL_PATTERNS = (r"AKIA[0-9A-Z]{16}", r"(?i)password\s*=", r"(?i)aws_secret_access_key", r"-----BEGIN")


def _host(stack: Any, context: AccountContext, instance_type: str = "t3.micro") -> AppHost:
    vpc, endpoints = network(stack, context)
    key = EncryptionKey(
        stack, "volume-key", context=context, props=EncryptionKeyProps(alias="v", description="v")
    )
    return AppHost(
        stack,
        "app-host",
        context=context,
        network=vpc,
        endpoints=endpoints,
        volume_key=key,
        props=AppHostProps(
            name="csg-test-app-host", instance_type=instance_type, access_tags={"environment": "test"}
        ),
    )


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    def build(stack: Any, context: AccountContext) -> None:
        host = _host(stack, context)
        host.allow_connection_to(
            "database", security_group_id="sg-0123456789abcdef0", port=5432, description="PostgreSQL"
        )

    return synth(build, aspects_production=True)


def _host_sg_id(synthesized: Synthesized) -> str:
    (logical_id,) = [i for i in resources(synthesized, "aws_security_group") if i.startswith("app-host")]
    return logical_id


def test_instance_is_private_keyless_and_in_a_private_subnet(synthesized: Synthesized) -> None:
    instance = only(resources(synthesized, "aws_instance"))
    assert instance["associate_public_ip_address"] is False
    assert "key_name" not in instance
    private_subnets = [i for i in resources(synthesized, "aws_subnet") if "private" in i]
    assert instance["subnet_id"] in {f"${{aws_subnet.{i}.id}}" for i in private_subnets}
    assert instance["vpc_security_group_ids"] == [f"${{aws_security_group.{_host_sg_id(synthesized)}.id}}"]
    assert instance["tags"]["environment"] == "test"


def test_metadata_requires_tokens_and_one_hop(synthesized: Synthesized) -> None:
    metadata = only(resources(synthesized, "aws_instance"))["metadata_options"]
    assert metadata["http_tokens"] == "required"
    assert metadata["http_put_response_hop_limit"] == 1


def test_root_volume_is_encrypted_with_the_key_passed_in(synthesized: Synthesized) -> None:
    root = only(resources(synthesized, "aws_instance"))["root_block_device"]
    (key_id,) = resources(synthesized, "aws_kms_key")
    assert root["encrypted"] is True
    assert root["kms_key_id"] == f"${{aws_kms_key.{key_id}.arn}}"


def test_ami_is_the_public_al2023_parameter(synthesized: Synthesized) -> None:
    parameter_id, parameter = next(iter(data_sources(synthesized, "aws_ssm_parameter").items()))
    assert parameter["name"] == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    assert (
        only(resources(synthesized, "aws_instance"))["ami"]
        == f"${{data.aws_ssm_parameter.{parameter_id}.insecure_value}}"
    )


@pytest.mark.parametrize(
    ("instance_type", "architecture"),
    [("t3.micro", "x86_64"), ("t4g.small", "arm64"), ("m7gd.large", "arm64"), ("g5.xlarge", "x86_64")],
)
def test_graviton_types_get_the_arm64_ami(instance_type: str, architecture: str) -> None:
    assert ami_architecture(instance_type) == architecture


def test_security_group_has_no_inbound_and_only_the_allowed_outbound(synthesized: Synthesized) -> None:
    own = f"${{aws_security_group.{_host_sg_id(synthesized)}.id}}"
    ingress = [
        r
        for r in resources(synthesized, "aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == own
    ]
    assert ingress == []
    assert "ingress" not in resources(synthesized, "aws_security_group")[_host_sg_id(synthesized)]
    egress = [
        r
        for r in resources(synthesized, "aws_vpc_security_group_egress_rule").values()
        if r["security_group_id"] == own
    ]
    destinations = {
        (r["to_port"], r.get("referenced_security_group_id") or r.get("prefix_list_id")) for r in egress
    }
    (endpoints_sg,) = [i for i in resources(synthesized, "aws_security_group") if i.startswith("endpoints")]
    (s3_gateway,) = [i for i in resources(synthesized, "aws_vpc_endpoint") if i.startswith("endpoints_s3")]
    assert destinations == {
        (443, f"${{aws_security_group.{endpoints_sg}.id}}"),
        (443, f"${{aws_vpc_endpoint.{s3_gateway}.prefix_list_id}}"),
        (5432, "sg-0123456789abcdef0"),
    }
    assert all(r["ip_protocol"] == "tcp" and r["from_port"] == r["to_port"] for r in egress)


def test_role_has_ssm_core_and_session_logging_only(synthesized: Synthesized) -> None:
    profile = only(resources(synthesized, "aws_iam_instance_profile"))
    (role_id,) = resources(synthesized, "aws_iam_role")
    assert profile["role"] == f"${{aws_iam_role.{role_id}.name}}"
    attachment = only(resources(synthesized, "aws_iam_role_policy_attachment"))
    assert attachment["policy_arn"].endswith(":iam::aws:policy/AmazonSSMManagedInstanceCore")
    policy = only(resources(synthesized, "aws_iam_role_policy"))
    # Each sid is prefixed with the granting construct's ID, "app-host".
    statements = {
        s["sid"].removeprefix("AppHost"): s for s in policy_statements(synthesized, policy["policy"])
    }
    assert set(statements) == {
        "StreamSessionTranscripts",
        "CheckSessionLogGroup",
        "CheckSessionLogGroupEncryption",
        "DecryptSessionData",
    }
    assert all(r != "*" for s in statements.values() for r in s["resources"])
    assert statements["StreamSessionTranscripts"]["resources"][0].endswith(
        ":log-group:/csg-account/ssm-sessions:log-stream:*"
    )
    assert statements["DecryptSessionData"]["condition"][0]["values"] == ["alias/csg-account-sessions"]


def test_user_data_carries_no_secret(synthesized: Synthesized) -> None:
    user_data = only(resources(synthesized, "aws_instance"))["user_data"]
    assert user_data.startswith("#!/bin/bash")
    assert "${" not in user_data  # nothing from other resources (or their secrets) is interpolated
    for pattern in CREDENTIAL_PATTERNS:
        assert not re.search(pattern, user_data), pattern


@pytest.mark.parametrize("rule", ["vpc-rule", "legacy-rule"])
def test_an_inbound_rule_on_the_host_fails_synth(rule: str) -> None:
    def build(stack: Any, context: AccountContext) -> None:
        host = _host(stack, context)
        if rule == "vpc-rule":
            VpcSecurityGroupIngressRule(
                stack,
                "sneaky",
                security_group_id=host.security_group.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_ipv4="10.99.0.0/16",
            )
        else:
            SecurityGroupRule(
                stack,
                "sneaky",
                type="ingress",
                security_group_id=host.security_group.id,
                protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_blocks=["10.99.0.0/16"],
            )

    with pytest.raises(RuntimeError, match="the app host admits no inbound traffic"):
        synth(build)


def test_an_inbound_rule_on_another_group_is_fine() -> None:
    def build(stack: Any, context: AccountContext) -> None:
        host = _host(stack, context)
        endpoints_sg = stack.node.find_child("endpoints").security_group
        VpcSecurityGroupIngressRule(
            stack,
            "other",
            security_group_id=endpoints_sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            referenced_security_group_id=host.security_group.id,
        )

    assert len(resources(synth(build), "aws_vpc_security_group_ingress_rule")) == 2


@pytest.mark.parametrize(
    ("override", "value", "message"),
    [
        ("metadata_options.http_tokens", "optional", "IMDSv1"),
        ("metadata_options.http_put_response_hop_limit", 2, "hop limit is not 1"),
        ("associate_public_ip_address", True, "public IP"),
        ("key_name", "ops", "SSH key pair"),
    ],
)
def test_loosening_the_host_fails_synth(override: str, value: object, message: str) -> None:
    def build(stack: Any, context: AccountContext) -> None:
        _host(stack, context).instance.add_override(override, value)

    with pytest.raises(RuntimeError, match=message):
        synth(build, aspects_production=False)


def test_invalid_host_props_are_all_reported() -> None:
    def build(stack: Any, context: AccountContext) -> None:
        vpc, endpoints = network(stack, context)
        key = EncryptionKey(
            stack, "volume-key", context=context, props=EncryptionKeyProps(alias="v", description="v")
        )
        AppHost(
            stack,
            "app-host",
            context=context,
            network=vpc,
            endpoints=endpoints,
            volume_key=key,
            props=AppHostProps(name="h" * 70, instance_type="large", root_volume_gib=4),
        )

    with pytest.raises(PropsError) as error:
        synth(build)
    assert len(error.value.problems) == 3
