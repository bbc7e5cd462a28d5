"""RDS PostgreSQL in the private subnets, secure by default.

TLS is forced by the parameter group; storage and Performance Insights use the database key; the master
password is generated, stored and rotated by RDS in Secrets Manager (with the secrets key), so Terraform
never sees it; IAM authentication is on; logs go to KMS-encrypted log groups with retention; the security
group admits PostgreSQL only from named security groups (`allow_connections_from`), never from a CIDR.
"""

import re
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.core.context import AccountContext
from modules.core.defaults import report_weakened_default
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey
from modules.network.vpc import PlatformVpc
from modules.observability.log_group import EncryptedLogGroup, EncryptedLogGroupProps
from modules.secrets.secret_access import SecretAccess, SecretAccessProps

POSTGRES_PORT = 5432
ENHANCED_MONITORING_POLICY = "arn:{partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
# The log types PostgreSQL can export: the server log (connections, DDL, errors) and upgrade logs.
LOG_EXPORTS = ("postgresql", "upgrade")
PROD_MIN_BACKUP_RETENTION_DAYS = 14
IDENTIFIER_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
SQL_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
VALID_MONITORING_INTERVALS = (1, 5, 10, 15, 30, 60)


@dataclass(frozen=True, kw_only=True)
class PostgresDatabaseProps:
    """Settings of a PostgresDatabase. Production (`production=True`) refuses every weakened protection."""

    identifier: str
    """Required. Instance identifier, e.g. "csg-dev-postgres"."""
    log_retention_days: int
    """Required. Retention of the exported logs (the environment's log_retention_days)."""
    production: bool = False
    """Default false. True for prod: deletion protection, Multi-AZ, a final snapshot and >= 14 days of
    backups become mandatory (checked here as well as in environments/rules.py)."""
    database_name: str = "platform"
    """Default "platform". Initial database."""
    master_username: str = "platform_admin"
    """Default "platform_admin". Its password is RDS-managed in Secrets Manager, never in Terraform."""
    engine_version: str = "16"
    """Default "16": the major version only, so RDS creates the current 16.x and automatic minor version
    upgrades keep it current (Terraform accepts the minor it finds)."""
    parameter_group_family: str = "postgres16"
    """Default "postgres16"; must match engine_version's major version."""
    instance_class: str = "db.t4g.medium"
    """Default "db.t4g.medium"."""
    allocated_storage_gb: int = 20
    """Default 20 (gp3 minimum)."""
    max_allocated_storage_gb: int = 100
    """Default 100. Storage autoscaling ceiling."""
    multi_az: bool = True
    """Default true. A standby in another AZ. Reported when off; refused in production."""
    backup_retention_days: int = 14
    """Default 14 (1-35). Refused below 14 in production."""
    deletion_protection: bool = True
    """Default true. Reported when off; refused in production."""
    skip_final_snapshot: bool = False
    """Default false: deleting the instance first takes a final snapshot. Reported when true; refused in
    production."""
    ca_cert_identifier: str = "rds-ca-rsa2048-g1"
    """Default "rds-ca-rsa2048-g1": the current RDS CA (RSA 2048, valid to 2061)."""
    monitoring_interval_seconds: int = 60
    """Default 60. Enhanced monitoring granularity (1, 5, 10, 15, 30 or 60)."""
    performance_insights_retention_days: int = 7
    """Default 7 (the free tier); 731 or a multiple of 31 for longer."""
    log_min_duration_statement_ms: int = 1000
    """Default 1000: statements slower than this are logged with their duration."""
    backup_window: str = "02:00-03:00"
    """Default "02:00-03:00" (UTC)."""
    maintenance_window: str = "sun:03:30-sun:04:30"
    """Default "sun:03:30-sun:04:30" (UTC), after the backup window."""


