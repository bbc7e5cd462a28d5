"""The application host: an EC2 instance in a private subnet, reached only through SSM Session Manager.

No public IP, no key pair, no inbound rule at all; outbound only to the interface endpoints and S3 (HTTPS)
and to whatever `allow_connection_to` adds (the database). IMDSv2 only, hop limit 1, root volume encrypted
with our key, the current Amazon Linux 2023 AMI from AWS's public SSM parameter.
"""

import re
from dataclasses import dataclass, field

import jsii
from cdktf import DefaultTokenResolver, StringConcat, TerraformResourceLifecycle, TerraformStack, Tokenization
from cdktf_cdktf_provider_aws.data_aws_ssm_parameter import DataAwsSsmParameter
from cdktf_cdktf_provider_aws.iam_instance_profile import IamInstanceProfile
from cdktf_cdktf_provider_aws.instance import Instance, InstanceMetadataOptions, InstanceRootBlockDevice
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.security_group_rule import SecurityGroupRule
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct, IValidation

from modules.access.policy import Condition, Statement, attach_grant
from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.access.session_manager_preferences import SESSION_KEY_ALIAS, SESSION_LOG_GROUP
from modules.core.context import AccountContext
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey
from modules.network.endpoints import VpcEndpoints
from modules.network.vpc import PlatformVpc

SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore"
AL2023_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
# Graviton families carry a "g" after the generation digit (t4g, m7g, c7gd); GPU families (g5) do not.
_GRAVITON_TYPE = re.compile(r"^[a-z]+\d+[a-z]*g[a-z]*\.")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
HTTPS = 443

USER_DATA = """#!/bin/bash
# App host bootstrap. It carries no secret: the host reaches AWS with its instance profile and PostgreSQL
# with short-lived IAM authentication tokens. Packages come from the Amazon Linux repositories in S3.
set -euo pipefail
dnf install -y postgresql15
"""


def ami_architecture(instance_type: str) -> str:
    """The AMI architecture an instance type runs: "arm64" for Graviton families, else "x86_64"."""
    return "arm64" if _GRAVITON_TYPE.match(instance_type) else "x86_64"


@dataclass(frozen=True, kw_only=True)
class AppHostProps:
    """Settings of an AppHost."""

    name: str
    """Required. Name tag, and the name of its role, instance profile and security group."""
    instance_type: str = "t3.micro"
    """Default "t3.micro". Graviton types (t4g...) get the arm64 AMI."""
    root_volume_gib: int = 20
    """Default 20 (GiB, gp3)."""
    access_tags: dict[str, str] = field(default_factory=dict)
    """Default none. Tags that session permissions are conditioned on (e.g. {"environment": "dev"}), set on
    the instance explicitly so that access never depends on provider default tags."""
    session_log_group_name: str = SESSION_LOG_GROUP
    """Default the account's Session Manager log group: the host streams session transcripts to it."""
    session_key_alias: str = SESSION_KEY_ALIAS
    """Default the account's session key alias (without "alias/"): the host decrypts session data with it."""


@jsii.implements(IValidation)
class _NoInboundRules:
    """Fails synth when anything in the stack adds an inbound rule to the host's security group."""

    def __init__(self, host: "AppHost") -> None:
        self.host = host

    def validate(self) -> list[str]:
        stack = TerraformStack.of(self.host)
        resolver = DefaultTokenResolver(StringConcat())

        def resolved(value: object) -> object:
            return Tokenization.resolve(value, scope=stack, resolver=resolver)

        own_id = resolved(self.host.security_group.id)
        problems = []
        for node in stack.node.find_all():
            target: object = None
            if isinstance(node, VpcSecurityGroupIngressRule) or (
                isinstance(node, SecurityGroupRule) and resolved(node.type_input) == "ingress"
            ):
                target = node.security_group_id_input
            if target is not None and resolved(target) == own_id:
                problems.append(
                    f"{node.node.path}: the app host admits no inbound traffic (use Session Manager)"
                )
        if resolved(self.host.security_group.ingress_input):
            problems.append(
                f"{self.host.security_group.node.path}: the app host's security group has ingress rules"
            )
        return problems


