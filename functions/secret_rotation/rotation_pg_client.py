"""A minimal PostgreSQL client (protocol 3.0, standard library only) for the rotation function.

Lambda's Python runtime ships no PostgreSQL driver, and a compiled one (psycopg) would have to be built for
the exact runtime and architecture; the rotation function needs only: TLS, SCRAM-SHA-256 login, simple
queries with text results, and SCRAM verifiers to set passwords without sending them. That is this module.

TLS is mandatory: the client asks for it first and refuses a server that declines. Whether the server's
certificate is verified is the caller's `ssl.SSLContext` to decide.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
import ssl
import struct
from dataclasses import dataclass
from types import TracebackType
from typing import Final

PROTOCOL_VERSION: Final = 196608  # 3.0
SSL_REQUEST_CODE: Final = 80877103
SCRAM_MECHANISM: Final = "SCRAM-SHA-256"
SCRAM_VERIFIER_ITERATIONS: Final = 4096  # PostgreSQL's own default for scram_iterations
AUTH_OK: Final = 0
AUTH_SASL: Final = 10
AUTH_SASL_CONTINUE: Final = 11
AUTH_SASL_FINAL: Final = 12
APPLICATION_NAME: Final = "csg-secret-rotation"


class PostgresError(Exception):
    """The server reported an error (ErrorResponse), or the protocol went wrong; `sqlstate` when known."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(f"{sqlstate}: {message}" if sqlstate else message)
        self.sqlstate = sqlstate


@dataclass(frozen=True, kw_only=True)
class ConnectionSettings:
    """Where and as whom to log in. `password` is only ever sent as a SCRAM proof, never in clear."""

    host: str
    port: int
    dbname: str
    user: str
    password: str
    timeout_seconds: float = 10.0


def quote_identifier(name: str) -> str:
    """`name` as a quoted SQL identifier."""
    if "\0" in name:
        raise ValueError("identifiers cannot contain NUL")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """`value` as a SQL string literal (standard_conforming_strings, PostgreSQL's default since 9.1)."""
    if "\0" in value:
        raise ValueError("literals cannot contain NUL")
    return "'" + value.replace("'", "''") + "'"


