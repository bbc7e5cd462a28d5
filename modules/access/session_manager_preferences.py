"""Session Manager preferences for the account and region: every session encrypted with our key and logged to
a KMS-encrypted log group. The preferences document is a per-account-and-region singleton, so it lives in the
account-baseline stack; environments refer to its key and log group by the fixed names below."""

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.ssm_document import SsmDocument
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey
from modules.observability.log_group import EncryptedLogGroup

SESSION_PREFERENCES_DOCUMENT = "SSM-SessionManagerRunShell"
"""The name Session Manager reads its preferences from (fixed by AWS)."""
SESSION_KEY_ALIAS = "csg-account-sessions"
"""Alias (without "alias/") of the account's session key; instance roles and users are granted by alias."""
SESSION_LOG_GROUP = "/csg-account/ssm-sessions"
"""Log group every session's input and output is streamed to."""
MAX_SESSION_MINUTES = 1440
MAX_IDLE_MINUTES = 60


@dataclass(frozen=True, kw_only=True)
class SessionManagerPreferencesProps:
    """Settings of SessionManagerPreferences."""

    idle_timeout_minutes: int = 20
    """Default 20. An idle session ends after this long (1-60)."""
    max_session_minutes: int = 60
    """Default 60. Any session ends after this long (1-1440)."""


class SessionManagerPreferences(Construct):
    """`self.document`: the account's Session Manager preferences (shell sessions only, no Run As)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: EncryptionKey,
        log_group: EncryptedLogGroup,
        props: SessionManagerPreferencesProps = SessionManagerPreferencesProps(),
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not 1 <= props.idle_timeout_minutes <= MAX_IDLE_MINUTES:
            problems.append(f"idle_timeout_minutes: must be 1-{MAX_IDLE_MINUTES}")
        if not 1 <= props.max_session_minutes <= MAX_SESSION_MINUTES:
            problems.append(f"max_session_minutes: must be 1-{MAX_SESSION_MINUTES}")
        raise_if_problems(self, problems)

        content = {
            "schemaVersion": "1.0",
            "description": "CloudSafeGuard Session Manager preferences: encrypted, logged sessions",
            "sessionType": "Standard_Stream",
            "inputs": {
                "kmsKeyId": key.key.key_id,
                "cloudWatchLogGroupName": log_group.log_group.name,
                # The agent refuses to stream to a log group that is not encrypted.
                "cloudWatchEncryptionEnabled": True,
                "cloudWatchStreamingEnabled": True,
                "s3BucketName": "",
                "s3KeyPrefix": "",
                "s3EncryptionEnabled": True,
                "runAsEnabled": False,
                "runAsDefaultUser": "",
                "idleSessionTimeout": str(props.idle_timeout_minutes),
                "maxSessionDuration": str(props.max_session_minutes),
                "shellProfile": {"linux": "", "windows": ""},
            },
        }
        # AWS creates this document the first time anyone opens the preferences page in the console; if it
        # already exists, import it (`terraform import <address> SSM-SessionManagerRunShell`) first.
        self.document = SsmDocument(
            self,
            "document",
            name=SESSION_PREFERENCES_DOCUMENT,
            document_type="Session",
            document_format="JSON",
            content=json.dumps(content),
        )
