"""SNS GetTopicAttributes: report the topic's SignatureVersion.

Why the platform needs it: the alerts topics sign their messages with SHA256 (SignatureVersion 2). moto 5.2.5
stores the attribute but leaves it out of GetTopicAttributes, so Terraform read 0 and planned to set 2 again
after every apply: never idempotent. AWS reports "1" for a topic that never set it.
"""

from typing import Any

from moto.sns.responses import SNSResponse

_ORIGINAL = SNSResponse.get_topic_attributes


def _get_topic_attributes(self: SNSResponse) -> Any:
    result = _ORIGINAL(self)
    topic = self.backend.get_topic(self._get_param("TopicArn"))
    attributes: dict[str, Any] = result.result["Attributes"]  # type: ignore[index]
    attributes["SignatureVersion"] = str(getattr(topic, "signature_version", "1"))
    return result


def apply() -> None:
    """Wrap moto's read (once)."""
    if SNSResponse.get_topic_attributes is _ORIGINAL:
        SNSResponse.get_topic_attributes = _get_topic_attributes  # type: ignore[method-assign]
