"""CIS AWS Foundations metric filters on the CloudTrail log group, each with an alarm to the alerts topic."""

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import (
    CloudwatchLogMetricFilter,
    CloudwatchLogMetricFilterMetricTransformation,
)
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.observability.alerts_topic import AlertsTopic
from modules.observability.log_group import EncryptedLogGroup
from modules.observability.topic_alarm import AlarmMetric, TopicAlarm, TopicAlarmProps


@dataclass(frozen=True, kw_only=True)
class CisFilter:
    """One CIS control: a CloudTrail event pattern and what a match means."""

    key: str
    metric_name: str
    pattern: str
    description: str


def _any_event(*names: str) -> str:
    return " || ".join(f"($.eventName = {name})" for name in names)


# Patterns follow the CIS AWS Foundations Benchmark (v1.4-v3.0, section "Monitoring").
CIS_FILTERS: tuple[CisFilter, ...] = (
    CisFilter(
        key="unauthorized-api-calls",
        metric_name="UnauthorizedApiCalls",
        pattern='{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) '
        '&& ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
        description="API calls were denied: probing, a stolen credential, or a broken deployment.",
    ),
    CisFilter(
        key="console-signin-without-mfa",
        metric_name="ConsoleSigninWithoutMfa",
        pattern='{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") '
        '&& ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
        description="An IAM user signed in to the console without MFA.",
    ),
    CisFilter(
        key="root-account-usage",
        metric_name="RootAccountUsage",
        pattern='{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
        '&& $.eventType != "AwsServiceEvent" }',
        description="The root user was used. Nothing on this platform needs it.",
    ),
    CisFilter(
        key="iam-policy-changes",
        metric_name="IamPolicyChanges",
        pattern="{ "
        + _any_event(
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "SetDefaultPolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        )
        + " }",
        description="An IAM policy was created, changed, attached or detached.",
    ),
    CisFilter(
        key="cloudtrail-changes",
        metric_name="CloudTrailChanges",
        pattern="{ "
        + _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")
        + " }",
        description="A CloudTrail trail was created, changed, stopped or deleted.",
    ),
    CisFilter(
        key="kms-key-disable-or-deletion",
        metric_name="KmsKeyDisableOrDeletion",
        pattern="{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) "
        "|| ($.eventName = ScheduleKeyDeletion)) }",
        description="A customer-managed KMS key was disabled or scheduled for deletion (data would be lost).",
    ),
    CisFilter(
        key="s3-bucket-policy-changes",
        metric_name="S3BucketPolicyChanges",
        pattern="{ ($.eventSource = s3.amazonaws.com) && ("
        + _any_event(
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        )
        + ") }",
        description="An S3 bucket policy, ACL, CORS, lifecycle or replication setting changed.",
    ),
    CisFilter(
        key="security-group-changes",
        metric_name="SecurityGroupChanges",
        pattern="{ "
        + _any_event(
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        )
        + " }",
        description="A security group or one of its rules changed.",
    ),
    CisFilter(
        key="nacl-changes",
        metric_name="NetworkAclChanges",
        pattern="{ "
        + _any_event(
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        )
        + " }",
        description="A network ACL or one of its entries changed.",
    ),
    CisFilter(
        key="network-gateway-changes",
        metric_name="NetworkGatewayChanges",
        pattern="{ "
        + _any_event(
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        )
        + " }",
        description="An internet or customer gateway was created, attached, detached or deleted.",
    ),
    CisFilter(
        key="route-table-changes",
        metric_name="RouteTableChanges",
        pattern="{ ($.eventSource = ec2.amazonaws.com) && ("
        + _any_event(
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        )
        + ") }",
        description="A route or route table changed (traffic could now leave through a new path).",
    ),
    CisFilter(
        key="vpc-changes",
        metric_name="VpcChanges",
        pattern="{ "
        + _any_event(
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        )
        + " }",
        description="A VPC, its attributes or a peering connection changed.",
    ),
)


@dataclass(frozen=True, kw_only=True)
class CisAlarmsProps:
    """Settings of CisAlarms."""

    name_prefix: str
    """Required. Prefix of the filter, metric-namespace and alarm names, e.g. "csg-dev"."""
    unauthorized_api_calls_threshold: int = 1
    """Default 1 (CIS). Denied calls per 5 minutes at or above which that alarm fires."""


class CisAlarms(Construct):
    """`self.filters` and `self.alarms`, both by key (e.g. "root-account-usage"). Metrics live in the
    namespace `<name_prefix>/CIS`; a 5-minute sum at or above the threshold alarms; no events is healthy."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        log_group: EncryptedLogGroup,
        topic: AlertsTopic,
        props: CisAlarmsProps,
    ) -> None:
        super().__init__(scope, construct_id)
        raise_if_problems(
            self,
            []
            if props.unauthorized_api_calls_threshold >= 1
            else ["unauthorized_api_calls_threshold: must be at least 1"],
        )
        namespace = f"{props.name_prefix}/CIS"
        self.filters: dict[str, CloudwatchLogMetricFilter] = {}
        self.alarms: dict[str, TopicAlarm] = {}
        for cis in CIS_FILTERS:
            self.filters[cis.key] = CloudwatchLogMetricFilter(
                self,
                f"{cis.key}-filter",
                name=f"{props.name_prefix}-cis-{cis.key}",
                log_group_name=log_group.log_group.name,
                pattern=cis.pattern,
                metric_transformation=CloudwatchLogMetricFilterMetricTransformation(
                    name=cis.metric_name, namespace=namespace, value="1", unit="Count"
                ),
            )
            threshold = props.unauthorized_api_calls_threshold if cis.key == "unauthorized-api-calls" else 1
            self.alarms[cis.key] = TopicAlarm(
                self,
                f"{cis.key}-alarm",
                topic=topic,
                props=TopicAlarmProps(
                    name=f"{props.name_prefix}-cis-{cis.key}",
                    description=f"CIS: {cis.description} See the trail's log group for the events.",
                    metric=AlarmMetric(namespace=namespace, metric_name=cis.metric_name, statistic="Sum"),
                    comparison="GreaterThanOrEqualToThreshold",
                    threshold=threshold,
                    # The filter only emits when an event matches: silence means nothing happened.
                    treat_missing_data="notBreaching",
                    period_seconds=300,
                ),
            )
