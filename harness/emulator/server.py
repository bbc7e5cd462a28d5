"""Run the emulator launcher as a child process on a free 127.0.0.1 port, and point boto3 at it.

    with EmulatorServer(log_path=Path("emulator.log")) as emulator:
        s3 = boto3.client("s3", **emulator.endpoint.client_kwargs())
        subprocess.run([...], env=emulator.endpoint.environment(os.environ))

The process is stopped on leaving the block, also when the block raises: SIGTERM first, SIGKILL if it
has not exited within `STOP_GRACE_SECONDS`. Every address involved is 127.0.0.1.
"""

import http.client
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Final, Self, TypedDict

from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

EMULATOR_HOST: Final = "127.0.0.1"
DEFAULT_REGION: Final = "eu-west-1"
DUMMY_ACCESS_KEY_ID: Final = "testing"
"""moto accepts any credentials; these fixed placeholders keep real ones from ever being picked up."""
DUMMY_SECRET_ACCESS_KEY: Final = "testing"  # noqa: S105 - a placeholder moto accepts, not a secret
STOP_GRACE_SECONDS: Final = 10.0
REPOSITORY_ROOT: Final = Path(__file__).resolve().parents[2]


class EmulatorError(RuntimeError):
    """The emulator process failed to start or to answer."""


class ClientKwargs(TypedDict):
    """Keyword arguments for boto3.client / boto3.resource that target the emulator."""

    endpoint_url: str
    region_name: str
    aws_access_key_id: str
    aws_secret_access_key: str


@dataclass(frozen=True, kw_only=True)
class EmulatorEndpoint:
    """Where a running emulator answers, and how to reach it with boto3 or from a child process."""

    url: str
    """The emulator's base URL, http://127.0.0.1:<port> (no default)."""
    region: str = DEFAULT_REGION
    """Default eu-west-1: the region clients are configured for (moto serves every region)."""

    def client_kwargs(self) -> ClientKwargs:
        """boto3 client kwargs: this endpoint, this region, dummy credentials."""
        return ClientKwargs(
            endpoint_url=self.url,
            region_name=self.region,
            aws_access_key_id=DUMMY_ACCESS_KEY_ID,
            aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
        )

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a process whose AWS SDK calls (boto3, the AWS CLI, Terraform) must go here.

        `base` (default: nothing) minus every inherited AWS_* variable, so no real profile, credentials or
        endpoint leak through, plus the endpoint, region and dummy credentials. Shared config and
        credential files are pointed at /dev/null and the instance metadata service is disabled, so the
        SDK sends nothing anywhere but this endpoint.
        """
        environment = {name: value for name, value in (base or {}).items() if not name.startswith("AWS_")}
        environment.update(
            AWS_ENDPOINT_URL=self.url,
            AWS_REGION=self.region,
            AWS_DEFAULT_REGION=self.region,
            AWS_ACCESS_KEY_ID=DUMMY_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY=DUMMY_SECRET_ACCESS_KEY,
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
        )
        return environment


class _NotAnsweringYet(Exception):
    """The emulator process is alive but does not accept requests yet."""


class EmulatorServer:
    """The emulator launcher (`python -m harness.emulator.launch`) as a child process; see the module doc."""

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        log_path: Path | None = None,
        startup_timeout_seconds: float = 60.0,
    ) -> None:
        """`region`: default eu-west-1, for `endpoint`. `log_path`: default None (output discarded); where
        the process's stdout and stderr (request log, tracebacks) go. `startup_timeout_seconds`: default 60;
        how long `start` waits for the first answer."""
        self._region = region
        self._log_path = log_path
        self._startup_timeout_seconds = startup_timeout_seconds
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._endpoint: EmulatorEndpoint | None = None
        self._port: int | None = None

    @property
    def endpoint(self) -> EmulatorEndpoint:
        """The running emulator's endpoint; raises EmulatorError before `start` or after `stop`."""
        if self._endpoint is None:
            raise EmulatorError("the emulator is not running; call start() or enter the context first")
        return self._endpoint

    @property
    def log_path(self) -> Path | None:
        """Where the process's output goes (None: discarded)."""
        return self._log_path

    def start(self) -> EmulatorEndpoint:
        """Start the process on a free port and return once it answers HTTP requests."""
        if self._process is not None:
            raise EmulatorError("the emulator is already started")
        port = _free_loopback_port()
        url = f"http://{EMULATOR_HOST}:{port}"
        output: IO[bytes] | int = subprocess.DEVNULL
        if self._log_path is not None:
            self._log_file = self._log_path.open("ab")
            output = self._log_file
        child_environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        child_environment["PYTHONUNBUFFERED"] = "1"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "harness.emulator.launch", "--host", EMULATOR_HOST, "--port", str(port)],
            cwd=REPOSITORY_ROOT,
            env=child_environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
        )
        try:
            self._wait_until_answering(port)
        except BaseException:
            self.stop()
            raise
        self._port = port
        self._endpoint = EmulatorEndpoint(url=url, region=self._region)
        return self._endpoint

    def reset(self) -> None:
        """Drop every resource in every emulated service (moto's /moto-api/reset); patches stay applied."""
        status = _request(self._running_port(), "POST", "/moto-api/reset")
        if status != 200:
            raise EmulatorError(f"emulator reset answered HTTP {status}")

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after STOP_GRACE_SECONDS); safe to call more than once."""
        process, self._process, self._endpoint, self._port = self._process, None, None, None
        try:
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=STOP_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        finally:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _running_port(self) -> int:
        if self._port is None or self._endpoint is None:
            raise EmulatorError("the emulator is not running")
        return self._port

    def _wait_until_answering(self, port: int) -> None:
        def probe() -> None:
            assert self._process is not None
            exit_code = self._process.poll()
            if exit_code is not None:
                raise EmulatorError(
                    f"the emulator exited with code {exit_code} before answering on port {port}"
                    + (f"; see {self._log_path}" if self._log_path else "; pass log_path to see its output")
                )
            try:
                _request(port, "GET", "/moto-api/config")
            except OSError as error:
                raise _NotAnsweringYet from error

        try:
            for attempt in Retrying(
                retry=retry_if_exception_type(_NotAnsweringYet),
                stop=stop_after_delay(self._startup_timeout_seconds),
                wait=wait_fixed(0.1),
                reraise=True,
            ):
                with attempt:
                    probe()
        except _NotAnsweringYet as error:
            raise EmulatorError(
                f"the emulator did not answer on port {port} within {self._startup_timeout_seconds} s"
            ) from error


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((EMULATOR_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _request(port: int, method: str, path: str) -> int:
    """Send one request to the emulator and return the HTTP status; the connection is only ever loopback."""
    connection = http.client.HTTPConnection(EMULATOR_HOST, port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
