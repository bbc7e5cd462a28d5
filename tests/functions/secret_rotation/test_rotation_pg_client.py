"""The rotation function's PostgreSQL client against a real server: TLS, SCRAM, queries, verifiers."""

from __future__ import annotations

import secrets
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rotation_pg_client import (
    Connection,
    ConnectionSettings,
    PostgresError,
    quote_identifier,
    quote_literal,
    scram_verifier,
)

from harness.local_postgres import LOOPBACK, LocalPostgres, make_ca
from tests.functions.secret_rotation.conftest import ADMIN_USER, DATABASE


def verifying_context(ca_file: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=str(ca_file))
    return context


def admin(postgres: LocalPostgres) -> Connection:
    settings = ConnectionSettings(
        host=LOOPBACK, port=postgres.port, dbname=DATABASE, user=ADMIN_USER, password=postgres.password
    )
    return Connection(settings, verifying_context(postgres.ca_file))


def test_logs_in_over_verified_tls_with_scram_and_reads_text_rows(postgres: LocalPostgres) -> None:
    with admin(postgres) as connection:
        assert connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") == [("t",)]
        assert connection.query("SELECT 1, NULL::text, 'x'") == [("1", None, "x")]
        assert connection.query("SELECT n FROM generate_series(1, 3) AS n") == [("1",), ("2",), ("3",)]


def test_server_errors_carry_the_sqlstate_and_leave_the_session_usable(postgres: LocalPostgres) -> None:
    with admin(postgres) as connection:
        with pytest.raises(PostgresError) as error:
            connection.query("SELECT * FROM no_such_table")
        assert error.value.sqlstate == "42P01"
        assert connection.query("SELECT 2") == [("2",)]


def test_wrong_password_is_refused(postgres: LocalPostgres) -> None:
    settings = ConnectionSettings(
        host=LOOPBACK,
        port=postgres.port,
        dbname=DATABASE,
        user=ADMIN_USER,
        password="not-the-password",  # noqa: S106 - a deliberately wrong or unused password, not a secret
    )
    with pytest.raises(PostgresError) as error:
        Connection(settings, verifying_context(postgres.ca_file))
    assert error.value.sqlstate == "28P01"


def test_a_certificate_from_another_ca_is_refused_when_verifying(
    postgres: LocalPostgres, tmp_path: Path
) -> None:
    other_ca, _, _ = make_ca(tmp_path, "some other CA")
    settings = ConnectionSettings(
        host=LOOPBACK, port=postgres.port, dbname=DATABASE, user=ADMIN_USER, password=postgres.password
    )
    with pytest.raises(ssl.SSLCertVerificationError):
        Connection(settings, verifying_context(other_ca))


@pytest.fixture
def server_without_tls() -> Iterator[int]:
    """A TCP listener on 127.0.0.1 that answers an SSLRequest with 'N' (no TLS), as such a server would."""
    listener = socket.create_server((LOOPBACK, 0))
    answered = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(8)
            connection.sendall(b"N")
            answered.set()
            connection.recv(1)  # the client closes without sending its start-up message

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    thread.join(timeout=10)
    listener.close()
    assert answered.is_set()


def test_refuses_to_log_in_to_a_server_without_tls(server_without_tls: int) -> None:
    settings = ConnectionSettings(
        host=LOOPBACK,
        port=server_without_tls,
        dbname=DATABASE,
        user="anyone",
        password="never-sent",  # noqa: S106 - a deliberately wrong or unused password, not a secret
    )
    with pytest.raises(PostgresError, match="does not accept TLS"):
        Connection(settings, ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))


def test_postgres_stores_the_verifier_as_given_and_accepts_the_password(postgres: LocalPostgres) -> None:
    user, password = f"verifier_{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    verifier = scram_verifier(password)
    assert password not in verifier
    with admin(postgres) as connection:
        connection.query(f"CREATE ROLE {quote_identifier(user)} LOGIN PASSWORD {quote_literal(verifier)}")
        # Test SQL; the value is quoted with quote_literal.
        lookup = f"SELECT rolpassword FROM pg_authid WHERE rolname = {quote_literal(user)}"  # noqa: S608
        stored = connection.query(lookup)
    assert stored == [(verifier,)]
    settings = ConnectionSettings(
        host=LOOPBACK, port=postgres.port, dbname=DATABASE, user=user, password=password
    )
    with Connection(settings, verifying_context(postgres.ca_file)) as connection:
        assert connection.query("SELECT current_user") == [(user,)]


@pytest.mark.parametrize("text", ["plain", "it's", "two '' quotes", 'double " quote', "back\\slash"])
def test_quoted_literals_and_identifiers_round_trip(postgres: LocalPostgres, text: str) -> None:
    with admin(postgres) as connection:
        assert connection.query(f"SELECT {quote_literal(text)} AS {quote_identifier(text)}") == [(text,)]


def test_nul_characters_cannot_be_quoted() -> None:
    with pytest.raises(ValueError):
        quote_literal("a\0b")
    with pytest.raises(ValueError):
        quote_identifier("a\0b")
