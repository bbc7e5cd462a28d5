"""The private VPC: private subnets in several AZs, their route tables, and a stripped default SG."""

import ipaddress
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from constructs import Construct

from modules.core.defaults import report_weakened_default
from modules.core.validation import raise_if_problems

# Subnets are carved as /(vpc prefix + 4): 16 blocks; private subnets take the first, public the last.
SUBNET_PREFIX_EXTRA_BITS = 4
PUBLIC_BLOCK_OFFSET = 8


@dataclass(frozen=True, kw_only=True)
class PlatformVpcProps:
    """Settings of the PlatformVpc."""

    name: str
    """Required. Name tag prefix."""
    cidr: str
    """Required. IPv4 range, /16 to /24."""
    availability_zones: tuple[str, ...]
    """Required. Zone names (2-3), one private subnet each, e.g. ("eu-west-1a", "eu-west-1b")."""
    public_subnets: bool = False
    """Default false. Public subnets and an internet gateway; reported as a weakened default when true."""


class PlatformVpc(Construct):
    """`self.vpc`, `self.private_subnets`, `self.private_route_tables` (one per AZ), `self.public_subnets`."""

    def __init__(self, scope: Construct, construct_id: str, *, props: PlatformVpcProps) -> None:
        super().__init__(scope, construct_id)
        problems = []
        try:
            network = ipaddress.IPv4Network(props.cidr)
        except ValueError as error:
            problems.append(f"cidr: {props.cidr!r} is not an IPv4 network ({error})")
            network = None
        if network is not None and not 16 <= network.prefixlen <= 24:
            problems.append(f"cidr: {props.cidr} must be between /16 and /24")
        if not 2 <= len(props.availability_zones) <= 3:
            problems.append(
                f"availability_zones: {len(props.availability_zones)} given, need 2 or 3 (high availability)"
            )
        raise_if_problems(self, problems)
        assert network is not None
        if props.public_subnets:
            report_weakened_default(self, "public_subnets", False, True)

        blocks = list(network.subnets(prefixlen_diff=SUBNET_PREFIX_EXTRA_BITS))
        self.cidr = props.cidr
        self.vpc = Vpc(
            self,
            "vpc",
            cidr_block=props.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,  # interface endpoints' private DNS needs both
            tags={"Name": props.name},
        )
        # No rules at all: nothing may rely on the default security group.
        DefaultSecurityGroup(
            self,
            "default-security-group",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": f"{props.name}-default-unused"},
        )
        self.private_subnets: list[Subnet] = []
        self.private_route_tables: list[RouteTable] = []
        for index, zone in enumerate(props.availability_zones):
            subnet = Subnet(
                self,
                f"private-{index}",
                vpc_id=self.vpc.id,
                cidr_block=str(blocks[index]),
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={"Name": f"{props.name}-private-{index}", "tier": "private"},
            )
            # One route table per AZ, with no route out of the VPC: traffic to AWS goes through endpoints.
            route_table = RouteTable(
                self,
                f"private-routes-{index}",
                vpc_id=self.vpc.id,
                tags={"Name": f"{props.name}-private-{index}"},
            )
            RouteTableAssociation(
                self,
                f"private-routes-{index}-association",
                subnet_id=subnet.id,
                route_table_id=route_table.id,
            )
            self.private_subnets.append(subnet)
            self.private_route_tables.append(route_table)
        # Read once: each read of a token attribute is a jsii round trip.
        self.private_subnet_ids: list[str] = [subnet.id for subnet in self.private_subnets]

        self.public_subnets: list[Subnet] = []
        if props.public_subnets:
            gateway = InternetGateway(self, "internet-gateway", vpc_id=self.vpc.id, tags={"Name": props.name})
            public_routes = RouteTable(
                self, "public-routes", vpc_id=self.vpc.id, tags={"Name": f"{props.name}-public"}
            )
            Route(
                self,
                "public-default-route",
                route_table_id=public_routes.id,
                destination_cidr_block="0.0.0.0/0",
                gateway_id=gateway.id,
            )
            for index, zone in enumerate(props.availability_zones):
                subnet = Subnet(
                    self,
                    f"public-{index}",
                    vpc_id=self.vpc.id,
                    cidr_block=str(blocks[PUBLIC_BLOCK_OFFSET + index]),
                    availability_zone=zone,
                    map_public_ip_on_launch=False,
                    tags={"Name": f"{props.name}-public-{index}", "tier": "public"},
                )
                RouteTableAssociation(
                    self, f"public-{index}-association", subnet_id=subnet.id, route_table_id=public_routes.id
                )
                self.public_subnets.append(subnet)
