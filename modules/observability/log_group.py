"""A CloudWatch log group encrypted with our key and with a finite retention."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey

VALID_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                        2922, 3288, 3653)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class EncryptedLogGroupProps:
    """Settings of an EncryptedLogGroup."""

    name: str
    """Required. Log group name; AWS services dictate some (e.g. /aws/lambda/<function>)."""
    retention_days: int
    """Required. One of CloudWatch's allowed values; the environment's `log_retention_days`."""


class EncryptedLogGroup(Construct):
    """`self.log_group`, encrypted with the logs key passed in."""

    def __init__(
        self, scope: Construct, construct_id: str, *, key: EncryptionKey, props: EncryptedLogGroupProps
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if props.retention_days not in VALID_RETENTION_DAYS:
            problems.append(f"retention_days: {props.retention_days} is not a CloudWatch retention value")
        raise_if_problems(self, problems)
        self.key = key
        self.log_group = CloudwatchLogGroup(
            self, "log-group", name=props.name, retention_in_days=props.retention_days, kms_key_id=key.arn
        )
        self.arn: str = self.log_group.arn  # read once: each read of a token attribute is a jsii round trip

    def grant_write(self, role: IamRole) -> IamRolePolicy:
        """Let `role` create streams in and write events to this log group only. Returns the role's policy
        holding the grant, for resources that AWS checks the role's permissions on when they are created."""
        return attach_grant(
            self,
            role,
            (
                Statement(
                    sid="WriteLogEvents",
                    actions=("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"),
                    resources=(self.arn, f"{self.arn}:*"),
                ),
            ),
        )