class PostgresDatabase(Construct):
    """`self.instance`, `self.security_group`, `self.parameter_group`, `self.subnet_group`,
    `self.monitoring_role`, `self.log_groups` (by export type) and `self.master_secret` (SecretAccess on
    the RDS-managed master secret: its resource policy and `grant_read`)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        network: PlatformVpc,
        storage_key: EncryptionKey,
        secrets_key: EncryptionKey,
        logs_key: EncryptionKey,
        props: PostgresDatabaseProps,
    ) -> None:
        super().__init__(scope, construct_id)
        self._check(props)
        self.context = context
        self.port = POSTGRES_PORT
        self.database_name = props.database_name
        self.master_username = props.master_username

        self.subnet_group = DbSubnetGroup(
            self,
            "subnet-group",
            name=props.identifier,
            description=f"Private subnets of {props.identifier}",
            subnet_ids=network.private_subnet_ids,
        )
        self.security_group = SecurityGroup(
            self,
            "security-group",
            name=f"{props.identifier}-db",
            description=f"{props.identifier}: PostgreSQL from named security groups only",
            vpc_id=network.vpc.id,
            tags={"Name": f"{props.identifier}-db", "DataStore": "true"},
        )
        self.parameter_group = DbParameterGroup(
            self,
            "parameter-group",
            name=props.identifier,
            family=props.parameter_group_family,
            description=f"{props.identifier}: TLS only, connection and DDL logging",
            parameter=[
                DbParameterGroupParameter(name="rds.force_ssl", value="1"),
                DbParameterGroupParameter(name="ssl_min_protocol_version", value="TLSv1.2"),
                DbParameterGroupParameter(name="log_connections", value="1"),
                DbParameterGroupParameter(name="log_disconnections", value="1"),
                # DDL only: statements with data or credentials in them are not logged. (Passwords are set
                # pre-hashed by the rotation function, so even its ALTER ROLE carries no password.)
                DbParameterGroupParameter(name="log_statement", value="ddl"),
                DbParameterGroupParameter(
                    name="log_min_duration_statement", value=str(props.log_min_duration_statement_ms)
                ),
                DbParameterGroupParameter(name="password_encryption", value="scram-sha-256"),
            ],
        )
        self.monitoring_role = ServiceRole(
            self,
            "monitoring-role",
            context=context,
            props=ServiceRoleProps(
                name=f"{props.identifier}-monitoring"[:64],
                service="monitoring.rds.amazonaws.com",
                description=f"Publishes enhanced monitoring metrics of {props.identifier}",
                managed_policy_arns=(ENHANCED_MONITORING_POLICY.format(partition=context.partition),),
            ),
        )
        # RDS writes to /aws/rds/instance/<id>/<type>; created first so they have our key and retention.
        self.log_groups = {
            log_type: EncryptedLogGroup(
                self,
                f"logs-{log_type}",
                key=logs_key,
                props=EncryptedLogGroupProps(
                    name=f"/aws/rds/instance/{props.identifier}/{log_type}",
                    retention_days=props.log_retention_days,
                ),
            )
            for log_type in LOG_EXPORTS
        }
        self.instance = DbInstance(
            self,
            "instance",
            identifier=props.identifier,
            engine="postgres",
            engine_version=props.engine_version,
            instance_class=props.instance_class,
            db_name=props.database_name,
            username=props.master_username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=secrets_key.arn,
            iam_database_authentication_enabled=True,
            port=POSTGRES_PORT,
            allocated_storage=props.allocated_storage_gb,
            max_allocated_storage=props.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=storage_key.arn,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            publicly_accessible=False,
            parameter_group_name=self.parameter_group.name,
            multi_az=props.multi_az,
            backup_retention_period=props.backup_retention_days,
            backup_window=props.backup_window,
            maintenance_window=props.maintenance_window,
            copy_tags_to_snapshot=True,
            delete_automated_backups=False,
            skip_final_snapshot=props.skip_final_snapshot,
            final_snapshot_identifier=f"{props.identifier}-final",
            deletion_protection=props.deletion_protection,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=storage_key.arn,
            performance_insights_retention_period=props.performance_insights_retention_days,
            monitoring_interval=props.monitoring_interval_seconds,
            monitoring_role_arn=self.monitoring_role.role.arn,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            ca_cert_identifier=props.ca_cert_identifier,
            auto_minor_version_upgrade=True,
            allow_major_version_upgrade=False,
            depends_on=[group.log_group for group in self.log_groups.values()],
        )
        # RDS rotates the master secret through its service-linked role, which must never be denied.
        rds_service_role = (
            f"arn:{context.partition}:iam::{context.account_id}:role/aws-service-role/rds.amazonaws.com/"
            "AWSServiceRoleForRDS"
        )
        self.master_secret = SecretAccess(
            self,
            "master-secret",
            secret_arn=self.instance.master_user_secret.get(0).secret_arn,
            key=secrets_key,
            region=context.region,
            props=SecretAccessProps(service_managers=(rds_service_role,)),
        )

    def _check(self, props: PostgresDatabaseProps) -> None:
        problems = []
        if (
            not IDENTIFIER_PATTERN.fullmatch(props.identifier)
            or props.identifier.endswith("-")
            or "--" in props.identifier
        ):
            problems.append(f"identifier: {props.identifier!r} is not a valid RDS identifier")
        for setting, value in (
            ("database_name", props.database_name),
            ("master_username", props.master_username),
        ):
            if not SQL_NAME_PATTERN.fullmatch(value):
                problems.append(f"{setting}: {value!r} must be a lower-case SQL name")
        major = props.engine_version.split(".")[0]
        if props.parameter_group_family != f"postgres{major}":
            problems.append(
                f"parameter_group_family: {props.parameter_group_family!r} does not match "
                f"engine_version {props.engine_version!r}"
            )
        if not 1 <= props.backup_retention_days <= 35:
            problems.append(f"backup_retention_days: {props.backup_retention_days} must be between 1 and 35")
        if props.max_allocated_storage_gb < props.allocated_storage_gb:
            problems.append("max_allocated_storage_gb: must be >= allocated_storage_gb")
        if props.monitoring_interval_seconds not in VALID_MONITORING_INTERVALS:
            problems.append(
                f"monitoring_interval_seconds: {props.monitoring_interval_seconds} must be one of "
                f"{VALID_MONITORING_INTERVALS} (0 would turn enhanced monitoring off)"
            )
        if not props.ca_cert_identifier.startswith(("rds-ca-rsa", "rds-ca-ecc")):
            problems.append(f"ca_cert_identifier: {props.ca_cert_identifier!r} is not a current RDS CA")
        if props.production:
            required = (
                (props.deletion_protection, "deletion_protection: must be true in production"),
                (props.multi_az, "multi_az: must be true in production"),
                (not props.skip_final_snapshot, "skip_final_snapshot: must be false in production"),
                (
                    props.backup_retention_days >= PROD_MIN_BACKUP_RETENTION_DAYS,
                    f"backup_retention_days: must be >= {PROD_MIN_BACKUP_RETENTION_DAYS} in production",
                ),
            )
            problems += [message for holds, message in required if not holds]
        raise_if_problems(self, problems)
        flags: tuple[tuple[str, bool, bool], ...] = (
            ("deletion_protection", True, props.deletion_protection),
            ("multi_az", True, props.multi_az),
            ("skip_final_snapshot", False, props.skip_final_snapshot),
        )
        for flag, secure, chosen in flags:
            if chosen != secure:
                report_weakened_default(self, flag, secure, chosen)
        if props.backup_retention_days < PROD_MIN_BACKUP_RETENTION_DAYS:
            report_weakened_default(
                self, "backup_retention_days", PROD_MIN_BACKUP_RETENTION_DAYS, props.backup_retention_days
            )

    @property
    def address(self) -> str:
        """Host name of the instance."""
        return self.instance.address

    @property
    def master_secret_arn(self) -> str:
        return self.master_secret.secret_arn

    def allow_connections_from(self, source: SecurityGroup, description: str) -> VpcSecurityGroupIngressRule:
        """Admit PostgreSQL from members of `source` (a separate ingress rule). Only security groups are
        accepted: there is deliberately no way to admit a CIDR."""
        if not isinstance(source, SecurityGroup):
            raise_if_problems(
                self,
                [
                    f"allow_connections_from: {source!r} is not a SecurityGroup; the database admits named "
                    "security groups only, never an address range"
                ],
            )
        return VpcSecurityGroupIngressRule(
            self,
            f"ingress-from-{source.friendly_unique_id}",
            security_group_id=self.security_group.id,
            description=description,
            ip_protocol="tcp",
            from_port=POSTGRES_PORT,
            to_port=POSTGRES_PORT,
            referenced_security_group_id=source.id,
        )

    def grant_connect(self, role: IamRole, database_user: str) -> None:
        """Let `role` log in as `database_user` with IAM authentication (rds-db:connect)."""
        if not SQL_NAME_PATTERN.fullmatch(database_user):
            raise_if_problems(self, [f"grant_connect: {database_user!r} is not a SQL user name"])
        attach_grant(
            self,
            role,
            (
                Statement(
                    sid="ConnectWithIam",
                    actions=("rds-db:connect",),
                    resources=(
                        self.context.arn("rds-db", f"dbuser:{self.instance.resource_id}/{database_user}"),
                    ),
                ),
            ),
        )
