"""Environment and account settings for operations (issue 5): alarm thresholds, Identity Center,
the app host's database user, and the detective-service toggles with their tier defaults."""

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from environments.schema import AccountConfig, EnvironmentConfig

BASE: dict[str, Any] = {
    "name": "dev",
    "tier": "dev",
    "region": "eu-west-1",
    "monthly_budget_usd": 100,
    "network": {"vpc_cidr": "10.10.0.0/16"},
    "tags": {"owner": "o", "cost_centre": "c"},
}
SSO = {
    "instance_arn": "arn:aws:sso:::instance/ssoins-0123456789abcdef",
    "identity_store_id": "d-0123456789",
    "group_name": "operators",
}


def _environment(**settings: Any) -> EnvironmentConfig:
    return TypeAdapter(EnvironmentConfig).validate_python({**BASE, **settings})


def _account(**detective: Any) -> AccountConfig:
    return TypeAdapter(AccountConfig).validate_python(
        {"region": "eu-west-1", "tags": {"owner": "o", "cost_centre": "c"}, "detective_services": detective}
    )


def _locations(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {".".join(str(part) for part in detail["loc"]) for detail in error.value.errors()}


def test_defaults_leave_identity_center_off_and_thresholds_sane() -> None:
    config = _environment()
    assert not config.identity_center.configured
    assert config.alarms.rds_cpu_percent == 80
    assert config.alarms.evaluation_periods == 3
    assert config.app_host.database_user == "app_reader"


def test_identity_center_is_configured_with_all_three_settings() -> None:
    config = _environment(identity_center={**SSO, "session_duration_hours": 4})
    assert config.identity_center.configured
    assert config.identity_center.session_duration_hours == 4


def test_identity_center_half_configured_or_malformed_is_rejected() -> None:
    with pytest.raises(ValidationError, match="set all of instance_arn, identity_store_id and group_name"):
        _environment(identity_center={"instance_arn": SSO["instance_arn"]})
    with pytest.raises(ValidationError) as error:
        _environment(identity_center={**SSO, "identity_store_id": "store", "session_duration_hours": 13})
    assert _locations(error) == {
        "identity_center.identity_store_id",
        "identity_center.session_duration_hours",
    }


def test_impossible_thresholds_and_user_names_are_rejected_together() -> None:
    with pytest.raises(ValidationError) as error:
        _environment(
            alarms={"rds_cpu_percent": 150, "period_seconds": 120, "dynamodb_system_errors": 0},
            app_host={"database_user": "App-Reader"},
        )
    assert _locations(error) == {
        "alarms.rds_cpu_percent",
        "alarms.period_seconds",
        "alarms.dynamodb_system_errors",
        "app_host.database_user",
    }


@pytest.mark.parametrize(("tier", "enabled"), [("prod", True), ("staging", True), ("dev", False)])
def test_detective_services_follow_the_account_tier(tier: str, enabled: bool) -> None:
    detective = _account(account_tier=tier).detective_services
    assert (detective.guardduty_enabled, detective.config_recorder_enabled) == (enabled, enabled)


def test_explicit_toggles_override_the_tier_default() -> None:
    detective = _account(account_tier="dev", guardduty=True).detective_services
    assert (detective.guardduty_enabled, detective.config_recorder_enabled) == (True, False)
    assert not _account(config_recorder=False).detective_services.config_recorder_enabled


def test_an_account_without_detective_settings_is_treated_as_prod() -> None:
    config = TypeAdapter(AccountConfig).validate_python(
        {"region": "eu-west-1", "tags": {"owner": "o", "cost_centre": "c"}}
    )
    assert config.detective_services.account_tier == "prod"
    assert config.detective_services.guardduty_enabled and config.detective_services.config_recorder_enabled
