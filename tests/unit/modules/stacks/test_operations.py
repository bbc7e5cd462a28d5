"""Operations and AccountOperations wired into the real stacks: every environment and the account baseline
synthesize; every data store has an alarm that notifies the alerts topic; Identity Center access appears
only when configured; detective services follow the account tier; outputs carry stable names."""

import copy
import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from cdktf import App

from environments import load_account_config, load_environments
from environments.schema import (
    AccountConfig,
    DetectiveServicesConfig,
    EnvironmentConfig,
    IdentityCenterConfig,
)
from main import synthesize

Stacks = dict[str, dict[str, Any]]

# Resource types that hold data. Every one found in a synthesized stack needs an alarm whose dimensions name
# it. Not stores in this sense: Secrets Manager secrets (no CloudWatch metrics; failed rotations alert through
# an EventBridge rule), Glue catalog databases (metadata only), log groups (the logs themselves).
STORE_TYPES = (
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_dynamodb_table",
    "aws_s3_bucket",
    "aws_sqs_queue",
    "aws_efs_file_system",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_elasticache_serverless_cache",
    "aws_memorydb_cluster",
    "aws_redshift_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "aws_opensearch_domain",
    "aws_kinesis_stream",
    "aws_keyspaces_table",
    "aws_timestreamwrite_table",
    "aws_fsx_lustre_file_system",
    "aws_fsx_ontap_file_system",
    "aws_fsx_openzfs_file_system",
    "aws_fsx_windows_file_system",
)

OPERATIONS_OUTPUTS = {
    "alerts_topic_arn",
    "alarm_names",
    "alert_rule_names",
    "trail_name",
    "trail_bucket_name",
    "trail_log_group_name",
    "budget_name",
    "app_host_instance_id",
    "app_host_instance_profile_name",
    "app_host_role_name",
    "app_host_security_group_id",
}
ACCOUNT_OUTPUTS = {
    "account_alerts_topic_arn",
    "session_log_group_name",
    "session_kms_key_arn",
    "session_preferences_document_name",
    "account_alarm_names",
    "guardduty_detector_id",
    "config_recorder_name",
    "config_bucket_name",
}


def _read(outdir: Path) -> Stacks:
    return {
        path.parent.name: json.loads(path.read_text()) for path in (outdir / "stacks").glob("*/cdk.tf.json")
    }


