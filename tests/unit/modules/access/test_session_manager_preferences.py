"""SessionManagerPreferences: the account's session document encrypts sessions with our key and streams
them to an encrypted log group; no Run As; bounded idle and total time."""

import json
from typing import Any

import pytest

from modules.access.session_manager_preferences import (
    SESSION_PREFERENCES_DOCUMENT,
    SessionManagerPreferences,
    SessionManagerPreferencesProps,
)
from modules.core.context import AccountContext
from modules.core.validation import PropsError
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from modules.observability.log_group import EncryptedLogGroup, EncryptedLogGroupProps
from tests.unit.modules.conftest import only, resources, synth


def _build(props: SessionManagerPreferencesProps) -> Any:
    def build(stack: Any, context: AccountContext) -> None:
        key = EncryptionKey(
            stack, "key", context=context, props=EncryptionKeyProps(alias="s", description="s")
        )
        logs = EncryptedLogGroup(
            stack,
            "logs",
            key=key,
            props=EncryptedLogGroupProps(name="/csg-test/sessions", retention_days=365),
        )
        SessionManagerPreferences(stack, "preferences", key=key, log_group=logs, props=props)

    return build


def test_sessions_are_encrypted_and_logged_to_the_encrypted_group() -> None:
    synthesized = synth(
        _build(SessionManagerPreferencesProps(idle_timeout_minutes=15, max_session_minutes=120))
    )
    document = only(resources(synthesized, "aws_ssm_document"))
    assert (document["name"], document["document_type"]) == (SESSION_PREFERENCES_DOCUMENT, "Session")
    inputs = json.loads(document["content"])["inputs"]
    (key_id,) = resources(synthesized, "aws_kms_key")
    (log_group_id,) = resources(synthesized, "aws_cloudwatch_log_group")
    assert inputs["kmsKeyId"] == f"${{aws_kms_key.{key_id}.key_id}}"
    assert inputs["cloudWatchLogGroupName"] == f"${{aws_cloudwatch_log_group.{log_group_id}.name}}"
    assert inputs["cloudWatchEncryptionEnabled"] is True
    assert inputs["cloudWatchStreamingEnabled"] is True
    assert inputs["runAsEnabled"] is False
    assert (inputs["idleSessionTimeout"], inputs["maxSessionDuration"]) == ("15", "120")
    log_group = only(resources(synthesized, "aws_cloudwatch_log_group"))
    assert log_group["kms_key_id"] == f"${{aws_kms_key.{key_id}.arn}}"


def test_unbounded_sessions_are_rejected() -> None:
    with pytest.raises(PropsError) as error:
        synth(_build(SessionManagerPreferencesProps(idle_timeout_minutes=0, max_session_minutes=2000)))
    assert len(error.value.problems) == 2
