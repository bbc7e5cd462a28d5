"""A throwaway PostgreSQL server for tests: TLS on, a generated CA, 127.0.0.1 only, stopped afterwards.

The server is started with initdb/pg_ctl in a private temporary folder. Over TCP, `hostssl` + scram-sha-256
is the only way in (plain TCP is rejected); its certificate is signed by a CA generated here (`make_ca`).
The Unix socket lives in the private folder and only serves creating the database. PostgreSQL refuses to
run as root, so as root the server runs as the `postgres` user. The folder is removed even when a step fails.
"""

import datetime
import ipaddress
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK: Final = "127.0.0.1"


@dataclass(frozen=True, kw_only=True)
class LocalPostgres:
    """A running throwaway PostgreSQL server."""

    host: str
    """Always LOOPBACK."""
    port: int
    """Port on `host`."""
    data_dir: Path
    """The cluster's data directory."""
    ca_file: Path
    """The CA that signed the server certificate."""
    superuser: str
    """The superuser initdb created."""
    password: str
    """The superuser's password (generated per run)."""
    database: str
    """The database created for the caller."""
    log_file: Path
    """The server's log."""


@contextmanager
def local_postgres(
    *, purpose: str, superuser: str, database: str, log_every_statement: bool = False
) -> Iterator[LocalPostgres]:
    """Start the server, create `database`, yield it, stop it and delete its folder.

    `purpose` names the temporary folder and the CA. `log_every_statement` (default False) sets
    log_statement = all, for tests that check what reaches the server's log.
    """
    run_as = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix=f"csg-{purpose}-pg-"))
    try:
        data, tls = folder / "data", folder / "tls"
        tls.mkdir()
        ca_file, ca_key, ca = make_ca(tls, f"CloudSafeGuard {purpose} test CA")
        _write_server_certificate(tls, ca_key, ca)
        password = secrets.token_urlsafe(24)
        (folder / "password").write_text(password)
        if run_as:
            for path in [folder, *folder.rglob("*")]:
                shutil.chown(path, user=run_as)
            folder.chmod(0o755)
        _run_as(
            run_as,
            [
                "initdb",
                "-D",
                str(data),
                "-U",
                superuser,
                "--auth=scram-sha-256",
                f"--pwfile={folder / 'password'}",
                "--no-sync",
            ],
        )
        (folder / "password").unlink()
        (data / "pg_hba.conf").write_text(
            f"local all {superuser} scram-sha-256\n"
            f"hostssl all all {LOOPBACK}/32 scram-sha-256\nhost all all {LOOPBACK}/32 reject\n"
        )
        port = _free_port()
        settings = {
            "listen_addresses": f"'{LOOPBACK}'",
            "port": str(port),
            "unix_socket_directories": f"'{folder}'",
            "ssl": "on",
            "ssl_cert_file": f"'{tls / 'server.crt'}'",
            "ssl_key_file": f"'{tls / 'server.key'}'",
            "ssl_ca_file": f"'{ca_file}'",
            "ssl_min_protocol_version": "'TLSv1.2'",
            "password_encryption": "'scram-sha-256'",
            "fsync": "off",
        }
        if log_every_statement:
            settings["log_statement"] = "'all'"
        with (data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        log_file = folder / "server.log"
        _run_as(run_as, ["pg_ctl", "-D", str(data), "-l", str(log_file), "-w", "-t", "60", "start"])
        try:
            _run_as(
                run_as,
                ["createdb", "-h", str(folder), "-p", str(port), "-U", superuser, database],
                environment={"PGPASSWORD": password},
            )
            yield LocalPostgres(
                host=LOOPBACK,
                port=port,
                data_dir=data,
                ca_file=ca_file,
                superuser=superuser,
                password=password,
                database=database,
                log_file=log_file,
            )
        finally:
            _run_as(run_as, ["pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def make_ca(folder: Path, name: str) -> tuple[Path, ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed CA valid for a day; returns its PEM file, key and certificate."""
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / f"{name.replace(' ', '-')}.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path, key, certificate


def _write_server_certificate(folder: Path, ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate) -> None:
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOOPBACK)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "server.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (folder / "server.key").chmod(0o600)


def _run_as(user: str | None, command: list[str], environment: dict[str, str] | None = None) -> None:
    prefix = ["runuser", "-u", user, "--"] if user else []
    result = subprocess.run(
        [*prefix, *command],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(environment or {})},
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({result.returncode}): {result.stderr or result.stdout}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((LOOPBACK, 0))
        port: int = listener.getsockname()[1]
        return port
