"""What the post-deploy tests share: the deployment's outputs, AWS clients for the target, policy reading.

One test body serves both targets (moto's `aws_verified` pattern): a test asks `Aws.client(...)` for a client
and gets one for the local emulator or for the real account, depending on CSG_POSTDEPLOY_TARGET.
"""

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlparse

import boto3
from botocore.config import Config

LOCAL: Final = "local"
AWS: Final = "aws"
TARGETS: Final = (LOCAL, AWS)


class OutputMissing(AssertionError):
    """The stack has no output the control needs: the control cannot be verified, which is a failure."""


@dataclass(frozen=True, kw_only=True)
class Outputs:
    """The Terraform outputs of the environment stack and the account-baseline stack."""

    environment_name: str
    """The environment the stack deploys (dev for the local target)."""
    environment: Mapping[str, Any]
    """Environment stack outputs by name."""
    account: Mapping[str, Any]
    """Account-baseline stack outputs by name."""

    @classmethod
    def load(cls, path: str) -> "Outputs":
        data = json.loads(open(path, encoding="utf-8").read())  # noqa: SIM115 - read at once
        return cls(
            environment_name=data["environment_name"],
            environment=data["environment"],
            account=data["account"],
        )

    def env(self, name: str) -> Any:
        """An environment-stack output; fails the test when the stack does not have it."""
        if name not in self.environment or self.environment[name] is None:
            raise OutputMissing(f"the {self.environment_name} stack has no output {name!r}")
        return self.environment[name]

    def acct(self, name: str) -> Any:
        """An account-baseline output; fails the test when the stack does not have it."""
        if name not in self.account or self.account[name] is None:
            raise OutputMissing(f"the account-baseline stack has no output {name!r}")
        return self.account[name]

    @property
    def region(self) -> str:
        """The environment's region, read from its data-lake key's ARN."""
        return str(self.env("kms_key_arns")["data_lake"]).split(":")[3]

    @property
    def account_id(self) -> str:
        """The account the environment is deployed in, read from its data-lake key's ARN."""
        return str(self.env("kms_key_arns")["data_lake"]).split(":")[4]


class Aws:
    """boto3 clients for the target: the emulator (local) or the standard credential chain (aws)."""

    def __init__(self, *, target: str, region: str) -> None:
        if target not in TARGETS:
            raise ValueError(f"unknown target {target!r}; expected one of {TARGETS}")
        self.target = target
        self.region = region
        self._endpoint = os.environ.get("AWS_ENDPOINT_URL") if target == LOCAL else None
        if target == LOCAL and (self._endpoint is None or urlparse(self._endpoint).hostname != "127.0.0.1"):
            raise ValueError(f"local target needs AWS_ENDPOINT_URL on 127.0.0.1, got {self._endpoint!r}")
        if target == LOCAL:
            self._session = boto3.Session(
                region_name=region,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",  # noqa: S106 - the emulator's placeholder, not a secret
            )
        else:
            self._session = boto3.Session(region_name=region)

    @property
    def local(self) -> bool:
        return self.target == LOCAL

    def client(self, service: str) -> Any:
        """A client for `service` on the target."""
        if not self.local:
            return self._session.client(service)  # type: ignore[call-overload]
        assert self._endpoint is not None
        config = Config(retries={"max_attempts": 2}, s3={"addressing_style": "path"})
        if service == "s3control":
            # S3 Control puts the account ID in front of the host; the emulator answers that as a proxy.
            config = config.merge(Config(proxies={"http": self._endpoint}))
        return self._session.client(service, endpoint_url=self._endpoint, config=config)  # type: ignore[call-overload]


def statements(document: str | Mapping[str, Any]) -> list[dict[str, Any]]:
    """The statements of a policy document (JSON text or parsed), each as a dict."""
    parsed = json.loads(document) if isinstance(document, str) else document
    found = parsed.get("Statement", [])
    return [found] if isinstance(found, dict) else list(found)


def as_list(value: Any) -> list[Any]:
    """A policy element that may be a single value or a list, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def principals(statement: Mapping[str, Any]) -> list[str]:
    """Every principal of a statement: "*" for Principal "*", else the identifiers of each kind."""
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if isinstance(principal, Mapping):
        return [identifier for value in principal.values() for identifier in as_list(value)]
    return []


def iter_pages(client: Any, operation: str, key: str, **arguments: Any) -> Iterator[Any]:
    """Every item under `key` across all pages of a paginated call."""
    for page in client.get_paginator(operation).paginate(**arguments):
        yield from page.get(key, [])
