"""Operations and access for one environment (issue 5): the alerts topic and every alarm, the audit trail with
its CIS alarms, the budget, the SSM-only app host, and Identity Center access to it. Wiring only."""

from cdktf import Annotations
from constructs import Construct

from environments.schema import EnvironmentConfig
from modules.access.app_host import AppHost, AppHostProps
from modules.access.session_permission_set import SessionPermissionSet, SessionPermissionSetProps
from modules.audit.audit_trail import AuditTrail, AuditTrailProps
from modules.core.context import AccountContext
from modules.core.outputs import stable_output
from modules.cost.environment_budget import EnvironmentBudget, EnvironmentBudgetProps
from modules.keys.encryption_key import KeyServiceUse
from modules.keys.platform_keys import PlatformKeys
from modules.network.endpoints import VpcEndpoints
from modules.network.vpc import PlatformVpc
from modules.observability.alerts_topic import AlertsTopic, AlertsTopicProps
from modules.observability.athena_scan_alarm import AthenaScanAlarm, AthenaScanAlarmProps
from modules.observability.bucket_size_alarm import BucketSizeAlarm, BucketSizeAlarmProps
from modules.observability.cis_alarms import CisAlarms, CisAlarmsProps
from modules.observability.database_alarms import DatabaseAlarms, DatabaseAlarmsProps
from modules.observability.event_alert import EventAlert, EventAlertProps
from modules.observability.instance_status_alarm import InstanceStatusAlarm, InstanceStatusAlarmProps
from modules.observability.queue_depth_alarm import QueueDepthAlarm, QueueDepthAlarmProps
from modules.observability.table_alarms import TableAlarms, TableAlarmsProps
from modules.observability.topic_alarm import TopicAlarm
from modules.stacks.data_services import DataServices
from modules.storage.data_lake import DataLake
from modules.storage.secure_bucket import SecureBucket

ENVIRONMENT_TAG = "environment"
"""The tag (set by the provider's default tags) that marks an environment's resources: budget filter and the
condition on Session Manager access."""
GLUE_FAILED_STATES = ("FAILED", "TIMEOUT", "ERROR")
AUDIT_LOG_MIN_RETENTION_DAYS = 365
"""The trail's log group keeps a year even where the environment keeps other logs shorter: it is the audit
record CIS investigations start from."""


def _trail_name(context: AccountContext) -> str:
    return context.name("audit-trail")


