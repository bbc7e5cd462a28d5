"""The emulator launcher run in the background, for a person's `make local-up` ... `make local-down`.

`EmulatorServer` stops its emulator when the Python process that started it is done; `local-up` must leave
one running. This starts the same launcher (`python -m harness.emulator.launch`, port chosen by the OS) in its
own session, so neither the end of `make` nor Ctrl-C in that terminal stops it, and records its pid and URL
in a JSON file that `stop` reads. Only ever 127.0.0.1.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

from harness.emulator.server import EMULATOR_HOST, REPOSITORY_ROOT, EmulatorEndpoint, EmulatorError

STARTUP_TIMEOUT_SECONDS: Final = 60.0
STOP_GRACE_SECONDS: Final = 10.0
LAUNCHER_MODULE: Final = "harness.emulator.launch"


def start(*, record: Path, log_path: Path) -> EmulatorEndpoint:
    """Start a detached emulator, wait for its ready line, write `record`; return its endpoint."""
    if running(record):
        raise EmulatorError(f"an emulator is already running (see {record}); stop it first")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment["PYTHONUNBUFFERED"] = "1"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", LAUNCHER_MODULE, "--host", EMULATOR_HOST, "--port", "0"],
            cwd=REPOSITORY_ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        ready = _ready_line(log_path)
        if ready is not None:
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps({"pid": process.pid, **ready}))
            return EmulatorEndpoint(url=str(ready["url"]))
        if process.poll() is not None:
            raise EmulatorError(f"the emulator exited with code {process.returncode}; see {log_path}")
        time.sleep(0.2)
    _terminate(process.pid)
    raise EmulatorError(
        f"the emulator did not report ready within {STARTUP_TIMEOUT_SECONDS} s; see {log_path}"
    )


def endpoint(record: Path) -> EmulatorEndpoint:
    """The endpoint of the running emulator `record` describes; raises EmulatorError if none runs."""
    if not running(record):
        raise EmulatorError(f"no emulator is running ({record} is missing or stale): run `make local-up`")
    return EmulatorEndpoint(url=str(json.loads(record.read_text())["url"]))


def running(record: Path) -> bool:
    """True when `record` names a live emulator launcher process."""
    if not record.exists():
        return False
    return _is_launcher(int(json.loads(record.read_text())["pid"]))


def stop(record: Path) -> bool:
    """Stop the emulator `record` names (SIGTERM, then SIGKILL) and delete `record`; False if none ran."""
    if not record.exists():
        return False
    pid = int(json.loads(record.read_text())["pid"])
    stopped = _is_launcher(pid)
    if stopped:
        _terminate(pid)
    record.unlink()
    return stopped


def patches(record: Path) -> list[str]:
    """The moto patches the recorded emulator reported as applied."""
    return [str(name) for name in json.loads(record.read_text()).get("patches", [])]


def _ready_line(log_path: Path) -> dict[str, object] | None:
    for line in log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(message, dict) and message.get("event") == "ready":
                return message
    return None


def _is_launcher(pid: int) -> bool:
    # The pid must still be our launcher: a recycled pid belongs to someone else and is left alone.
    try:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return LAUNCHER_MODULE.encode() in command_line


def _terminate(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while time.monotonic() < deadline:
        if not _is_launcher(pid):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
