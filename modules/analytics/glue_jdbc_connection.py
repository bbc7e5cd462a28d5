"""A Glue JDBC connection to the PostgreSQL database: SSL enforced, credentials from Secrets Manager (no
password in the connection), workers placed in a private subnet behind their own security group.

Glue workers talk to each other on any TCP port, so the group admits all TCP from itself (AWS's documented
requirement); outbound it reaches only itself, the database, and HTTPS to the VPC endpoints.
"""

import re
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.glue_connection import (
    GlueConnection,
    GlueConnectionPhysicalConnectionRequirements,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from modules.access.policy import Condition, Statement, attach_grant
from modules.core.context import AccountContext
from modules.core.validation import raise_if_problems
from modules.database.postgres_database import PostgresDatabase
from modules.network.endpoints import VpcEndpoints
from modules.network.vpc import PlatformVpc
from modules.secrets.platform_secret import PlatformSecret

HTTPS_PORT = 443
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
# Glue creates, describes and deletes the workers' network interfaces with the role of the job or crawler.
DESCRIBE_NETWORK_ACTIONS = (
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeRouteTables",
)


@dataclass(frozen=True, kw_only=True)
class GlueJdbcConnectionProps:
    """Settings of a GlueJdbcConnection."""

    name: str
    """Required. Connection name, e.g. "csg-dev-postgres"."""
    subnet_index: int = 0
    """Default 0. Which private subnet (one per AZ) the workers use; Glue places a connection in one."""


class GlueJdbcConnection(Construct):
    """`self.connection` and `self.security_group`; `grant_use` gives a job or crawler role what using the
    connection needs (the connection, its secret, and the workers' network interfaces)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        network: PlatformVpc,
        endpoints: VpcEndpoints,
        database: PostgresDatabase,
        credentials: PlatformSecret,
        props: GlueJdbcConnectionProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not NAME_PATTERN.fullmatch(props.name):
            problems.append(f"name: {props.name!r} must be 1-255 of A-Z a-z 0-9 _ -")
        if not 0 <= props.subnet_index < len(network.private_subnets):
            problems.append(
                f"subnet_index: {props.subnet_index} is not one of the "
                f"{len(network.private_subnets)} private subnets"
            )
        raise_if_problems(self, problems)
        self.context = context
        self.credentials = credentials
        subnet = network.private_subnets[props.subnet_index]
        self.subnet = subnet
        self.vpc_arn = network.vpc.arn

        self.security_group = SecurityGroup(
            self,
            "security-group",
            name=f"{props.name}-glue",
            description=f"Glue workers of {props.name}: each other, the database, HTTPS to endpoints",
            vpc_id=network.vpc.id,
            tags={"Name": f"{props.name}-glue"},
        )
        group_id = self.security_group.id
        VpcSecurityGroupIngressRule(
            self,
            "from-itself",
            security_group_id=group_id,
            description="Glue workers to each other (all TCP)",
            ip_protocol="tcp",
            from_port=0,
            to_port=65535,
            referenced_security_group_id=group_id,
        )
        VpcSecurityGroupEgressRule(
            self,
            "to-itself",
            security_group_id=group_id,
            description="Glue workers to each other (all TCP)",
            ip_protocol="tcp",
            from_port=0,
            to_port=65535,
            referenced_security_group_id=group_id,
        )
        VpcSecurityGroupEgressRule(
            self,
            "to-database",
            security_group_id=group_id,
            description="PostgreSQL to the database",
            ip_protocol="tcp",
            from_port=database.port,
            to_port=database.port,
            referenced_security_group_id=database.security_group.id,
        )
        VpcSecurityGroupEgressRule(
            self,
            "to-endpoints",
            security_group_id=group_id,
            description="HTTPS to the interface endpoints",
            ip_protocol="tcp",
            from_port=HTTPS_PORT,
            to_port=HTTPS_PORT,
            referenced_security_group_id=endpoints.security_group.id,
        )
        for service, gateway in endpoints.gateways.items():
            VpcSecurityGroupEgressRule(
                self,
                f"to-{service}-gateway",
                security_group_id=group_id,
                description=f"HTTPS to {service} through its gateway endpoint",
                ip_protocol="tcp",
                from_port=HTTPS_PORT,
                to_port=HTTPS_PORT,
                prefix_list_id=gateway.prefix_list_id,
            )
        database.allow_connections_from(self.security_group, "Glue connection workers")

        self.connection = GlueConnection(
            self,
            "connection",
            name=props.name,
            description=f"PostgreSQL {database.database_name} over TLS; credentials in Secrets Manager",
            connection_type="JDBC",
            connection_properties={
                "JDBC_CONNECTION_URL": f"jdbc:postgresql://{database.address}:{database.port}/{database.database_name}",
                "JDBC_ENFORCE_SSL": "true",
                "SECRET_ID": credentials.name,
            },
            physical_connection_requirements=GlueConnectionPhysicalConnectionRequirements(
                availability_zone=subnet.availability_zone,
                subnet_id=subnet.id,
                security_group_id_list=[group_id],
            ),
        )

    @property
    def name(self) -> str:
        return self.connection.name

    def grant_use(self, role: IamRole) -> None:
        """Let `role` (a Glue job or crawler) use the connection: read it and its secret, and manage the
        workers' network interfaces in the connection's subnet and security group."""
        network_interfaces = self.context.arn("ec2", "network-interface/*")
        attach_grant(
            self,
            role,
            (
                Statement(
                    sid="ReadConnection",
                    actions=("glue:GetConnection",),
                    resources=(
                        self.context.arn("glue", "catalog"),
                        self.context.arn("glue", f"connection/{self.connection.name}"),
                    ),
                ),
                # Describe calls have no resource-level permissions.
                Statement(sid="DescribeNetwork", actions=DESCRIBE_NETWORK_ACTIONS, resources=("*",)),
                Statement(
                    sid="DescribeVpc", actions=("ec2:DescribeVpcAttribute",), resources=(self.vpc_arn,)
                ),
                Statement(
                    sid="CreateWorkerInterfaces",
                    actions=("ec2:CreateNetworkInterface",),
                    resources=(network_interfaces, self.subnet.arn, self.security_group.arn),
                ),
                Statement(
                    sid="DeleteWorkerInterfaces",
                    actions=("ec2:DeleteNetworkInterface",),
                    resources=(network_interfaces,),
                    conditions=(
                        Condition(test="ArnEquals", variable="ec2:Subnet", values=(self.subnet.arn,)),
                    ),
                ),
                Statement(
                    sid="TagWorkerInterfaces",
                    actions=("ec2:CreateTags", "ec2:DeleteTags"),
                    resources=(network_interfaces,),
                    conditions=(
                        Condition(
                            test="ForAllValues:StringEquals",
                            variable="aws:TagKeys",
                            values=("aws-glue-service-resource",),
                        ),
                    ),
                ),
            ),
        )
        self.credentials.grant_read(role)