class AppHost(Construct):
    """`self.instance`, `self.security_group`, `self.role` (ServiceRole: grant methods take `self.role.role`)
    and `self.instance_profile`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        network: PlatformVpc,
        endpoints: VpcEndpoints,
        volume_key: EncryptionKey,
        props: AppHostProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not _INSTANCE_TYPE.match(props.instance_type):
            problems.append(f"instance_type: {props.instance_type!r} is not an EC2 instance type")
        if not 8 <= props.root_volume_gib <= 16384:
            problems.append("root_volume_gib: must be 8-16384 (the AMI needs 8)")
        if not network.private_subnets:
            problems.append("network: has no private subnet to place the host in")
        if "s3" not in endpoints.gateways:
            problems.append("endpoints: the S3 gateway endpoint is required (packages come from S3)")
        if len(props.name) > 64:
            problems.append(f"name: {props.name!r} is longer than IAM's 64 characters")
        raise_if_problems(self, problems)
        self.context = context

        self.security_group = SecurityGroup(
            self,
            "security-group",
            name=props.name,
            vpc_id=network.vpc.id,
            description="App host: no inbound; outbound only to endpoints, S3 and the database",
            tags={"Name": props.name},
            # No inline rules: Terraform removes AWS's default allow-all egress, and the rules below are all.
        )
        self.allow_connection_to(
            "endpoints",
            security_group_id=endpoints.security_group.id,
            port=HTTPS,
            description="HTTPS to the interface endpoints",
        )
        VpcSecurityGroupEgressRule(
            self,
            "egress-s3",
            security_group_id=self.security_group.id,
            description="HTTPS to S3 (gateway endpoint)",
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            prefix_list_id=endpoints.gateways["s3"].prefix_list_id,
        )
        self.node.add_validation(_NoInboundRules(self))

        self.role = ServiceRole(
            self,
            "role",
            context=context,
            props=ServiceRoleProps(
                name=props.name,
                service="ec2.amazonaws.com",
                description="App host: Session Manager, session logging, and what constructs grant it",
                managed_policy_arns=(f"arn:{context.partition}:iam::aws:policy/{SSM_CORE_POLICY}",),
                # EC2 sends no aws:SourceAccount for instance roles; the condition would lock it out.
                restrict_to_own_account=False,
            ),
        )
        self.instance_profile = IamInstanceProfile(
            self, "instance-profile", name=props.name, role=self.role.role.name
        )
        self._grant_session_logging(props)

        ami = DataAwsSsmParameter(
            self, "ami", name=AL2023_PARAMETER.format(arch=ami_architecture(props.instance_type))
        )
        self.instance = Instance(
            self,
            "instance",
            ami=ami.insecure_value,  # a public AMI ID, not a secret
            instance_type=props.instance_type,
            subnet_id=network.private_subnets[0].id,
            vpc_security_group_ids=[self.security_group.id],
            associate_public_ip_address=False,
            iam_instance_profile=self.instance_profile.name,
            monitoring=True,
            ebs_optimized=True,
            metadata_options=InstanceMetadataOptions(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
                instance_metadata_tags="disabled",
            ),
            root_block_device=InstanceRootBlockDevice(
                encrypted=True,
                kms_key_id=volume_key.arn,
                volume_type="gp3",
                volume_size=props.root_volume_gib,
                delete_on_termination=True,
            ),
            user_data=USER_DATA,
            tags={"Name": props.name, **props.access_tags},
            # A new AMI is published every few weeks; the host is patched in place (SSM Patch Manager) and
            # replaced deliberately (`terraform apply -replace`), never by the side of an unrelated apply.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["ami"]),
        )

    def allow_connection_to(
        self, peer: str, *, security_group_id: str, port: int, description: str
    ) -> VpcSecurityGroupEgressRule:
        """Let the host open TCP connections to `port` on members of another security group (`peer`)."""
        return VpcSecurityGroupEgressRule(
            self,
            f"egress-{peer}",
            security_group_id=self.security_group.id,
            description=description,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=security_group_id,
        )

    def _grant_session_logging(self, props: AppHostProps) -> None:
        # The session key and log group belong to the account-baseline stack: named, not referenced.
        log_group_arn = self.context.arn("logs", f"log-group:{props.session_log_group_name}")
        attach_grant(
            self,
            self.role.role,
            (
                Statement(
                    sid="StreamSessionTranscripts",
                    actions=("logs:CreateLogStream", "logs:PutLogEvents"),
                    resources=(f"{log_group_arn}:log-stream:*",),
                ),
                Statement(
                    sid="CheckSessionLogGroup",
                    actions=("logs:DescribeLogStreams",),
                    resources=(f"{log_group_arn}:*",),
                ),
                # The agent verifies that the log group is encrypted before streaming to it.
                Statement(
                    sid="CheckSessionLogGroupEncryption",
                    actions=("logs:DescribeLogGroups",),
                    resources=(self.context.arn("logs", "log-group:*"),),
                ),
                Statement(
                    sid="DecryptSessionData",
                    actions=("kms:Decrypt",),
                    resources=(self.context.arn("kms", "key/*"),),
                    conditions=(
                        Condition(
                            test="ForAnyValue:StringEquals",
                            variable="kms:ResourceAliases",
                            values=(f"alias/{props.session_key_alias}",),
                        ),
                    ),
                ),
            ),
        )
