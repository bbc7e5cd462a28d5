"""The local AWS emulator harness: loopback only, platform settings applied, always stopped."""

import socket
import subprocess
import sys

import boto3
import pytest

from harness.emulator.server import REPOSITORY_ROOT, EmulatorEndpoint, EmulatorError, EmulatorServer


def connection_refused(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((host, int(port))) != 0


def test_emulator_listens_on_loopback_only(aws_emulator: EmulatorServer) -> None:
    assert aws_emulator.endpoint.url.startswith("http://127.0.0.1:")


def test_aws_managed_policies_exist_in_the_emulator(aws_emulator: EmulatorServer) -> None:
    iam = boto3.client("iam", **aws_emulator.endpoint.client_kwargs())

    policy = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")

    assert policy["Policy"]["PolicyName"] == "AWSGlueServiceRole"


def test_reset_empties_the_emulator(aws_emulator: EmulatorServer) -> None:
    s3 = boto3.client("s3", **aws_emulator.endpoint.client_kwargs())
    s3.create_bucket(Bucket="reset-probe", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    aws_emulator.reset()

    assert s3.list_buckets()["Buckets"] == []


def test_emulator_process_is_stopped_when_the_body_raises() -> None:
    with pytest.raises(RuntimeError, match="body failed"), EmulatorServer() as emulator:
        url = emulator.endpoint.url
        assert not connection_refused(url)
        raise RuntimeError("body failed")

    assert connection_refused(url)
    with pytest.raises(EmulatorError):
        _ = emulator.endpoint


def test_launcher_refuses_a_non_loopback_host() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "harness.emulator.launch", "--host", "0.0.0.0", "--port", "0"],  # noqa: S104
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 2
    assert "loopback" in completed.stderr


def test_environment_drops_inherited_aws_settings_and_targets_the_emulator() -> None:
    endpoint = EmulatorEndpoint(url="http://127.0.0.1:4566")
    inherited = {"PATH": "/usr/bin", "AWS_PROFILE": "production", "AWS_ENDPOINT_URL_S3": "https://s3.example"}

    environment = endpoint.environment(inherited)

    assert environment["PATH"] == "/usr/bin"
    assert "AWS_PROFILE" not in environment
    assert "AWS_ENDPOINT_URL_S3" not in environment
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert environment["AWS_REGION"] == environment["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert environment["AWS_EC2_METADATA_DISABLED"] == "true"