def scram_verifier(
    password: str, *, salt: bytes | None = None, iterations: int = SCRAM_VERIFIER_ITERATIONS
) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (what `ALTER ROLE ... PASSWORD` accepts
    pre-hashed), so the password itself never appears in a statement, a log or pg_stat_activity."""
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    stored_key = hashlib.sha256(_hmac(salted, b"Client Key")).digest()
    server_key = _hmac(salted, b"Server Key")
    return f"SCRAM-SHA-256${iterations}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Connection:
    """One logged-in session. Use as a context manager; `query` runs one simple-protocol statement."""

    def __init__(self, settings: ConnectionSettings, ssl_context: ssl.SSLContext) -> None:
        raw = socket.create_connection((settings.host, settings.port), timeout=settings.timeout_seconds)
        try:
            raw.sendall(struct.pack("!ii", 8, SSL_REQUEST_CODE))
            answer = raw.recv(1)
            if answer != b"S":
                raise PostgresError("the server does not accept TLS; refusing to log in without it")
            server_name = settings.host if ssl_context.check_hostname else None
            self._socket = ssl_context.wrap_socket(raw, server_hostname=server_name)
        except BaseException:
            raw.close()
            raise
        self._buffer = b""
        try:
            self._start_up(settings)
        except BaseException:
            self._socket.close()
            raise

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Say goodbye (Terminate) and close the socket."""
        try:
            self._send(b"X", b"")
        except OSError:
            pass
        finally:
            self._socket.close()

    # Messages ---------------------------------------------------------------------------------------

    def _send(self, kind: bytes, body: bytes) -> None:
        self._socket.sendall(kind + struct.pack("!i", len(body) + 4) + body)

    def _read_exact(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = self._socket.recv(65536)
            if not chunk:
                raise PostgresError("the server closed the connection")
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _receive(self) -> tuple[bytes, bytes]:
        kind = self._read_exact(1)
        (length,) = struct.unpack("!i", self._read_exact(4))
        return kind, self._read_exact(length - 4)

    @staticmethod
    def _error(body: bytes) -> PostgresError:
        fields = {}
        for part in body.split(b"\0"):
            if part:
                fields[chr(part[0])] = part[1:].decode(errors="replace")
        return PostgresError(fields.get("M", "unknown error"), fields.get("C"))

    # Start-up and SCRAM -------------------------------------------------------------------------------

    def _start_up(self, settings: ConnectionSettings) -> None:
        parameters = {
            "user": settings.user,
            "database": settings.dbname,
            "application_name": APPLICATION_NAME,
        }
        body = struct.pack("!i", PROTOCOL_VERSION)
        body += (
            b"".join(key.encode() + b"\0" + value.encode() + b"\0" for key, value in parameters.items())
            + b"\0"
        )
        self._socket.sendall(struct.pack("!i", len(body) + 4) + body)
        scram: _ScramExchange | None = None
        while True:
            kind, payload = self._receive()
            if kind == b"E":
                raise self._error(payload)
            if kind == b"Z":
                return
            if kind != b"R":
                continue  # ParameterStatus, BackendKeyData, NoticeResponse
            (code,) = struct.unpack("!i", payload[:4])
            data = payload[4:]
            if code == AUTH_OK:
                # SCRAM is mutual: a server that skips it (trust) or fails it could be anyone.
                if scram is None or not scram.server_verified:
                    raise PostgresError("the server accepted the login without proving it knows the password")
            elif code == AUTH_SASL:
                mechanisms = [m.decode() for m in data.split(b"\0") if m]
                if SCRAM_MECHANISM not in mechanisms:
                    raise PostgresError(f"the server offers {mechanisms}, not {SCRAM_MECHANISM}")
                scram = _ScramExchange(settings.password)
                first = scram.client_first().encode()
                self._send(b"p", SCRAM_MECHANISM.encode() + b"\0" + struct.pack("!i", len(first)) + first)
            elif code == AUTH_SASL_CONTINUE and scram is not None:
                self._send(b"p", scram.client_final(data.decode()).encode())
            elif code == AUTH_SASL_FINAL and scram is not None:
                scram.verify_server(data.decode())
            else:
                # Cleartext (3) and MD5 (5) would put the password or a replayable hash on the wire.
                raise PostgresError(
                    f"unsupported authentication request {code}; only {SCRAM_MECHANISM} is used"
                )

    # Queries ------------------------------------------------------------------------------------------

    def query(self, sql: str) -> list[tuple[str | None, ...]]:
        """Run `sql` (one statement, simple protocol) and return its rows as text values."""
        self._send(b"Q", sql.encode() + b"\0")
        rows: list[tuple[str | None, ...]] = []
        error: PostgresError | None = None
        while True:
            kind, payload = self._receive()
            if kind == b"D":
                rows.append(self._row(payload))
            elif kind == b"E":
                error = self._error(payload)
            elif kind == b"Z":
                if error is not None:
                    raise error
                return rows

    @staticmethod
    def _row(payload: bytes) -> tuple[str | None, ...]:
        (count,) = struct.unpack("!h", payload[:2])
        offset, values = 2, list[str | None]()
        for _ in range(count):
            (size,) = struct.unpack("!i", payload[offset : offset + 4])
            offset += 4
            if size < 0:
                values.append(None)
            else:
                values.append(payload[offset : offset + size].decode())
                offset += size
        return tuple(values)


class _ScramExchange:
    """Client side of SCRAM-SHA-256 (RFC 5802/7677) without channel binding, as PostgreSQL implements it."""

    def __init__(self, password: str) -> None:
        self._password = password.encode()
        self._nonce = base64.b64encode(os.urandom(18)).decode()
        self._client_first_bare = f"n=,r={self._nonce}"
        self._expected_server_signature = b""
        self.server_verified = False

    def client_first(self) -> str:
        return f"n,,{self._client_first_bare}"

    def client_final(self, server_first: str) -> str:
        attributes = dict(part.split("=", 1) for part in server_first.split(","))
        nonce, salt, iterations = attributes["r"], base64.b64decode(attributes["s"]), int(attributes["i"])
        if not nonce.startswith(self._nonce):
            raise PostgresError("SCRAM: the server's nonce does not extend ours")
        salted = hashlib.pbkdf2_hmac("sha256", self._password, salt, iterations)
        client_key = _hmac(salted, b"Client Key")
        without_proof = f"c=biws,r={nonce}"
        auth_message = f"{self._client_first_bare},{server_first},{without_proof}".encode()
        signature = _hmac(hashlib.sha256(client_key).digest(), auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        self._expected_server_signature = _hmac(_hmac(salted, b"Server Key"), auth_message)
        return f"{without_proof},p={_b64(proof)}"

    def verify_server(self, server_final: str) -> None:
        attributes = dict(part.split("=", 1) for part in server_final.split(","))
        if "e" in attributes:
            raise PostgresError(f"SCRAM: the server refused the proof ({attributes['e']})")
        if not hmac.compare_digest(
            base64.b64decode(attributes.get("v", "")), self._expected_server_signature
        ):
            raise PostgresError("SCRAM: the server's signature is wrong (it does not know the password)")
        self.server_verified = True
