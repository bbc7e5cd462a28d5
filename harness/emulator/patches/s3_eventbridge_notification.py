"""S3 GetBucketNotificationConfiguration: report EventBridgeConfiguration when it is on.

Why the platform needs it: the data buckets send their object events to EventBridge (the ingest trigger and
the audit of writes). moto 5.2.5 stores the setting but leaves it out of the read, so Terraform saw
`eventbridge = false` after every apply and planned to change it again: the deployment was never idempotent.
"""

import re
from typing import Any

from moto.s3.responses import S3Response

_ORIGINAL = S3Response.get_bucket_notification


def _get_bucket_notification(self: S3Response) -> Any:
    status, headers, body = _ORIGINAL(self)
    configuration = self.backend.get_bucket_notification_configuration(self.bucket_name)
    if configuration is None or configuration.event_bridge is None:
        return status, headers, body
    text = body.decode() if isinstance(body, bytes) else str(body)
    if "<EventBridgeConfiguration" in text:
        return status, headers, body
    # moto writes either <NotificationConfiguration ...>...</NotificationConfiguration> or, with nothing
    # else configured, a self-closing element; an empty body means no configuration at all.
    element = "<EventBridgeConfiguration></EventBridgeConfiguration>"
    if "</NotificationConfiguration>" in text:
        text = text.replace("</NotificationConfiguration>", f"{element}</NotificationConfiguration>")
    else:
        closed = re.sub(
            r"<NotificationConfiguration([^>]*)/>",
            rf"<NotificationConfiguration\1>{element}</NotificationConfiguration>",
            text,
        )
        text = (
            closed
            if closed != text
            else (
                '<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration '
                f'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{element}</NotificationConfiguration>'
            )
        )
    return status, headers, text


def apply() -> None:
    """Wrap moto's read (once: a second apply would find the wrapper already installed)."""
    if S3Response.get_bucket_notification is _ORIGINAL:
        S3Response.get_bucket_notification = _get_bucket_notification  # type: ignore[method-assign]
