"""Rules that span fields or environments, applied after each file has parsed. Each returns problems."""

import ipaddress
from collections.abc import Sequence

from environments.schema import EnvironmentConfig

PROD_MIN_BACKUP_RETENTION_DAYS = 14
PROD_MIN_LOG_RETENTION_DAYS = 365


def environment_problems(config: EnvironmentConfig) -> list[str]:
    """Problems within one environment (production requirements, backend completeness, sizes)."""
    problems: list[str] = []
    if config.tier == "prod":
        problems += _production_problems(config)
    backend = config.backend
    if backend.kind == "s3" and not backend.bucket:
        problems.append("backend.bucket: required when backend.kind = 's3'")
    if backend.kind == "cloud" and not backend.organization:
        problems.append("backend.organization: required when backend.kind = 'cloud'")
    zones = config.network.availability_zones
    if zones and len(zones) != config.network.az_count:
        problems.append(
            f"network.availability_zones: {len(zones)} zone(s) named for az_count = {config.network.az_count}"
        )
    problems += [
        f"network.availability_zones: {zone!r} is not a zone of {config.region}"
        for zone in zones
        if not (zone.startswith(config.region) and len(zone) == len(config.region) + 1)
    ]
    database = config.database
    if database.max_allocated_storage_gb < database.allocated_storage_gb:
        problems.append(
            "database.max_allocated_storage_gb: must be >= database.allocated_storage_gb "
            f"({database.max_allocated_storage_gb} < {database.allocated_storage_gb})"
        )
    return problems


def _production_problems(config: EnvironmentConfig) -> list[str]:
    required: list[tuple[bool, str]] = [
        (bool(config.allowed_account_ids), "allowed_account_ids: prod must name the account(s) it may touch"),
        (config.protection.deletion_protection, "protection.deletion_protection: must be true in prod"),
        (config.protection.retain_data_on_destroy, "protection.retain_data_on_destroy: must be true in prod"),
        (not config.protection.skip_final_snapshot, "protection.skip_final_snapshot: must be false in prod"),
        (config.database.multi_az, "database.multi_az: must be true in prod"),
        (
            config.database.backup_retention_days >= PROD_MIN_BACKUP_RETENTION_DAYS,
            f"database.backup_retention_days: must be >= {PROD_MIN_BACKUP_RETENTION_DAYS} in prod",
        ),
        (
            config.log_retention_days >= PROD_MIN_LOG_RETENTION_DAYS,
            f"log_retention_days: must be >= {PROD_MIN_LOG_RETENTION_DAYS} in prod",
        ),
        (bool(config.alert_emails), "alert_emails: prod needs at least one address for its alarms"),
    ]
    return [message for holds, message in required if not holds]


def overlapping_cidr_problems(configs: Sequence[tuple[str, EnvironmentConfig]]) -> list[str]:
    """Every pair of environments whose VPC ranges overlap (they could never be peered or routed)."""
    problems: list[str] = []
    for index, (source_a, a) in enumerate(configs):
        for source_b, b in configs[index + 1 :]:
            net_a = ipaddress.IPv4Network(a.network.vpc_cidr)
            net_b = ipaddress.IPv4Network(b.network.vpc_cidr)
            if net_a.overlaps(net_b):
                problems.append(f"{source_a}: network.vpc_cidr: {net_a} overlaps {net_b} of {source_b}")
    return problems
