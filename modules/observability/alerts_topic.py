"""The alerts topic: SNS encrypted with our key, published to only by CloudWatch, EventBridge and Budgets."""

from dataclasses import dataclass
from typing import Literal

from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from modules.access.policy import Condition, Principal, Statement, policy_document
from modules.core.context import AccountContext
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey, KeyServiceUse

Publisher = Literal["cloudwatch", "events", "budgets"]
ALL_PUBLISHERS: tuple[Publisher, ...] = ("cloudwatch", "events", "budgets")
# What a publisher needs on the topic's key: a data key to encrypt the message, and decrypt to reuse it.
PUBLISH_KEY_ACTIONS = ("kms:GenerateDataKey*", "kms:Decrypt")


@dataclass(frozen=True, kw_only=True)
class AlertsTopicProps:
    """Settings of an AlertsTopic."""

    name: str
    """Required. Topic name, e.g. "csg-dev-alerts"."""
    emails: tuple[str, ...] = ()
    """Default none. E-mail subscriptions (each address must confirm before it receives anything)."""
    publishers: tuple[Publisher, ...] = ALL_PUBLISHERS
    """Default all of cloudwatch (alarms), events (EventBridge rules), budgets. Nobody else may publish."""


def _source_arn(context: AccountContext, publisher: Publisher) -> str:
    """ARN pattern of what a publishing service acts for: this account's alarms, rules, budgets."""
    if publisher == "cloudwatch":
        return context.arn("cloudwatch", "alarm:*")
    if publisher == "events":
        return context.arn("events", "rule/*")
    return context.arn("budgets", "*", region=False)


class AlertsTopic(Construct):
    """`self.topic` (SNS, encrypted with `key`), its policy and e-mail subscriptions. Alarms and rules take
    the whole construct; `self.arn` is what they notify."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        key: EncryptionKey,
        props: AlertsTopicProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not 1 <= len(props.name) <= 256:
            problems.append(f"name: {props.name!r} must be 1-256 characters")
        if not props.publishers:
            problems.append("publishers: a topic nobody may publish to would never alert")
        if len(set(props.emails)) != len(props.emails):
            problems.append("emails: listed more than once")
        raise_if_problems(self, problems)

        self.key = key
        self.topic = SnsTopic(
            self, "topic", name=props.name, kms_master_key_id=key.arn, signature_version=2
        )  # SHA256-signed notifications
        self.arn: str = self.topic.arn  # read once: each read of a token attribute is a jsii round trip
        self.name: str = self.topic.name
        service_statements = tuple(
            Statement(
                sid=f"Allow{publisher.title()}Publish",
                actions=("sns:Publish",),
                resources=(self.arn,),
                principals=(Principal(kind="Service", identifiers=(context.service_principal(publisher),)),),
                conditions=(
                    Condition(
                        test="StringEquals", variable="aws:SourceAccount", values=(context.account_id,)
                    ),
                    Condition(
                        test="ArnLike", variable="aws:SourceArn", values=(_source_arn(context, publisher),)
                    ),
                ),
            )
            for publisher in props.publishers
        )
        # Same-account identities could otherwise publish through their IAM policies alone.
        deny_others = Statement(
            sid="DenyPublishByAnyoneButAwsServices",
            effect="Deny",
            actions=("sns:Publish",),
            resources=(self.arn,),
            principals=(Principal(kind="*", identifiers=("*",)),),
            conditions=(Condition(test="Bool", variable="aws:PrincipalIsAWSService", values=("false",)),),
        )
        self.policy = SnsTopicPolicy(
            self,
            "policy",
            arn=self.arn,
            policy=policy_document(self, "policy-document", (*service_statements, deny_others)).json,
        )
        self.subscriptions = [
            SnsTopicSubscription(self, f"email-{index}", topic_arn=self.arn, protocol="email", endpoint=email)
            for index, email in enumerate(props.emails)
        ]

    @staticmethod
    def key_uses(
        context: AccountContext, publishers: tuple[Publisher, ...] = ALL_PUBLISHERS
    ) -> tuple[KeyServiceUse, ...]:
        """Key-policy uses the topic's key needs so that `publishers` can publish to the encrypted topic.

        CloudWatch's use is bound to this account's alarms. EventBridge and Budgets send no source account or
        ARN in their KMS requests (AWS documents this for EventBridge), so a condition would silently drop
        every notification; their use is limited to the two data-key actions instead.
        """
        uses = []
        for publisher in publishers:
            conditions: tuple[Condition, ...] = ()
            if publisher == "cloudwatch":
                conditions = (
                    Condition(
                        test="StringEquals", variable="aws:SourceAccount", values=(context.account_id,)
                    ),
                    Condition(
                        test="ArnLike", variable="aws:SourceArn", values=(_source_arn(context, publisher),)
                    ),
                )
            uses.append(
                KeyServiceUse(
                    service_principal=context.service_principal(publisher),
                    actions=PUBLISH_KEY_ACTIONS,
                    conditions=conditions,
                )
            )
        return tuple(uses)
