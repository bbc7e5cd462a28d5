"""One environment (dev, staging, prod): wiring of the platform's constructs, nothing else."""

from cdktf import TerraformStack
from constructs import Construct

from environments.schema import EnvironmentConfig
from modules.aspects.forbidden_settings import ForbiddenSettings
from modules.core.context import AccountContext
from modules.core.outputs import stable_output
from modules.keys.platform_keys import PlatformKeys, PlatformKeysProps
from modules.network.endpoints import VpcEndpoints, VpcEndpointsProps
from modules.network.flow_logs import FlowLogs, FlowLogsProps
from modules.network.vpc import PlatformVpc, PlatformVpcProps
from modules.stacks.data_services import DataServices
from modules.stacks.operations import Operations
from modules.stacks.provider_setup import configure_backend, configure_provider
from modules.storage.data_lake import DataLake, DataLakeProps


class EnvironmentStack(TerraformStack):
    """The platform for one environment. Outputs (stable names, see README) feed the post-deploy suite."""

    def __init__(self, scope: Construct, config: EnvironmentConfig) -> None:
        super().__init__(scope, config.name)
        self.config = config
        configure_provider(
            self,
            region=config.region,
            allowed_account_ids=config.allowed_account_ids,
            tags=config.tags,
            environment=config.name,
        )
        configure_backend(self, backend=config.backend, stack_name=config.name, region=config.region)
        context = AccountContext(
            self, "account", region=config.region, resource_prefix=config.resource_prefix
        )

        self.keys = PlatformKeys(
            self,
            "keys",
            context=context,
            props=PlatformKeysProps(extra_logs_key_uses=Operations.logs_key_uses(context)),
        )
        self.network = PlatformVpc(
            self,
            "network",
            props=PlatformVpcProps(
                name=config.resource_prefix,
                cidr=config.network.vpc_cidr,
                availability_zones=config.availability_zones,
                public_subnets=config.network.public_subnets,
            ),
        )
        FlowLogs(
            self,
            "flow-logs",
            context=context,
            network=self.network,
            key=self.keys.logs,
            props=FlowLogsProps(retention_days=config.log_retention_days),
        )
        self.endpoints = VpcEndpoints(
            self,
            "endpoints",
            context=context,
            network=self.network,
            props=VpcEndpointsProps(interface_services=config.network.interface_endpoints),
        )
        self.data_lake = DataLake(
            self,
            "data-lake",
            context=context,
            key=self.keys.data_lake,
            props=DataLakeProps(retain_data_on_destroy=config.protection.retain_data_on_destroy),
        )
        self.data_services = DataServices(
            self,
            "data-services",
            context=context,
            config=config,
            keys=self.keys,
            network=self.network,
            endpoints=self.endpoints,
            data_lake=self.data_lake,
        )
        self.operations = Operations(
            self,
            "operations",
            config=config,
            context=context,
            keys=self.keys,
            network=self.network,
            endpoints=self.endpoints,
            data_lake=self.data_lake,
            data_services=self.data_services,
        )

        self._outputs()
        ForbiddenSettings.apply_to(self, production=config.tier == "prod")

    def _outputs(self) -> None:
        def output(name: str, value: object, description: str) -> None:
            stable_output(self, name, value, description)

        output("vpc_id", self.network.vpc.id, "VPC ID")
        output("vpc_cidr", self.network.cidr, "VPC IPv4 range")
        output("private_subnet_ids", self.network.private_subnet_ids, "Private subnet IDs, one per AZ")
        output(
            "private_route_table_ids",
            [t.id for t in self.network.private_route_tables],
            "Route table IDs of the private subnets",
        )
        output(
            "endpoint_security_group_id",
            self.endpoints.security_group.id,
            "Security group of the interface endpoints",
        )
        output(
            "interface_endpoint_ids",
            {name: e.id for name, e in self.endpoints.interfaces.items()},
            "Interface endpoint IDs by service",
        )
        output(
            "gateway_endpoint_ids",
            {name: e.id for name, e in self.endpoints.gateways.items()},
            "Gateway endpoint IDs by service",
        )
        output(
            "kms_key_arns",
            {
                name: k.arn
                for name, k in zip(
                    ("data_lake", "database", "logs", "secrets"), self.keys.all_keys, strict=True
                )
            },
            "Customer-managed key ARNs by domain",
        )
        output(
            "bucket_names",
            {
                "raw": self.data_lake.raw.bucket.bucket,
                "curated": self.data_lake.curated.bucket.bucket,
                "athena_results": self.data_lake.athena_results.bucket.bucket,
                "access_logs": self.data_lake.access_logs.bucket.bucket,
            },
            "Data-lake bucket names by purpose",
        )
