"""PrivateFunction: in the private subnets with its own group (HTTPS to the endpoints only), encrypted
environment, logs and dead-letter queue, X-Ray, reserved concurrency, and a package of exactly the code."""

import zipfile
from pathlib import Path
from typing import Any

import pytest

from modules.core.validation import PropsError
from modules.serverless.private_function import PrivateFunction, PrivateFunctionProps, _packaged_zip
from tests.unit.modules.data_services_support import (
    Synthesized,
    actions_on,
    key,
    logical_id,
    network,
    reference,
    single,
    stack_json,
    statements_of_grants,
    throwaway_stack,
    under,
)

INGEST = "data-services/ingest/function/"
ROTATION = "data-services/rotation/function/"


@pytest.fixture(scope="module")
def dev(synth_dir: Path) -> Synthesized:
    return stack_json(synth_dir, "dev")


def _key(synthesized: Synthesized, domain: str) -> str:
    return reference("aws_kms_key", logical_id(synthesized, "aws_kms_key", f"keys/{domain}/"), "arn")


def _build(source_dir: Path, *, with_queue_key: bool = True, **overrides: Any) -> PrivateFunction:
    stack, context = throwaway_stack()
    vpc, endpoints = network(stack, context)
    props: dict[str, Any] = {
        "name": "csg-test-fn",
        "description": "test",
        "source_dir": source_dir,
        "handler": "main.handle",
        "log_retention_days": 30,
        **overrides,
    }
    return PrivateFunction(
        stack,
        "fn",
        context=context,
        network=vpc,
        endpoints=endpoints,
        environment_key=key(stack, context, "env"),
        logs_key=key(stack, context, "logs"),
        dead_letter_key=key(stack, context, "dlq") if with_queue_key else None,
        props=PrivateFunctionProps(**props),
    )


@pytest.fixture
def source(tmp_path: Path) -> Path:
    (tmp_path / "main.py").write_text("def handle(event, context):\n    return None\n")
    return tmp_path


def test_functions_run_in_the_private_subnets_behind_their_own_group(dev: Synthesized) -> None:
    subnets = [
        reference("aws_subnet", subnet, "id") for subnet in under(dev, "aws_subnet", "network/private-")
    ]
    for path in (INGEST, ROTATION):
        function = single(dev, "aws_lambda_function", path)
        group = logical_id(dev, "aws_security_group", path + "security-group")
        assert function["vpc_config"] == {
            "subnet_ids": subnets,
            "security_group_ids": [reference("aws_security_group", group, "id")],
        }


def test_egress_is_https_to_the_endpoints_and_gateways_unless_a_peer_is_added(dev: Synthesized) -> None:
    endpoints = reference(
        "aws_security_group", logical_id(dev, "aws_security_group", "endpoints/security-group"), "id"
    )
    ingest_rules = list(under(dev, "aws_vpc_security_group_egress_rule", INGEST).values())
    assert {rule.get("referenced_security_group_id") for rule in ingest_rules} - {None} == {endpoints}
    assert all(
        (rule["from_port"], rule["to_port"], rule["ip_protocol"]) == (443, 443, "tcp")
        for rule in ingest_rules
    )
    assert all("cidr_ipv4" not in rule and "cidr_ipv6" not in rule for rule in ingest_rules)
    gateways = {rule["prefix_list_id"] for rule in ingest_rules if "prefix_list_id" in rule}
    assert len(gateways) == 2  # S3 and DynamoDB
    # The rotation function also reaches the database, on 5432 only.
    database = reference(
        "aws_security_group",
        logical_id(dev, "aws_security_group", "data-services/database/security-group"),
        "id",
    )
    to_database = [
        rule
        for rule in under(dev, "aws_vpc_security_group_egress_rule", ROTATION).values()
        if rule.get("referenced_security_group_id") == database
    ]
    assert [(rule["from_port"], rule["to_port"]) for rule in to_database] == [(5432, 5432)]


