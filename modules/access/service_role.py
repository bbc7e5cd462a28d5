"""An IAM role that one AWS service assumes, with no permissions until constructs grant them."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from modules.access.policy import Condition, Principal, Statement, policy_document
from modules.core.context import AccountContext
from modules.core.validation import raise_if_problems


@dataclass(frozen=True, kw_only=True)
class ServiceRoleProps:
    """Settings of a ServiceRole."""

    name: str
    """Required. Physical role name."""
    service: str
    """Required. Service principal that assumes the role, e.g. "glue.amazonaws.com"."""
    description: str
    """Required. What the role is for (shown in the console and to reviewers)."""
    managed_policy_arns: tuple[str, ...] = ()
    """Default none. AWS-managed policies, only where AWS requires them (e.g. SSM core for instances)."""
    restrict_to_own_account: bool = True
    """Default true. Trust only requests from this account (aws:SourceAccount), against confused deputies."""
    max_session_duration_seconds: int = 3600
    """Default 3600 (1 h)."""


class ServiceRole(Construct):
    """A role for one service. `self.role` is what grant methods take."""

    def __init__(
        self, scope: Construct, construct_id: str, *, context: AccountContext, props: ServiceRoleProps
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not props.service.endswith(".amazonaws.com"):
            problems.append(f"service: {props.service!r} is not a service principal (*.amazonaws.com)")
        if not 3600 <= props.max_session_duration_seconds <= 43200:
            problems.append("max_session_duration_seconds: must be between 3600 and 43200")
        if len(props.name) > 64:
            problems.append(f"name: {props.name!r} is longer than IAM's 64 characters")
        raise_if_problems(self, problems)

        conditions = (
            (Condition(test="StringEquals", variable="aws:SourceAccount", values=(context.account_id,)),)
            if props.restrict_to_own_account
            else ()
        )
        trust = policy_document(
            self,
            "trust",
            (
                Statement(
                    sid="AssumedByService",
                    actions=("sts:AssumeRole",),
                    resources=(),
                    principals=(Principal(kind="Service", identifiers=(props.service,)),),
                    conditions=conditions,
                ),
            ),
        )
        self.role = IamRole(
            self,
            "role",
            name=props.name,
            description=props.description,
            assume_role_policy=trust.json,
            max_session_duration=props.max_session_duration_seconds,
        )
        for index, arn in enumerate(props.managed_policy_arns):
            IamRolePolicyAttachment(self, f"managed-{index}", role=self.role.name, policy_arn=arn)
