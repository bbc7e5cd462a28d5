"""The account, partition and region a stack deploys into, as Terraform references."""

from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from constructs import Construct


class AccountContext(Construct):
    """One caller-identity and partition lookup per stack, shared by every construct that builds ARNs."""

    def __init__(self, scope: Construct, construct_id: str, *, region: str, resource_prefix: str) -> None:
        super().__init__(scope, construct_id)
        self.region = region
        self.resource_prefix = resource_prefix
        self.caller = DataAwsCallerIdentity(self, "caller")
        self.partition_lookup = DataAwsPartition(self, "partition")
        # Read once: each read of a token attribute is a round trip to the jsii kernel, and ARNs are built
        # hundreds of times per stack. A token may be used any number of times.
        self.account_id: str = self.caller.account_id
        self.partition: str = self.partition_lookup.partition

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        """An ARN in this account and region, e.g. arn("logs", "log-group:/aws/x:*")."""
        region_part = self.region if region else ""
        account_part = self.account_id if account else ""
        return f"arn:{self.partition}:{service}:{region_part}:{account_part}:{resource}"

    def service_principal(self, service: str) -> str:
        """A service principal; `logs` is regional (logs.<region>.amazonaws.com), the others global."""
        if service == "logs":
            return f"logs.{self.region}.amazonaws.com"
        return f"{service}.amazonaws.com"

    def name(self, suffix: str) -> str:
        """A physical name: `<prefix>-<suffix>`, e.g. csg-dev-raw."""
        return f"{self.resource_prefix}-{suffix}"
