"""VPC endpoints: S3 and DynamoDB gateways on every private route table, and interface endpoints with
private DNS behind a security group that admits HTTPS from the VPC only."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from modules.core.context import AccountContext
from modules.core.validation import raise_if_problems
from modules.network.vpc import PlatformVpc

GATEWAY_SERVICES = ("s3", "dynamodb")
KNOWN_INTERFACE_SERVICES = (
    "ssm", "ssmmessages", "ec2messages", "kms", "secretsmanager", "sts", "logs", "glue", "athena",
    "monitoring", "events", "sns", "sqs", "lambda", "xray",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class VpcEndpointsProps:
    """Settings of VpcEndpoints."""

    interface_services: tuple[str, ...]
    """Required. Interface endpoint services by short name (e.g. "ssm"); the environment chooses them."""


class VpcEndpoints(Construct):
    """`self.gateways` and `self.interfaces` (by service name) and `self.security_group` for interfaces."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        network: PlatformVpc,
        props: VpcEndpointsProps,
    ) -> None:
        super().__init__(scope, construct_id)
        unknown = [name for name in props.interface_services if name not in KNOWN_INTERFACE_SERVICES]
        raise_if_problems(self, [f"interface_services: unknown service {name!r}" for name in unknown])

        self.gateways = {
            service: VpcEndpoint(
                self,
                f"{service}-gateway",
                vpc_id=network.vpc.id,
                service_name=f"com.amazonaws.{context.region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[table.id for table in network.private_route_tables],
                tags={"Name": context.name(f"{service}-gateway")},
            )
            for service in GATEWAY_SERVICES
        }
        self.security_group = SecurityGroup(
            self,
            "security-group",
            name=context.name("interface-endpoints"),
            description="Interface endpoints: HTTPS from inside the VPC only",
            vpc_id=network.vpc.id,
            tags={"Name": context.name("interface-endpoints")},
        )
        VpcSecurityGroupIngressRule(
            self,
            "https-from-vpc",
            security_group_id=self.security_group.id,
            description="HTTPS from the VPC",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=network.cidr,
        )
        self.interfaces = {
            service: VpcEndpoint(
                self,
                f"{service}-interface",
                vpc_id=network.vpc.id,
                service_name=f"com.amazonaws.{context.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[self.security_group.id],
                tags={"Name": context.name(f"{service}-interface")},
            )
            for service in props.interface_services
        }