@pytest.fixture(scope="module")
def app_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real app: every environment file and the account baseline, synthesized as main.py does."""
    outdir = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synthesize(outdir)
    return outdir


@pytest.fixture(scope="module")
def stacks(app_output: Path) -> Stacks:
    return _read(app_output)


def _dimension_values(alarm: dict[str, Any]) -> list[str]:
    values = list((alarm.get("dimensions") or {}).values())
    for query in alarm.get("metric_query") or []:
        values += list(((query.get("metric") or {}).get("dimensions") or {}).values())
    return values


def test_every_environment_and_the_account_baseline_synthesize(stacks: Stacks) -> None:
    environments = {config.name for config in load_environments()}
    assert set(stacks) == environments | {load_account_config().name}


def _uncovered_stores(stacks: Stacks) -> list[str]:
    """Every store in `stacks` without an alarm that names it and notifies a topic of its stack."""
    uncovered = []
    for stack_name, stack in stacks.items():
        found = stack.get("resource", {})
        topics = {f"${{aws_sns_topic.{logical_id}.arn}}" for logical_id in found.get("aws_sns_topic", {})}
        wired = [
            a
            for a in found.get("aws_cloudwatch_metric_alarm", {}).values()
            if topics & set(a.get("alarm_actions", [])) and topics & set(a.get("ok_actions", []))
        ]
        for store_type in STORE_TYPES:
            for logical_id in found.get(store_type, {}):
                reference = f"${{{store_type}.{logical_id}."
                if not any(
                    value.startswith(reference) for alarm in wired for value in _dimension_values(alarm)
                ):
                    uncovered.append(f"{stack_name}: {store_type}.{logical_id}")
    return uncovered


def test_every_data_store_has_an_alarm_that_notifies_the_alerts_topic(stacks: Stacks) -> None:
    assert _uncovered_stores(stacks) == []


def test_a_store_whose_alarms_are_gone_or_silent_is_found(stacks: Stacks) -> None:
    dev = copy.deepcopy(stacks["dev"])
    alarms = dev["resource"]["aws_cloudwatch_metric_alarm"]
    (table_id, _), *_ = dev["resource"]["aws_dynamodb_table"].items()
    for logical_id in [
        i for i, a in alarms.items() if any(f".{table_id}." in v for v in _dimension_values(a))
    ]:
        del alarms[logical_id]
    (bucket_alarm,) = [a for a in alarms.values() if a["alarm_name"].endswith("bucket-raw-size")]
    bucket_alarm["ok_actions"] = []
    raw_bucket = next(i for i in dev["resource"]["aws_s3_bucket"] if i.startswith("data-lake_raw"))
    assert sorted(_uncovered_stores({"dev": dev})) == sorted(
        [
            f"dev: aws_dynamodb_table.{table_id}",
            f"dev: aws_s3_bucket.{raw_bucket}",
        ]
    )


def test_the_platform_stores_are_among_those_checked(stacks: Stacks) -> None:
    """The coverage test above proves nothing if the stores it looks for are absent."""
    for name in (config.name for config in load_environments()):
        found = stacks[name]["resource"]
        assert {"aws_db_instance", "aws_dynamodb_table", "aws_s3_bucket", "aws_sqs_queue"} <= set(found)
    assert "aws_s3_bucket" in stacks["account-baseline"]["resource"]


def test_glue_failures_and_timeouts_of_the_environment_jobs_alert(stacks: Stacks) -> None:
    for config in load_environments():
        found = stacks[config.name]["resource"]
        patterns = [
            json.loads(r["event_pattern"])
            for r in found["aws_cloudwatch_event_rule"].values()
            if r["name"] == f"{config.resource_prefix}-glue-job-failed"
        ]
        (pattern,) = patterns
        assert set(pattern["detail"]["state"]) >= {"FAILED", "TIMEOUT"}
        assert sorted(pattern["detail"]["jobName"]) == sorted(
            f"${{aws_glue_job.{i}.name}}" for i in found["aws_glue_job"]
        )


def test_app_host_reaches_the_database_on_5432_as_its_one_user(stacks: Stacks) -> None:
    for config in load_environments():
        found = stacks[config.name]["resource"]
        (host_sg,) = [i for i in found["aws_security_group"] if i.startswith("operations_app-host")]
        (db_sg,) = [i for i in found["aws_security_group"] if i.startswith("data-services_database")]
        host, db = f"${{aws_security_group.{host_sg}.id}}", f"${{aws_security_group.{db_sg}.id}}"
        assert any(
            r["security_group_id"] == db
            and r.get("referenced_security_group_id") == host
            and r["from_port"] == r["to_port"] == 5432
            for r in found["aws_vpc_security_group_ingress_rule"].values()
        )
        assert any(
            r["security_group_id"] == host
            and r.get("referenced_security_group_id") == db
            and r["from_port"] == 5432
            for r in found["aws_vpc_security_group_egress_rule"].values()
        )
        connect = [
            s
            for d in stacks[config.name]["data"]["aws_iam_policy_document"].values()
            for s in d["statement"]
            if isinstance(s, dict)
            and s.get("actions") == ["rds-db:connect"]
            and "app-host" in json.dumps(d["//"])
        ]
        (statement,) = connect
        assert statement["resources"][0].endswith(f"/{config.app_host.database_user}")


def test_logs_key_lets_the_trail_and_the_publishers_use_it(stacks: Stacks) -> None:
    for config in load_environments():
        documents = stacks[config.name]["data"]["aws_iam_policy_document"]
        (key_policy,) = [d for i, d in documents.items() if i.startswith("keys_logs_policy")]
        principals = {
            s["principals"][0]["identifiers"][0]
            for s in key_policy["statement"]
            if s.get("sid", "").startswith("ServiceUse")
        }
        assert {
            "cloudtrail.amazonaws.com",
            "cloudwatch.amazonaws.com",
            "events.amazonaws.com",
            "budgets.amazonaws.com",
        } <= principals


def test_outputs_have_their_stable_names(stacks: Stacks) -> None:
    for config in load_environments():
        assert set(stacks[config.name]["output"]) >= OPERATIONS_OUTPUTS
        assert "sso_permission_set_arn" not in stacks[config.name]["output"]
    assert set(stacks["account-baseline"]["output"]) >= ACCOUNT_OUTPUTS


def test_unconfigured_identity_center_is_said_plainly_and_creates_nothing(
    app_output: Path, stacks: Stacks
) -> None:
    manifest = json.loads((app_output / "manifest.json").read_text())
    for config in load_environments():
        assert not {t for t in stacks[config.name]["resource"] if t.startswith("aws_ssoadmin")}
        messages = [
            a["message"]
            for a in manifest["stacks"][config.name]["annotations"]
            if a["level"] == "@cdktf/info"
        ]
        assert any("IAM Identity Center is not configured" in m for m in messages)


@pytest.fixture(scope="module")
def variant_stacks() -> Stacks:
    """dev with Identity Center configured, and a dev-tier account: the other sides of the switches."""
    from modules.stacks.account_baseline_stack import AccountBaselineStack
    from modules.stacks.environment_stack import EnvironmentStack

    (dev,) = load_environments(["dev"])
    dev_with_sso: EnvironmentConfig = dataclasses.replace(
        dev,
        identity_center=IdentityCenterConfig(
            instance_arn="arn:aws:sso:::instance/ssoins-0123456789abcdef",
            identity_store_id="d-0123456789",
            group_name="platform-operators",
        ),
    )
    dev_account: AccountConfig = dataclasses.replace(
        load_account_config(), detective_services=DetectiveServicesConfig(account_tier="dev")
    )
    with tempfile.TemporaryDirectory() as outdir:
        app = App(outdir=outdir)
        EnvironmentStack(app, dev_with_sso)
        AccountBaselineStack(app, dev_account)
        app.synth()
        return _read(Path(outdir))


def test_configured_identity_center_gets_a_tag_scoped_permission_set(variant_stacks: Stacks) -> None:
    found = variant_stacks["dev"]["resource"]
    (permission_set,) = found["aws_ssoadmin_permission_set"].values()
    assert permission_set["session_duration"] == "PT1H"
    assert len(found["aws_ssoadmin_account_assignment"]) == 1
    assert "sso_permission_set_arn" in variant_stacks["dev"]["output"]
    statements = [
        s
        for d in variant_stacks["dev"]["data"]["aws_iam_policy_document"].values()
        for s in d["statement"]
        if isinstance(s, dict) and s.get("sid") == "StartSessionOnEnvironmentInstances"
    ]
    assert statements[0]["condition"][0]["values"] == ["dev"]
    (host,) = found["aws_instance"].values()
    assert host["tags"]["environment"] == "dev"


def test_a_dev_tier_account_has_no_detective_services_by_default(
    variant_stacks: Stacks, stacks: Stacks
) -> None:
    detective = {"aws_guardduty_detector", "aws_config_configuration_recorder", "aws_config_config_rule"}
    assert not detective & set(variant_stacks["account-baseline"]["resource"])
    assert detective <= set(stacks["account-baseline"]["resource"])  # account.toml: default tier prod
    # Session Manager preferences are not a detective service: always there.
    assert "aws_ssm_document" in variant_stacks["account-baseline"]["resource"]
