"""Account-wide operations (issue 5): Session Manager preferences with their key and log group, the account
alerts topic, and the detective services (GuardDuty, AWS Config) behind their toggles. Wiring only."""

from cdktf import Annotations
from constructs import Construct

from environments.schema import AccountConfig
from modules.access.policy import Condition
from modules.access.session_manager_preferences import (
    SESSION_KEY_ALIAS,
    SESSION_LOG_GROUP,
    SessionManagerPreferences,
)
from modules.core.context import AccountContext
from modules.core.outputs import stable_output
from modules.core.validation import raise_if_problems
from modules.detective.configuration_recorder import ConfigurationRecorder, ConfigurationRecorderProps
from modules.detective.managed_config_rules import ManagedConfigRules, ManagedConfigRulesProps
from modules.detective.threat_detection import ThreatDetection, ThreatDetectionProps
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps, KeyServiceUse
from modules.keys.platform_keys import LOGS_KEY_ACTIONS
from modules.observability.alerts_topic import AlertsTopic, AlertsTopicProps, Publisher
from modules.observability.bucket_size_alarm import BucketSizeAlarm, BucketSizeAlarmProps
from modules.observability.log_group import EncryptedLogGroup, EncryptedLogGroupProps
from modules.storage.secure_bucket import ExpirationRule, SecureBucket, SecureBucketProps

SESSION_LOG_RETENTION_DAYS = 365
"""Session transcripts are audit records: kept a year, like production logs."""
ACCOUNT_ALERT_PUBLISHERS: tuple[Publisher, ...] = ("cloudwatch", "events")


class AccountOperations(Construct):
    """`self.session_key`, `self.session_logs`, `self.session_preferences`, `self.alerts`, and when on
    `self.threat_detection`, `self.config_recorder`, `self.config_rules`."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: AccountConfig, context: AccountContext
    ) -> None:
        super().__init__(scope, construct_id)
        # Environments grant their hosts and users on these names without a cross-stack reference.
        problems = []
        if (
            context.name("sessions") != SESSION_KEY_ALIAS
            or f"/{context.resource_prefix}/ssm-sessions" != SESSION_LOG_GROUP
        ):
            problems.append(
                f"resource prefix {context.resource_prefix!r} does not give the session names "
                f"environments expect ({SESSION_KEY_ALIAS}, {SESSION_LOG_GROUP})"
            )
        raise_if_problems(self, problems)
        detective = config.detective_services

        self.session_key = EncryptionKey(
            self,
            "session-key",
            context=context,
            props=EncryptionKeyProps(
                alias=SESSION_KEY_ALIAS,
                description="Session Manager session data and session transcripts",
                service_uses=(
                    KeyServiceUse(
                        service_principal=context.service_principal("logs"),
                        actions=LOGS_KEY_ACTIONS,
                        conditions=(
                            Condition(
                                test="ArnLike",
                                variable="kms:EncryptionContext:aws:logs:arn",
                                values=(context.arn("logs", "log-group:*"),),
                            ),
                        ),
                    ),
                ),
            ),
        )
        self.session_logs = EncryptedLogGroup(
            self,
            "session-logs",
            key=self.session_key,
            props=EncryptedLogGroupProps(name=SESSION_LOG_GROUP, retention_days=SESSION_LOG_RETENTION_DAYS),
        )
        self.session_preferences = SessionManagerPreferences(
            self, "session-preferences", key=self.session_key, log_group=self.session_logs
        )

        self.audit_key = EncryptionKey(
            self,
            "audit-key",
            context=context,
            props=EncryptionKeyProps(
                alias=context.name("audit"),
                description="Account alerts topic and AWS Config history",
                service_uses=AlertsTopic.key_uses(context, ACCOUNT_ALERT_PUBLISHERS),
            ),
        )
        self.alerts = AlertsTopic(
            self,
            "alerts",
            context=context,
            key=self.audit_key,
            props=AlertsTopicProps(
                name=context.name("alerts"),
                emails=detective.alert_emails,
                publishers=ACCOUNT_ALERT_PUBLISHERS,
            ),
        )
        self.bucket_alarms: dict[str, BucketSizeAlarm] = {}

        self.threat_detection: ThreatDetection | None = None
        if detective.guardduty_enabled:
            self.threat_detection = ThreatDetection(
                self,
                "threat-detection",
                topic=self.alerts,
                props=ThreatDetectionProps(name_prefix=context.resource_prefix),
            )
        else:
            Annotations.of(self).add_warning(
                f"GuardDuty is off for this account "
                f"(detective_services; account_tier {detective.account_tier!r})"
            )

        self.config_recorder: ConfigurationRecorder | None = None
        self.config_rules: ManagedConfigRules | None = None
        if detective.config_recorder_enabled:
            access_logs = SecureBucket(
                self,
                "access-logs",
                context=context,
                props=SecureBucketProps(
                    name=f"{context.name('access-logs')}-{context.account_id}",
                    encryption="s3-managed",
                    receives_access_logs=True,
                    expirations=(ExpirationRule(prefix="", days=365),),
                ),
            )
            self.config_recorder = ConfigurationRecorder(
                self,
                "config",
                context=context,
                key=self.audit_key,
                access_log_bucket=access_logs,
                topic=self.alerts,
                props=ConfigurationRecorderProps(name_prefix=context.resource_prefix),
            )
            self.config_rules = ManagedConfigRules(
                self,
                "config-rules",
                recorder=self.config_recorder,
                props=ManagedConfigRulesProps(
                    name_prefix=context.resource_prefix,
                    minimum_password_length=config.minimum_password_length,
                ),
            )
            for purpose, bucket in (("access-logs", access_logs), ("config", self.config_recorder.bucket)):
                self.bucket_alarms[purpose] = BucketSizeAlarm(
                    self,
                    f"bucket-{purpose}-size",
                    bucket=bucket.bucket,
                    topic=self.alerts,
                    props=BucketSizeAlarmProps(name=context.name(f"bucket-{purpose}-size")),
                )
        else:
            Annotations.of(self).add_warning(
                f"AWS Config is off for this account "
                f"(detective_services; account_tier {detective.account_tier!r})"
            )
        self._outputs()

    def _outputs(self) -> None:
        def output(name: str, value: object, description: str) -> None:
            stable_output(self, name, value, description)

        output(
            "account_alerts_topic_arn", self.alerts.arn, "SNS topic for GuardDuty findings and Config changes"
        )
        output(
            "session_log_group_name",
            self.session_logs.log_group.name,
            "Log group of Session Manager sessions",
        )
        output(
            "session_kms_key_arn", self.session_key.arn, "Key that encrypts sessions and their transcripts"
        )
        output(
            "session_preferences_document_name",
            self.session_preferences.document.name,
            "Session Manager preferences document",
        )
        output(
            "account_alarm_names",
            {key: alarm.alarm.name for key, alarm in self.bucket_alarms.items()},
            "Account-level CloudWatch alarm names by purpose",
        )
        if self.threat_detection is not None:
            output("guardduty_detector_id", self.threat_detection.detector.id, "GuardDuty detector")
        if self.config_recorder is not None:
            output("config_recorder_name", self.config_recorder.recorder.name, "AWS Config recorder")
            output(
                "config_bucket_name", self.config_recorder.bucket.bucket.bucket, "AWS Config delivery bucket"
            )
