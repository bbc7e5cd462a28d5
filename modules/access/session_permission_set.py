"""An IAM Identity Center permission set that lets one group open Session Manager shells on the instances
tagged with one environment, read (view-only) the account, and nothing else; assigned to this account."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.data_aws_identitystore_group import (
    DataAwsIdentitystoreGroup,
    DataAwsIdentitystoreGroupAlternateIdentifier,
    DataAwsIdentitystoreGroupAlternateIdentifierUniqueAttribute,
)
from cdktf_cdktf_provider_aws.ssoadmin_account_assignment import SsoadminAccountAssignment
from cdktf_cdktf_provider_aws.ssoadmin_managed_policy_attachment import SsoadminManagedPolicyAttachment
from cdktf_cdktf_provider_aws.ssoadmin_permission_set import SsoadminPermissionSet
from cdktf_cdktf_provider_aws.ssoadmin_permission_set_inline_policy import SsoadminPermissionSetInlinePolicy
from constructs import Construct

from modules.access.policy import Condition, Statement, policy_document
from modules.access.session_manager_preferences import SESSION_KEY_ALIAS, SESSION_PREFERENCES_DOCUMENT
from modules.core.context import AccountContext
from modules.core.validation import raise_if_problems

# Job-function policy: describe/list only. ReadOnlyAccess would also read data (s3:GetObject, ...).
VIEW_ONLY_POLICY = "job-function/ViewOnlyAccess"
MAX_PERMISSION_SET_NAME = 32
MAX_SESSION_HOURS = 12


@dataclass(frozen=True, kw_only=True)
class SessionPermissionSetProps:
    """Settings of a SessionPermissionSet."""

    name: str
    """Required. Permission set name (at most 32 characters), e.g. "csg-dev-app-host-session"."""
    instance_arn: str
    """Required. IAM Identity Center instance ARN."""
    identity_store_id: str
    """Required. Its identity store ID (d-...)."""
    group_name: str
    """Required. Display name of the group the permission set is assigned to."""
    tag_key: str
    """Required. Instance tag that sessions are conditioned on, e.g. "environment"."""
    tag_value: str
    """Required. Its value, e.g. "dev": only instances carrying it can be reached."""
    session_duration_hours: int = 1
    """Default 1. Longest session under the permission set (1-12)."""
    session_key_alias: str = SESSION_KEY_ALIAS
    """Default the account's Session Manager key (without "alias/"): starting a session creates a data key."""


class SessionPermissionSet(Construct):
    """`self.permission_set`, its inline policy (`self.policy`), the view-only attachment, and
    `self.assignment` of the group to this account."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        props: SessionPermissionSetProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not 1 <= len(props.name) <= MAX_PERMISSION_SET_NAME:
            problems.append(f"name: {props.name!r} must be 1-{MAX_PERMISSION_SET_NAME} characters")
        if not props.tag_key or not props.tag_value:
            problems.append("tag_key / tag_value: required: without them sessions would reach every instance")
        if not 1 <= props.session_duration_hours <= MAX_SESSION_HOURS:
            problems.append(f"session_duration_hours: must be 1-{MAX_SESSION_HOURS}")
        for setting in ("instance_arn", "identity_store_id", "group_name"):
            if not getattr(props, setting):
                problems.append(f"{setting}: required")
        raise_if_problems(self, problems)

        self.permission_set = SsoadminPermissionSet(
            self,
            "permission-set",
            name=props.name,
            instance_arn=props.instance_arn,
            description=f"Session Manager shell on instances tagged {props.tag_key}={props.tag_value}; view",
            session_duration=f"PT{props.session_duration_hours}H",
        )
        self.policy = policy_document(self, "policy-document", self.statements(context, props))
        SsoadminPermissionSetInlinePolicy(
            self,
            "inline-policy",
            instance_arn=props.instance_arn,
            permission_set_arn=self.permission_set.arn,
            inline_policy=self.policy.json,
        )
        SsoadminManagedPolicyAttachment(
            self,
            "view-only",
            instance_arn=props.instance_arn,
            permission_set_arn=self.permission_set.arn,
            managed_policy_arn=f"arn:{context.partition}:iam::aws:policy/{VIEW_ONLY_POLICY}",
        )
        group = DataAwsIdentitystoreGroup(
            self,
            "group",
            identity_store_id=props.identity_store_id,
            alternate_identifier=DataAwsIdentitystoreGroupAlternateIdentifier(
                unique_attribute=DataAwsIdentitystoreGroupAlternateIdentifierUniqueAttribute(
                    attribute_path="DisplayName", attribute_value=props.group_name
                )
            ),
        )
        self.assignment = SsoadminAccountAssignment(
            self,
            "assignment",
            instance_arn=props.instance_arn,
            permission_set_arn=self.permission_set.arn,
            principal_type="GROUP",
            principal_id=group.group_id,
            target_type="AWS_ACCOUNT",
            target_id=context.account_id,
        )

    @staticmethod
    def statements(context: AccountContext, props: SessionPermissionSetProps) -> tuple[Statement, ...]:
        """The inline policy: start sessions only on tagged instances and only with the default shell
        document, manage only one's own sessions, and use the session key."""
        # `$${...}` is Terraform's escape for a literal `${...}` (an IAM policy variable).
        own_sessions = context.arn("ssm", "session/$${aws:userid}-*")
        return (
            Statement(
                sid="StartSessionOnEnvironmentInstances",
                actions=("ssm:StartSession",),
                resources=(context.arn("ec2", "instance/*"),),
                conditions=(
                    Condition(
                        test="StringEquals",
                        variable=f"ssm:resourceTag/{props.tag_key}",
                        values=(props.tag_value,),
                    ),
                ),
            ),
            Statement(
                sid="StartSessionWithDefaultShellOnly",
                actions=("ssm:StartSession",),
                resources=(context.arn("ssm", f"document/{SESSION_PREFERENCES_DOCUMENT}"),),
                # Session Manager then checks that the user may use the preferences document they get.
                conditions=(
                    Condition(
                        test="BoolIfExists", variable="ssm:SessionDocumentAccessCheck", values=("true",)
                    ),
                ),
            ),
            # What the console's "Connect" button reads; these actions have no resource-level permissions.
            Statement(
                sid="SeeSessionTargets",
                actions=(
                    "ssm:DescribeSessions",
                    "ssm:DescribeInstanceInformation",
                    "ssm:DescribeInstanceProperties",
                ),
                resources=("*",),
            ),
            Statement(
                sid="SeeConnectionStatus",
                actions=("ssm:GetConnectionStatus",),
                resources=(context.arn("ec2", "instance/*"),),
            ),
            Statement(
                sid="ManageOwnSessions",
                actions=("ssm:TerminateSession", "ssm:ResumeSession"),
                resources=(own_sessions,),
            ),
            Statement(
                sid="UseSessionKey",
                actions=("kms:GenerateDataKey",),
                resources=(context.arn("kms", "key/*"),),
                conditions=(
                    Condition(
                        test="ForAnyValue:StringEquals",
                        variable="kms:ResourceAliases",
                        values=(f"alias/{props.session_key_alias}",),
                    ),
                ),
            ),
        )
