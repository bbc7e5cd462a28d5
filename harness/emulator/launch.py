"""Serve the local AWS emulator: moto's own threaded server, with CloudSafeGuard's settings and patches.

Usage (from the repository root, with the project venv):

    python -m harness.emulator.launch --host 127.0.0.1 --port 5000

`--port 0` lets the OS pick a free port. Once the server accepts connections, one JSON line goes to
stdout: {"event": "ready", "url": "http://127.0.0.1:<port>", "patches": [...]}. SIGTERM or SIGINT (Ctrl-C)
stops the server and exits 0. Request logs go to stderr (werkzeug's, as with moto_server).

Only IPv4 loopback addresses (127.0.0.0/8) are accepted for --host: the emulator has no authentication
and must never be reachable from another machine.
"""

import argparse
import ipaddress
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Final

MOTO_SETTINGS: Final[dict[str, str]] = {
    # The platform's roles attach AWS-managed policies by ARN (e.g. service-role policies); moto only knows
    # those ARNs when it loads its bundled copy of them, which it decides when the IAM backend is created.
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
}
"""Environment settings moto reads; put in place before moto is imported."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line; exit with a usage error unless --host is an IPv4 loopback address."""
    parser = argparse.ArgumentParser(
        prog="python -m harness.emulator.launch", description="Serve the local AWS emulator (moto)."
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="TCP port to bind; 0 lets the OS choose")
    args = parser.parse_args(argv)
    try:
        address = ipaddress.ip_address(args.host)
    except ValueError:
        address = None
    if not (isinstance(address, ipaddress.IPv4Address) and address.is_loopback):
        parser.error(f"--host must be an IPv4 loopback address such as 127.0.0.1, got {args.host!r}")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, got {args.port}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Configure and patch moto, serve until SIGTERM/SIGINT, then shut down cleanly."""
    args = parse_args(argv)
    os.environ.update(MOTO_SETTINGS)

    # Imported only now: moto reads parts of its configuration from the environment at import time.
    from moto.server import ThreadedMotoServer

    from harness.emulator import patches

    applied = patches.apply_all()
    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    server.start()
    host, port = server.get_host_and_port()
    # moto builds some URLs it returns (e.g. for Lambda and Step Functions) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)
    ready = {"event": "ready", "url": f"http://{host}:{port}", "patches": list(applied)}
    print(json.dumps(ready), flush=True)
    stop_requested.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
