"""VPC flow logs (all traffic) to a KMS-encrypted CloudWatch log group with retention."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.flow_log import FlowLog
from constructs import Construct

from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.core.context import AccountContext
from modules.keys.encryption_key import EncryptionKey
from modules.network.vpc import PlatformVpc
from modules.observability.log_group import EncryptedLogGroup, EncryptedLogGroupProps


@dataclass(frozen=True, kw_only=True)
class FlowLogsProps:
    """Settings of FlowLogs."""

    retention_days: int
    """Required. Log retention in days (the environment's log_retention_days)."""
    traffic_type: str = "ALL"
    """Default "ALL": accepted and rejected traffic, both needed to investigate an incident."""


class FlowLogs(Construct):
    """`self.log_group` (EncryptedLogGroup), `self.role` and `self.flow_log` for one VPC."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        network: PlatformVpc,
        key: EncryptionKey,
        props: FlowLogsProps,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = EncryptedLogGroup(
            self,
            "logs",
            key=key,
            props=EncryptedLogGroupProps(
                name=f"/{context.resource_prefix}/vpc-flow-logs", retention_days=props.retention_days
            ),
        )
        self.role = ServiceRole(
            self,
            "role",
            context=context,
            props=ServiceRoleProps(
                name=context.name("vpc-flow-logs"),
                service="vpc-flow-logs.amazonaws.com",
                description="Delivers VPC flow logs to their log group",
            ),
        )
        self.log_group.grant_write(self.role.role)
        self.flow_log = FlowLog(
            self,
            "flow-log",
            vpc_id=network.vpc.id,
            traffic_type=props.traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=self.log_group.arn,
            iam_role_arn=self.role.role.arn,
            max_aggregation_interval=60,
        )