def test_environment_logs_and_dead_letters_are_encrypted_with_our_keys(dev: Synthesized) -> None:
    function = single(dev, "aws_lambda_function", INGEST)
    assert function["kms_key_arn"] == _key(dev, "secrets")
    queue = single(dev, "aws_sqs_queue", INGEST)
    assert queue["kms_master_key_id"] == _key(dev, "data-lake")
    queue_id = logical_id(dev, "aws_sqs_queue", INGEST)
    assert function["dead_letter_config"] == {"target_arn": reference("aws_sqs_queue", queue_id, "arn")}
    group = single(dev, "aws_cloudwatch_log_group", INGEST)
    assert (group["name"], group["kms_key_id"], group["retention_in_days"]) == (
        "/aws/lambda/csg-dev-ingest",
        _key(dev, "logs"),
        30,
    )


def test_runtime_tracing_concurrency_and_packaging(dev: Synthesized) -> None:
    function = single(dev, "aws_lambda_function", INGEST)
    assert function["runtime"] == "python3.12"
    assert function["tracing_config"] == {"mode": "Active"}
    assert function["reserved_concurrent_executions"] == 5  # compute.ingest_reserved_concurrency (default)
    assert function["handler"] == "ingest_handler.handle"
    assert function["filename"].startswith("assets/") and function["filename"].endswith(".zip")
    assert function["source_code_hash"] == f'${{filebase64sha256("{function["filename"]}")}}'


def test_the_role_may_write_its_own_log_group_dead_letters_and_traces_only(dev: Synthesized) -> None:
    role = logical_id(dev, "aws_iam_role", INGEST + "role/")
    granted = actions_on(statements_of_grants(dev, role))
    log_group = reference(
        "aws_cloudwatch_log_group", logical_id(dev, "aws_cloudwatch_log_group", INGEST), "arn"
    )
    assert granted["logs:PutLogEvents"] == {log_group, f"{log_group}:*"}
    assert granted["sqs:SendMessage"] == {
        reference("aws_sqs_queue", logical_id(dev, "aws_sqs_queue", INGEST), "arn")
    }
    assert granted["xray:PutTraceSegments"] == {"*"}  # X-Ray has no resource-level permissions
    assert "logs:CreateLogGroup" not in granted


def test_the_package_holds_exactly_the_matched_files(source: Path) -> None:
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "main.cpython-312.pyc").write_bytes(b"\0")
    (source / "notes.txt").write_text("not code")
    props = PrivateFunctionProps(
        name="csg-test-fn", description="t", source_dir=source, handler="main.handle", log_retention_days=30
    )
    package = _packaged_zip(props)
    with zipfile.ZipFile(package) as archive:
        assert archive.namelist() == ["main.py"]
    first_bytes = package.read_bytes()
    package.unlink()
    rebuilt = _packaged_zip(props)
    assert rebuilt == package and rebuilt.read_bytes() == first_bytes  # reproducible, byte for byte
    (source / "main.py").write_text("def handle(event, context):\n    return 1\n")
    assert _packaged_zip(props) != package


def test_a_synthesized_package_is_a_zip_of_the_code(synth_dir: Path) -> None:
    function = single(stack_json(synth_dir, "dev"), "aws_lambda_function", ROTATION)
    with zipfile.ZipFile(synth_dir / "stacks" / "dev" / function["filename"]) as archive:
        assert sorted(archive.namelist()) == ["rotation_pg_client.py", "secret_rotation_handler.py"]


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"reserved_concurrency": 0}, "reserved_concurrency: must be at least 1"),
        ({"name": "has spaces"}, "name: 'has spaces' must be 1-64"),
        ({"timeout_seconds": 901}, "timeout_seconds: 901 must be between 1 and 900"),
        ({"memory_mb": 64}, "memory_mb: 64 must be between 128 and 10240"),
        ({"include": ("*.js",)}, "include: no file in"),
    ],
)
def test_invalid_settings_are_rejected(source: Path, overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(PropsError) as error:
        _build(source, **overrides)
    assert any(found.startswith(problem) for found in error.value.problems)


def test_a_dead_letter_queue_needs_a_key_and_turning_it_off_is_reported(source: Path) -> None:
    with pytest.raises(PropsError, match="dead_letter_key: required"):
        _build(source, with_queue_key=False)
    function = _build(source, with_queue_key=False, dead_letter_queue=False)
    assert function.dead_letter_queue is None
    assert any("weakened default: dead_letter_queue" in str(e.data) for e in function.node.metadata)
