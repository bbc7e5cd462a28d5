"""Typed, frozen settings for one environment (and for the account baseline).

Each TOML file in `environments/` is validated against these classes with pydantic, which reports every
type/range problem with its location in one pass; cross-field and cross-environment rules live in
`environments.rules`. Every field states its default; a field without a default is required.
"""

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)

# The interface endpoints the platform uses. Trimming them (dev, for cost) is an explicit setting.
ALL_INTERFACE_ENDPOINTS: tuple["InterfaceEndpoint", ...] = (
    "ssm",
    "ssmmessages",
    "ec2messages",
    "kms",
    "secretsmanager",
    "sts",
    "logs",
    "glue",
    "athena",
    "xray",
    "monitoring",
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,18}[a-z0-9]$")
_SSO_INSTANCE_ARN = re.compile(r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$")
_IDENTITY_STORE_ID = re.compile(r"^d-[0-9a-f]{10}$")
_DATABASE_USER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ipv4_network(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a valid IPv4 network ({error})") from None
    if not network.is_private:
        raise ValueError(f"{value!r} is not a private (RFC 1918) range")
    if not 16 <= network.prefixlen <= 24:
        raise ValueError(f"{value!r} must be between /16 and /24 to hold the platform's subnets")
    return value


def _matches(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


VpcCidr = Annotated[str, AfterValidator(_ipv4_network)]
Email = Annotated[str, _matches(_EMAIL, "an e-mail address")]
AccountId = Annotated[str, _matches(_ACCOUNT_ID, "a 12-digit AWS account ID")]
Region = Annotated[str, _matches(_REGION, "an AWS region name such as eu-west-1")]
EnvironmentName = Annotated[
    str, _matches(_NAME, "a lower-case name of 3-20 letters, digits and dashes, starting with a letter")
]
InterfaceEndpoint = Literal[
    "ssm", "ssmmessages", "ec2messages", "kms", "secretsmanager", "sts", "logs", "glue", "athena", "xray",
    "monitoring",
]
SsoInstanceArn = Annotated[str, _matches(_SSO_INSTANCE_ARN, "an IAM Identity Center instance ARN")]
IdentityStoreId = Annotated[str, _matches(_IDENTITY_STORE_ID, "an identity store ID such as d-1234567890")]
DatabaseUser = Annotated[str, _matches(_DATABASE_USER, "a lower-case PostgreSQL user name (a-z, 0-9, _)")]
Tier = Literal["dev", "staging", "prod"]
RetentionDays = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                        2922, 3288, 3653]  # fmt: skip


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class NetworkConfig:
    """The environment's VPC."""

    vpc_cidr: VpcCidr
    """Required. Private IPv4 range of the VPC, /16 to /24; must not overlap another environment's."""
    az_count: int = Field(default=2, ge=2, le=3)
    """Default 2. Availability zones to spread private subnets over (2 or 3)."""
    public_subnets: bool = False
    """Default false. Public subnets (and an internet gateway) are created only when true."""
    interface_endpoints: tuple[InterfaceEndpoint, ...] = ALL_INTERFACE_ENDPOINTS
    """Default: all of ssm, ssmmessages, ec2messages, kms, secretsmanager, sts, logs, glue, athena, xray
    (Lambda traces) and monitoring (Glue job metrics). Only these leave the VPC: there is no NAT."""
    availability_zones: tuple[str, ...] = ()
    """Default: the region's first `az_count` zones by letter (<region>a, <region>b, ...). Naming them pins
    where subnets go, so a zone AWS adds later never moves them."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class TagsConfig:
    """Tags applied to every resource through the provider's default_tags."""

    project: str = Field(default="cloudsafeguard", min_length=1)
    """Default "cloudsafeguard"."""
    owner: str = Field(min_length=1)
    """Required. Team or person accountable for the environment."""
    cost_centre: str = Field(min_length=1)
    """Required. Cost centre that pays for it (also used to filter the budget)."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class DatabaseConfig:
    """RDS PostgreSQL sizing and protection."""

    instance_class: str = "db.t4g.medium"
    """Default "db.t4g.medium"."""
    allocated_storage_gb: int = Field(default=20, ge=20, le=65536)
    """Default 20 (GiB, the gp3 minimum)."""
    max_allocated_storage_gb: int = Field(default=100, ge=20, le=65536)
    """Default 100 (GiB). Storage autoscaling ceiling."""
    multi_az: bool = False
    """Default false. Must be true in prod."""
    backup_retention_days: int = Field(default=7, ge=1, le=35)
    """Default 7. Must be at least 14 in prod."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class ComputeConfig:
    """Sizes of the compute the platform runs."""

    app_host_instance_type: str = "t3.micro"
    """Default "t3.micro". The SSM-reached application host."""
    ingest_reserved_concurrency: int = Field(default=5, ge=1, le=1000)
    """Default 5. Reserved concurrency of the ingest Lambda."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class ProtectionConfig:
    """What survives a `terraform destroy` and what refuses to be deleted."""

    deletion_protection: bool = True
    """Default true. RDS and DynamoDB deletion protection. Must be true in prod."""
    retain_data_on_destroy: bool = True
    """Default true. Buckets keep their objects on destroy (no force_destroy). Must be true in prod."""
    skip_final_snapshot: bool = False
    """Default false. Never true in prod."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class BackendConfig:
    """Where Terraform keeps this stack's state."""

    kind: Literal["local", "s3", "cloud"] = "local"
    """Default "local" (terraform.<stack>.tfstate next to the stack). "s3" or "cloud" for teams."""
    bucket: str | None = None
    """Default none. S3 state bucket; required when kind = "s3"."""
    key: str | None = None
    """Default "<environment>/terraform.tfstate" when kind = "s3"."""
    region: Region | None = None
    """Default: the environment's region, when kind = "s3"."""
    organization: str | None = None
    """Default none. Terraform Cloud organization; required when kind = "cloud"."""
    workspace: str | None = None
    """Default "cloudsafeguard-<environment>" when kind = "cloud"."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class AlarmThresholds:
    """When the operations alarms fire. Metric alarms look at `evaluation_periods` periods of `period_seconds`
    and fire when every one of them breaches (so a single spike does not page anyone)."""

    period_seconds: Literal[60, 300, 900, 3600] = 300
    """Default 300 (5 minutes). Period of the RDS, DynamoDB and EC2 alarms."""
    evaluation_periods: int = Field(default=3, ge=1, le=12)
    """Default 3. Consecutive breaching periods before an alarm fires."""
    rds_cpu_percent: float = Field(default=80, gt=0, le=100)
    """Default 80. RDS CPUUtilization (%) above which the database alarms."""
    rds_free_storage_gib: float = Field(default=5, gt=0)
    """Default 5. RDS FreeStorageSpace (GiB) below which the database alarms."""
    rds_freeable_memory_mib: float = Field(default=256, gt=0)
    """Default 256. RDS FreeableMemory (MiB) below which the database alarms."""
    rds_connections: int = Field(default=100, ge=1)
    """Default 100. RDS DatabaseConnections above which the database alarms."""
    rds_read_latency_ms: float = Field(default=20, gt=0)
    """Default 20. RDS ReadLatency (milliseconds) above which the database alarms."""
    rds_write_latency_ms: float = Field(default=20, gt=0)
    """Default 20. RDS WriteLatency (milliseconds) above which the database alarms."""
    dynamodb_throttled_events: int = Field(default=1, ge=1)
    """Default 1. Read + write throttle events per period at or above which a table alarms."""
    dynamodb_system_errors: int = Field(default=1, ge=1)
    """Default 1. DynamoDB SystemErrors per period at or above which a table alarms."""
    athena_scanned_gib_per_hour: float = Field(default=100, gt=0)
    """Default 100. GiB scanned by the environment's Athena workgroup in one hour above which it alarms."""
    bucket_size_gib: float = Field(default=1024, gt=0)
    """Default 1024 (1 TiB). Size of any one S3 bucket above which it alarms (runaway growth, cost)."""
    unauthorized_api_calls: int = Field(default=1, ge=1)
    """Default 1 (CIS). Unauthorized API calls in 5 minutes at or above which the CIS alarm fires."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class IdentityCenterConfig:
    """IAM Identity Center (SSO) access to the app host. Set all three of instance_arn, identity_store_id and
    group_name, or none: with none, no permission set is created (synth says so)."""

    instance_arn: SsoInstanceArn | None = None
    """Default none. ARN of the Identity Center instance (arn:aws:sso:::instance/ssoins-...)."""
    identity_store_id: IdentityStoreId | None = None
    """Default none. Identity store of that instance (d-...)."""
    group_name: str | None = Field(default=None, min_length=1)
    """Default none. Display name of the Identity Center group given session access to the app host."""
    session_duration_hours: int = Field(default=1, ge=1, le=12)
    """Default 1. Maximum length of a console/CLI session under the permission set."""

    @model_validator(mode="after")
    def _all_or_nothing(self) -> "IdentityCenterConfig":
        given = [self.instance_arn, self.identity_store_id, self.group_name]
        if any(value is not None for value in given) and not all(value is not None for value in given):
            raise ValueError("set all of instance_arn, identity_store_id and group_name, or none of them")
        return self

    @property
    def configured(self) -> bool:
        """True when the environment names an Identity Center instance and a group."""
        return self.instance_arn is not None


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class AppHostConfig:
    """What the SSM-reached application host may do (its size is ComputeConfig.app_host_instance_type)."""

    database_user: DatabaseUser = "app_reader"
    """Default "app_reader". The one PostgreSQL user the host may log in as with IAM authentication."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class DataServicesConfig:
    """Secrets Manager, Glue and Athena settings (RDS sizing is in DatabaseConfig)."""

    secret_rotation_days: int = Field(default=30, ge=1, le=90)
    """Default 30. Rotation interval of the credentials the platform rotates itself (at most 90)."""
    athena_bytes_scanned_cutoff_gib: int = Field(default=10, ge=1, le=1024)
    """Default 10. An Athena query scanning more GiB than this is cancelled."""
    glue_workers: int = Field(default=2, ge=2, le=100)
    """Default 2 (the minimum). Workers of each Glue ETL job."""
    glue_job_timeout_minutes: int = Field(default=60, ge=1, le=2880)
    """Default 60. A Glue ETL run taking longer is stopped."""


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class EnvironmentConfig:
    """Everything that differs between dev, staging and prod. One TOML file each in `environments/`."""

    name: EnvironmentName
    """Required. Stack name and resource-name prefix, e.g. "dev"."""
    tier: Literal["dev", "staging", "prod"]
    """Required. Production tier switches on the stricter rules in `environments.rules`."""
    region: Region
    """Required. AWS region of every resource in the stack."""
    allowed_account_ids: tuple[AccountId, ...] = ()
    """Default none (any account). Required in prod: the provider refuses to touch any other account."""
    network: NetworkConfig
    """Required. See NetworkConfig."""
    tags: TagsConfig
    """Required. See TagsConfig."""
    log_retention_days: RetentionDays = 365
    """Default 365. Retention of every CloudWatch log group; at least 365 in prod."""
    alert_emails: tuple[Email, ...] = ()
    """Default none. Subscribed to the alerts topic; at least one required in prod."""
    monthly_budget_usd: float = Field(gt=0)
    """Required, > 0. Monthly cost budget (USD) for resources tagged with this environment."""
    database: DatabaseConfig = DatabaseConfig()
    """Default: see DatabaseConfig."""
    compute: ComputeConfig = ComputeConfig()
    """Default: see ComputeConfig."""
    protection: ProtectionConfig = ProtectionConfig()
    """Default: everything protected. See ProtectionConfig."""
    backend: BackendConfig = BackendConfig()
    """Default: local state. See BackendConfig."""
    alarms: AlarmThresholds = AlarmThresholds()
    """Default: see AlarmThresholds."""
    identity_center: IdentityCenterConfig = IdentityCenterConfig()
    """Default: not configured (no SSO permission set). See IdentityCenterConfig."""
    app_host: AppHostConfig = AppHostConfig()
    """Default: see AppHostConfig."""
    data_services: DataServicesConfig = DataServicesConfig()
    """Default: see DataServicesConfig."""

    @property
    def availability_zones(self) -> tuple[str, ...]:
        """The zones the private subnets go to: as configured, else <region>a, <region>b, ..."""
        if self.network.availability_zones:
            return self.network.availability_zones
        return tuple(f"{self.region}{letter}" for letter in "abc"[: self.network.az_count])

    @property
    def resource_prefix(self) -> str:
        """Prefix for physical names: project and environment, e.g. "csg-dev"."""
        return f"csg-{self.name}"


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class DetectiveServicesConfig:
    """GuardDuty and AWS Config for the account. By default they follow `account_tier`: on for an account
    that hosts prod or staging, off for a dev-only account (cost); `guardduty`/`config_recorder` override."""

    account_tier: Tier = "prod"
    """Default "prod". The most critical tier deployed into this account (an account shared by dev and prod
    is "prod"). Decides the defaults of `guardduty` and `config_recorder`."""
    guardduty: bool | None = None
    """Default: on unless account_tier = "dev". GuardDuty detector, findings to the account alerts topic."""
    config_recorder: bool | None = None
    """Default: on unless account_tier = "dev". AWS Config recorder, managed rules mirroring our controls."""
    alert_emails: tuple[Email, ...] = ()
    """Default none. Subscribed to the account alerts topic (GuardDuty findings, Config non-compliance)."""

    @property
    def guardduty_enabled(self) -> bool:
        return self.guardduty if self.guardduty is not None else self.account_tier != "dev"

    @property
    def config_recorder_enabled(self) -> bool:
        return self.config_recorder if self.config_recorder is not None else self.account_tier != "dev"


@dataclass(frozen=True, kw_only=True, config=_STRICT)
class AccountConfig:
    """Account-wide singletons (one stack, `account-baseline`), so environments never fight over them."""

    name: EnvironmentName = "account-baseline"
    """Default "account-baseline". Stack name."""
    region: Region
    """Required. Region of the regional singletons (EBS default encryption, Session Manager preferences)."""
    allowed_account_ids: tuple[AccountId, ...] = ()
    """Default none (any account)."""
    tags: TagsConfig
    """Required. See TagsConfig."""
    minimum_password_length: int = Field(default=14, ge=14, le=128)
    """Default 14 (CIS minimum) for the IAM account password policy."""
    backend: BackendConfig = BackendConfig()
    """Default: local state."""
    detective_services: DetectiveServicesConfig = DetectiveServicesConfig()
    """Default: GuardDuty and AWS Config on (account_tier "prod"). See DetectiveServicesConfig."""
