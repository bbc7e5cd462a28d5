"""Builders shared by the operations and access construct tests (issue 5): the alerts topic and its key,
and a minimal network, so each test builds only what it checks."""

from constructs import Construct

from modules.core.context import AccountContext
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from modules.network.endpoints import VpcEndpoints, VpcEndpointsProps
from modules.network.vpc import PlatformVpc, PlatformVpcProps
from modules.observability.alerts_topic import AlertsTopic, AlertsTopicProps

TOPIC_NAME = "csg-test-alerts"


def alerts_topic(scope: Construct, context: AccountContext, *, emails: tuple[str, ...] = ()) -> AlertsTopic:
    """An alerts topic on a key that carries the topic's key uses."""
    key = EncryptionKey(
        scope,
        "alerts-key",
        context=context,
        props=EncryptionKeyProps(
            alias="csg-test-alerts", description="alerts", service_uses=AlertsTopic.key_uses(context)
        ),
    )
    return AlertsTopic(
        scope, "alerts", context=context, key=key, props=AlertsTopicProps(name=TOPIC_NAME, emails=emails)
    )


def network(scope: Construct, context: AccountContext) -> tuple[PlatformVpc, VpcEndpoints]:
    """A two-AZ VPC with the S3 gateway and the Session Manager interface endpoints."""
    vpc = PlatformVpc(
        scope,
        "network",
        props=PlatformVpcProps(
            name="csg-test", cidr="10.99.0.0/16", availability_zones=("eu-west-1a", "eu-west-1b")
        ),
    )
    endpoints = VpcEndpoints(
        scope,
        "endpoints",
        context=context,
        network=vpc,
        props=VpcEndpointsProps(interface_services=("ssm", "ssmmessages", "ec2messages")),
    )
    return vpc, endpoints


def topic_reference(synthesized_topics: dict[str, object]) -> str:
    """The Terraform reference to the only topic's ARN, as alarms and rules carry it."""
    (logical_id,) = synthesized_topics
    return f"${{aws_sns_topic.{logical_id}.arn}}"