class Operations(Construct):
    """Everything issue 5 adds to an environment; attributes are the constructs, outputs use stable names."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        context: AccountContext,
        keys: PlatformKeys,
        network: PlatformVpc,
        endpoints: VpcEndpoints,
        data_lake: DataLake,
        data_services: DataServices,
    ) -> None:
        super().__init__(scope, construct_id)
        thresholds = config.alarms
        self.alerts = AlertsTopic(
            self,
            "alerts",
            context=context,
            key=keys.logs,
            props=AlertsTopicProps(name=context.name("alerts"), emails=config.alert_emails),
        )
        self.alarms: dict[str, TopicAlarm] = {}

        self.trail = AuditTrail(
            self,
            "audit-trail",
            context=context,
            key=keys.logs,
            access_log_bucket=data_lake.access_logs,
            data_event_buckets=data_lake.data_buckets,
            props=AuditTrailProps(
                name=_trail_name(context),
                log_retention_days=max(config.log_retention_days, AUDIT_LOG_MIN_RETENTION_DAYS),
                force_destroy=not config.protection.retain_data_on_destroy,
            ),
        )
        self.cis = CisAlarms(
            self,
            "cis",
            log_group=self.trail.log_group,
            topic=self.alerts,
            props=CisAlarmsProps(
                name_prefix=config.resource_prefix,
                unauthorized_api_calls_threshold=thresholds.unauthorized_api_calls,
            ),
        )
        self.alarms.update({f"cis-{key}": alarm for key, alarm in self.cis.alarms.items()})

        self.budget = EnvironmentBudget(
            self,
            "budget",
            topic=self.alerts,
            props=EnvironmentBudgetProps(
                name=context.name("monthly"),
                monthly_limit_usd=config.monthly_budget_usd,
                tag_key=ENVIRONMENT_TAG,
                tag_value=config.name,
                emails=config.alert_emails,
            ),
        )

        self.app_host = AppHost(
            self,
            "app-host",
            context=context,
            network=network,
            endpoints=endpoints,
            volume_key=keys.data_lake,
            props=AppHostProps(
                name=context.name("app-host"),
                instance_type=config.compute.app_host_instance_type,
                access_tags={ENVIRONMENT_TAG: config.name},
            ),
        )
        data_lake.curated.grant_read(self.app_host.role.role)
        host_alarms = InstanceStatusAlarm(
            self,
            "app-host-alarms",
            context=context,
            instance=self.app_host.instance,
            topic=self.alerts,
            props=InstanceStatusAlarmProps(name_prefix=context.name("app-host")),
        )
        self.alarms.update({f"app-host-{key}": alarm for key, alarm in host_alarms.alarms.items()})

        self._data_store_alarms(context, config, data_lake, data_services)
        self._data_service_alerts(context, data_services)

        database = data_services.database
        database.allow_connections_from(self.app_host.security_group, "PostgreSQL from the app host")
        self.app_host.allow_connection_to(
            "database",
            security_group_id=database.security_group.id,
            port=database.port,
            description="PostgreSQL to the database",
        )
        database.grant_connect(self.app_host.role.role, config.app_host.database_user)

        self.session_access: SessionPermissionSet | None = None
        identity_center = config.identity_center
        if identity_center.configured:
            assert (
                identity_center.instance_arn
                and identity_center.identity_store_id
                and identity_center.group_name
            )
            self.session_access = SessionPermissionSet(
                self,
                "session-access",
                context=context,
                props=SessionPermissionSetProps(
                    name=context.name("app-host-session"),
                    instance_arn=identity_center.instance_arn,
                    identity_store_id=identity_center.identity_store_id,
                    group_name=identity_center.group_name,
                    tag_key=ENVIRONMENT_TAG,
                    tag_value=config.name,
                    session_duration_hours=identity_center.session_duration_hours,
                ),
            )
        else:
            Annotations.of(self).add_info(
                f"{config.name}: IAM Identity Center is not configured (identity_center in environments/"
                f"{config.name}.toml), so no SSO permission set for the app host was created."
            )
        self._outputs()

    def _data_store_alarms(
        self,
        context: AccountContext,
        config: EnvironmentConfig,
        data_lake: DataLake,
        data_services: DataServices,
    ) -> None:
        """At least one alarm for every data store: database, tables, buckets, dead-letter queues, Athena."""
        thresholds = config.alarms
        database_alarms = DatabaseAlarms(
            self,
            "database-alarms",
            database=data_services.database.instance,
            topic=self.alerts,
            props=DatabaseAlarmsProps(
                name_prefix=context.name("database"),
                cpu_percent=thresholds.rds_cpu_percent,
                free_storage_gib=thresholds.rds_free_storage_gib,
                freeable_memory_mib=thresholds.rds_freeable_memory_mib,
                connections=thresholds.rds_connections,
                read_latency_ms=thresholds.rds_read_latency_ms,
                write_latency_ms=thresholds.rds_write_latency_ms,
                period_seconds=thresholds.period_seconds,
                evaluation_periods=thresholds.evaluation_periods,
            ),
        )
        self.alarms.update({f"database-{key}": alarm for key, alarm in database_alarms.alarms.items()})
        for purpose, table in data_services.tables.items():
            slug = purpose.replace("_", "-")
            table_alarms = TableAlarms(
                self,
                f"table-{slug}-alarms",
                table=table.table,
                topic=self.alerts,
                props=TableAlarmsProps(
                    name_prefix=context.name(f"table-{slug}"),
                    throttled_events=thresholds.dynamodb_throttled_events,
                    system_errors=thresholds.dynamodb_system_errors,
                    period_seconds=thresholds.period_seconds,
                ),
            )
            self.alarms.update({f"table-{slug}-{key}": alarm for key, alarm in table_alarms.alarms.items()})

        buckets: dict[str, SecureBucket] = {
            "raw": data_lake.raw,
            "curated": data_lake.curated,
            "athena-results": data_lake.athena_results,
            "access-logs": data_lake.access_logs,
            "audit-trail": self.trail.bucket,
            "glue-assets": data_services.glue_assets,
        }
        for purpose, bucket in buckets.items():
            self.alarms[f"bucket-{purpose}-size"] = BucketSizeAlarm(
                self,
                f"bucket-{purpose}-size",
                bucket=bucket.bucket,
                topic=self.alerts,
                props=BucketSizeAlarmProps(
                    name=context.name(f"bucket-{purpose}-size"), max_size_gib=thresholds.bucket_size_gib
                ),
            ).alarm

        functions = {"ingest": data_services.ingest.function, "rotation": data_services.rotation.function}
        for purpose, function in functions.items():
            if function.dead_letter_queue is not None:
                self.alarms[f"{purpose}-dead-letters"] = QueueDepthAlarm(
                    self,
                    f"{purpose}-dead-letters",
                    queue=function.dead_letter_queue,
                    topic=self.alerts,
                    props=QueueDepthAlarmProps(
                        name=context.name(f"{purpose}-dead-letters"),
                        description=f"Events the {purpose} function failed to process wait in its dead-letter"
                        " queue: inspect them, fix the cause, then redrive.",
                    ),
                ).alarm

        self.alarms["athena-bytes-scanned"] = AthenaScanAlarm(
            self,
            "athena-bytes-scanned",
            topic=self.alerts,
            props=AthenaScanAlarmProps(
                name=context.name("athena-bytes-scanned"),
                workgroup_name=data_services.athena.name,
                max_scanned_gib_per_hour=thresholds.athena_scanned_gib_per_hour,
            ),
        ).alarm

    def _data_service_alerts(self, context: AccountContext, data_services: DataServices) -> None:
        """Event-driven alerts: Glue job failures and timeouts, failed secret rotations."""
        self.glue_job_failures = EventAlert(
            self,
            "glue-job-failures",
            topic=self.alerts,
            props=EventAlertProps(
                name=context.name("glue-job-failed"),
                description="A Glue ETL job of this environment failed, errored or timed out",
                event_pattern={
                    "source": ["aws.glue"],
                    "detail-type": ["Glue Job State Change"],
                    "detail": {
                        "state": list(GLUE_FAILED_STATES),
                        "jobName": [job.name for job in data_services.glue_jobs.values()],
                    },
                },
            ),
        )
        self.rotation_failures = EventAlert(
            self,
            "secret-rotation-failures",
            topic=self.alerts,
            props=EventAlertProps(
                name=context.name("secret-rotation-failed"),
                # Not narrowed to this environment's secrets: where the event carries the failed secret's ARN
                # is not documented firmly enough to filter on, and a missed rotation failure costs more than
                # a duplicate alert in an account shared by environments.
                description="Secrets Manager could not rotate a secret in this account and region",
                event_pattern={
                    "source": ["aws.secretsmanager"],
                    "detail-type": ["AWS Service Event via CloudTrail"],
                    "detail": {
                        "eventSource": ["secretsmanager.amazonaws.com"],
                        "eventName": ["RotationFailed"],
                    },
                },
            ),
        )

    @staticmethod
    def logs_key_uses(context: AccountContext) -> tuple[KeyServiceUse, ...]:
        """What the logs key's policy must allow for this construct: publishing to the encrypted alerts topic
        and encrypting the audit trail. Pass to PlatformKeysProps.extra_logs_key_uses."""
        return AlertsTopic.key_uses(context) + AuditTrail.key_uses(context, _trail_name(context))

    def _outputs(self) -> None:
        def output(name: str, value: object, description: str) -> None:
            stable_output(self, name, value, description)

        output("alerts_topic_arn", self.alerts.arn, "SNS topic every alarm, rule and budget notifies")
        output(
            "alarm_names",
            {key: alarm.name for key, alarm in self.alarms.items()},
            "CloudWatch alarm names by purpose (all notify the alerts topic)",
        )
        output(
            "alert_rule_names",
            {
                "glue-job-failed": self.glue_job_failures.name,
                "secret-rotation-failed": self.rotation_failures.name,
            },
            "EventBridge rule names that notify the alerts topic",
        )
        output("trail_name", self.trail.name, "CloudTrail trail (multi-region, validated, KMS-encrypted)")
        output("trail_bucket_name", self.trail.bucket.bucket.bucket, "Bucket the trail delivers log files to")
        output("trail_log_group_name", self.trail.log_group.log_group.name, "Log group the trail delivers to")
        output("budget_name", self.budget.name, "Monthly cost budget of this environment")
        output("app_host_instance_id", self.app_host.instance.id, "App host (reach it with Session Manager)")
        output(
            "app_host_instance_profile_name", self.app_host.instance_profile.name, "App host instance profile"
        )
        output("app_host_role_name", self.app_host.role.role.name, "App host IAM role")
        output("app_host_security_group_id", self.app_host.security_group.id, "App host security group")
        if self.session_access is not None:
            output(
                "sso_permission_set_arn",
                self.session_access.permission_set.arn,
                "Identity Center permission set for Session Manager access to the app host",
            )
