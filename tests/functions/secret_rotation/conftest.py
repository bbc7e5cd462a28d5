"""Fixtures for the secret rotation function: Lambda's import layout and a real PostgreSQL with TLS.

The server (harness.local_postgres) is started once per session on 127.0.0.1 only, TLS + scram-sha-256,
with every statement logged (log_statement = all), so a test can check that no password ever reaches the log.
"""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from harness.local_postgres import LocalPostgres, local_postgres

ROTATION_FUNCTION_DIR = Path(__file__).resolve().parents[3] / "functions" / "secret_rotation"
if str(ROTATION_FUNCTION_DIR) not in sys.path:
    sys.path.insert(0, str(ROTATION_FUNCTION_DIR))

ADMIN_USER: Final = "platform_admin"
DATABASE: Final = "platform"


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """PostgreSQL on 127.0.0.1, TLS + SCRAM only, superuser ADMIN_USER, database DATABASE."""
    with local_postgres(
        purpose="rotation", superuser=ADMIN_USER, database=DATABASE, log_every_statement=True
    ) as server:
        yield server
