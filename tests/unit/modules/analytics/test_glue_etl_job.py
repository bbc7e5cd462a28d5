"""GlueEtlJob: Glue 5.0 Python, the security configuration, bookmarks and logging on, scripts from the
content-hashed bundle with the shared modules as --extra-py-files, one role each, least privilege."""

from pathlib import Path
from typing import Any

import pytest

from modules.analytics.glue_etl_job import GlueEtlJob, GlueEtlJobProps
from modules.analytics.glue_script_bundle import GlueScriptBundle, GlueScriptBundleProps
from modules.analytics.glue_security_configuration import (
    GlueSecurityConfiguration,
    GlueSecurityConfigurationProps,
)
from modules.core.validation import PropsError
from modules.storage.secure_bucket import SecureBucket, SecureBucketProps
from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    key,
    logical_id,
    reference,
    stack_json,
    statements_of_grants,
    throwaway_stack,
    under,
)

SOURCES = ("rds", "dynamodb")


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


def _job(synthesized: Synthesized, source: str) -> dict[str, Any]:
    (job,) = under(synthesized, "aws_glue_job", f"data-services/glue-job-{source}/").values()
    return dict(job)


def test_jobs_are_glue_5_python_under_the_security_configuration(dev: Synthesized) -> None:
    configuration = reference(
        "aws_glue_security_configuration",
        logical_id(dev, "aws_glue_security_configuration", "glue-security"),
        "name",
    )
    for source in SOURCES:
        job = _job(dev, source)
        assert job["glue_version"] == "5.0"
        assert job["command"]["name"] == "glueetl" and job["command"]["python_version"] == "3"
        assert job["security_configuration"] == configuration
        assert job["execution_property"] == {"max_concurrent_runs": 1}
        assert job["timeout"] == 60 and job["number_of_workers"] == 2


def test_bookmarks_continuous_logging_and_metrics_are_on(dev: Synthesized) -> None:
    for source in SOURCES:
        arguments = _job(dev, source)["default_arguments"]
        assert arguments["--job-bookmark-option"] == "job-bookmark-enable"
        assert arguments["--enable-continuous-cloudwatch-log"] == "true"
        assert arguments["--enable-metrics"] == "true"
        prefix = arguments["--custom-logGroup-prefix"]
        groups = {g["name"] for g in under(dev, "aws_cloudwatch_log_group", f"glue-job-{source}/").values()}
        assert groups == {f"{prefix}/error", f"{prefix}/output"}


def test_scripts_come_from_the_hashed_bundle_with_shared_modules(dev: Synthesized) -> None:
    objects = {o["key"]: o for o in under(dev, "aws_s3_object", "data-services/glue-scripts/").values()}
    bucket = reference("aws_s3_bucket", logical_id(dev, "aws_s3_bucket", "glue-assets/"), "bucket")
    for source, entry in (("rds", "rds_to_curated"), ("dynamodb", "dynamodb_to_curated")):
        job = _job(dev, source)
        location = job["command"]["script_location"]
        key_name = location.removeprefix(f"s3://{bucket}/")
        assert key_name in objects and key_name.startswith(f"glue-scripts/{entry}-")
        extra = job["default_arguments"]["--extra-py-files"].split(",")
        assert sorted(path.rsplit("/", 1)[1].rsplit("-", 1)[0] for path in extra) == [
            "curation_config",
            "curation_job",
            "curation_transforms",
        ]
        assert all(path.removeprefix(f"s3://{bucket}/") in objects for path in extra)


def test_job_arguments_match_the_entry_points_docstrings(dev: Synthesized) -> None:
    rds = _job(dev, "rds")["default_arguments"]
    assert {
        "--source_database",
        "--source_table",
        "--curation_config",
        "--curated_path",
        "--quarantine_path",
    } <= set(rds)
    assert rds["--source_table"] == "rds_platform_public_orders"
    dynamodb = _job(dev, "dynamodb")["default_arguments"]
    assert {"--source_table_name", "--curation_config", "--curated_path", "--quarantine_path"} <= set(
        dynamodb
    )


def test_job_roles_write_only_their_curated_and_quarantine_prefixes(dev: Synthesized) -> None:
    curated = reference("aws_s3_bucket", logical_id(dev, "aws_s3_bucket", "data-lake/curated/"), "arn")
    for source, dataset in (("rds", "rds_orders"), ("dynamodb", "dynamodb_application")):
        role = logical_id(dev, "aws_iam_role", f"glue-job-{source}/role/")
        granted = actions_on(statements_of_grants(dev, role))
        curated_writes = {r for r in granted["s3:PutObject"] if r.startswith(curated)}
        assert curated_writes == {f"{curated}/{dataset}/*", f"{curated}/quarantine/{dataset}/*"}
        assert "glue:CreateTable" not in granted  # the curated crawler catalogs the output


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    (tmp_path / "entry.py").write_text("print('entry')\n")
    (tmp_path / "shared.py").write_text("VALUE = 1\n")
    return tmp_path


def _build(bundle_dir: Path, **overrides: Any) -> GlueEtlJob:
    stack, context = throwaway_stack()
    data_key = key(stack, context, "data")
    bucket = SecureBucket(
        stack,
        "assets",
        context=context,
        encryption_key=data_key,
        props=SecureBucketProps(name="csg-test-assets"),
    )
    scripts = GlueScriptBundle(
        stack,
        "scripts",
        bucket=bucket,
        props=GlueScriptBundleProps(
            source_dir=bundle_dir, entry_points=("entry.py",), libraries=("shared.py",)
        ),
    )
    configuration = GlueSecurityConfiguration(
        stack,
        "security",
        context=context,
        data_key=data_key,
        logs_key=key(stack, context, "logs"),
        props=GlueSecurityConfigurationProps(name="csg-test-glue"),
    )
    props: dict[str, Any] = {
        "name": "csg-test-job",
        "description": "t",
        "entry_point": "entry.py",
        "log_retention_days": 30,
        **overrides,
    }
    return GlueEtlJob(
        stack,
        "job",
        context=context,
        scripts=scripts,
        security_configuration=configuration,
        temporary_bucket=bucket,
        logs_key=key(stack, context, "job-logs"),
        connection=None,
        props=GlueEtlJobProps(**props),
    )


def test_a_valid_job_is_accepted_and_turning_bookmarks_off_is_reported(bundle_dir: Path) -> None:
    assert not any("weakened" in str(e.data) for e in _build(bundle_dir).node.metadata)
    job = _build(bundle_dir, bookmarks=False)
    assert any("weakened default: bookmarks" in str(e.data) for e in job.node.metadata)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"glue_version": "4.0"}, "glue_version: '4.0'"),
        (
            {"arguments": {"--job-bookmark-option": "job-bookmark-disable"}},
            "arguments: --job-bookmark-option is set",
        ),
        ({"arguments": {"curated_path": "s3://x/"}}, "arguments: 'curated_path' must start with --"),
        ({"entry_point": "shared.py"}, "entry_point: 'shared.py' is not an entry point"),
        ({"number_of_workers": 1}, "number_of_workers: Glue Spark jobs need at least 2"),
    ],
)
def test_invalid_settings_are_rejected(bundle_dir: Path, overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(PropsError) as error:
        _build(bundle_dir, **overrides)
    assert any(found.startswith(problem) for found in error.value.problems)
