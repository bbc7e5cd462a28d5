"""The database connection probe: a TLS-required PostgreSQL login with credentials read from Secrets Manager.

The probe logs in with `sslmode=verify-full` against the CA it is given, checks that the session is
encrypted (pg_stat_ssl), and checks that a login without TLS is refused. It is the same code path on both
targets, run where the database is reachable:
- local: the emulator keeps no real database, so the suite starts a real PostgreSQL with `ssl=on`, a CA and a
  server certificate it generates, and `hostssl`-only authentication; the probe's credentials are stored in
  the emulator's Secrets Manager (under the secrets key) and read back from there, as on AWS;
- aws: the database is only reachable from inside the VPC, so the probe runs on the app host through SSM Run
  Command (`probe_on_app_host`), reading the ETL credentials secret with the host's instance profile and
  verifying the server against the RDS CA bundle the host has.
"""

import datetime
import ipaddress
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import psycopg
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.postdeploy.platform import Aws, Outputs

LOOPBACK: Final = "127.0.0.1"
PROBE_USER: Final = "probe"
PROBE_DATABASE: Final = "platform"
SSM_TIMEOUT_SECONDS: Final = 180
RDS_CA_BUNDLE_URL: Final = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
"""Fetched by the app host (inside AWS), never by the machine running the suite."""


@dataclass(frozen=True, kw_only=True)
class ProbeResult:
    """What the probe found."""

    tls_login_succeeded: bool
    """A login with sslmode=verify-full and the stored credentials worked."""
    connection_encrypted: bool
    """pg_stat_ssl reports the session as encrypted."""
    plaintext_login_refused: bool
    """A login with sslmode=disable and the same credentials was refused."""
    detail: str
    """What happened, for the failure message (never the password)."""


def probe(*, credentials: dict[str, Any], ca_file: Path) -> ProbeResult:
    """Log in with `credentials` (host, port, dbname, username, password) over verified TLS, then without."""
    common = {
        "host": credentials["host"],
        "port": int(credentials["port"]),
        "dbname": credentials["dbname"],
        "user": credentials["username"],
        "password": credentials["password"],
        "connect_timeout": 10,
    }
    details = []
    encrypted = tls_ok = False
    try:
        with psycopg.connect(**common, sslmode="verify-full", sslrootcert=str(ca_file)) as connection:
            row = connection.execute(
                "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
            ).fetchone()
        tls_ok = True
        encrypted = bool(row and row[0])
        details.append(f"TLS login ok ({row[1] if row else 'no pg_stat_ssl row'})")
    except psycopg.Error as error:
        details.append(f"TLS login failed: {error}")
    refused = False
    try:
        with psycopg.connect(**common, sslmode="disable"):
            details.append("plaintext login ACCEPTED")
    except psycopg.OperationalError as error:
        refused = True
        details.append(f"plaintext login refused ({str(error).strip().splitlines()[-1]})")
    return ProbeResult(
        tls_login_succeeded=tls_ok,
        connection_encrypted=encrypted,
        plaintext_login_refused=refused,
        detail="; ".join(details),
    )


def read_credentials(aws: Aws, secret_id: str) -> dict[str, Any]:
    """The JSON credentials stored in a secret."""
    value = aws.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    return dict(json.loads(value))


@dataclass(frozen=True, kw_only=True)
class LocalPostgres:
    """A running throwaway PostgreSQL server."""

    port: int
    """Port on 127.0.0.1."""
    ca_file: Path
    """The CA that signed the server certificate."""
    password: str
    """The probe user's password (generated per run)."""


@contextmanager
def local_postgres() -> Iterator[LocalPostgres]:
    """Start PostgreSQL with TLS on 127.0.0.1 (hostssl only, scram), a generated CA, and a probe user."""
    folder = Path(tempfile.mkdtemp(prefix="csg-postdeploy-pg-"))
    run_as = _server_user()
    try:
        data, certificates = folder / "data", folder / "tls"
        certificates.mkdir()
        ca_file = _write_certificates(certificates)
        password = secrets.token_urlsafe(24)
        (folder / "password").write_text(password)
        _own(folder, run_as)
        _run(
            run_as,
            [
                "initdb",
                "-D",
                str(data),
                "-U",
                PROBE_USER,
                "--auth=scram-sha-256",
                f"--pwfile={folder / 'password'}",
                "--no-sync",
            ],
        )
        (folder / "password").unlink()
        # TCP only with TLS; the private socket folder is for creating the probe database.
        (data / "pg_hba.conf").write_text(
            f"local all {PROBE_USER} scram-sha-256\n"
            f"hostssl all all {LOOPBACK}/32 scram-sha-256\nhost all all {LOOPBACK}/32 reject\n"
        )
        port = _free_port()
        settings = {
            "listen_addresses": f"'{LOOPBACK}'",
            "port": str(port),
            "unix_socket_directories": f"'{folder}'",
            "ssl": "on",
            "ssl_cert_file": f"'{certificates / 'server.crt'}'",
            "ssl_key_file": f"'{certificates / 'server.key'}'",
            "ssl_ca_file": f"'{ca_file}'",
            "ssl_min_protocol_version": "'TLSv1.2'",
            "fsync": "off",
        }
        with (data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        _run(run_as, ["pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60", "start"])
        try:
            _run(
                run_as,
                ["createdb", "-h", str(folder), "-p", str(port), "-U", PROBE_USER, PROBE_DATABASE],
                environment={"PGPASSWORD": password},
            )
            yield LocalPostgres(port=port, ca_file=ca_file, password=password)
        finally:
            _run(run_as, ["pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def probe_on_app_host(aws: Aws, outputs: Outputs) -> ProbeResult:
    """Run the probe on the app host through SSM Run Command (AWS only)."""
    secret_arn = outputs.env("secret_arns")["database_etl"]
    script = (
        APP_HOST_SCRIPT.read_text()
        .replace("@SECRET_ARN@", secret_arn)
        .replace("@REGION@", outputs.region)
        .replace("@CA_URL@", RDS_CA_BUNDLE_URL)
    )
    ssm = aws.client("ssm")
    instance_id = outputs.env("app_host_instance_id")
    command_id = ssm.send_command(
        InstanceIds=[instance_id],
        DocumentName="AWS-RunShellScript",
        TimeoutSeconds=SSM_TIMEOUT_SECONDS,
        Comment="CloudSafeGuard post-deploy database probe",
        Parameters={"commands": script.splitlines()},
    )["Command"]["CommandId"]
    deadline = time.monotonic() + SSM_TIMEOUT_SECONDS
    invocation: dict[str, Any] = {}
    while time.monotonic() < deadline:
        time.sleep(3)
        with suppress(ssm.exceptions.InvocationDoesNotExist):
            invocation = ssm.get_command_invocation(CommandId=command_id, InstanceId=instance_id)
            if invocation["Status"] not in ("Pending", "InProgress", "Delayed"):
                break
    output = invocation.get("StandardOutputContent", "")
    lines = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    return ProbeResult(
        tls_login_succeeded=lines.get("TLS_LOGIN") == "ok",
        connection_encrypted=lines.get("TLS_SESSION") == "t",
        plaintext_login_refused=lines.get("PLAINTEXT_LOGIN") == "refused",
        detail=f"SSM {invocation.get('Status', 'timed out')}: {output.strip()} "
        f"{invocation.get('StandardErrorContent', '')}",
    )


APP_HOST_SCRIPT: Final = Path(__file__).with_name("app_host_database_probe.sh")
"""The probe as run on the app host; @SECRET_ARN@, @REGION@ and @CA_URL@ are filled in."""


def _write_certificates(folder: Path) -> Path:
    """A CA and a server certificate for 127.0.0.1 signed by it; returns the CA file."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CloudSafeGuard post-deploy test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOOPBACK)]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = folder / "ca.crt"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.crt").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file = folder / "server.key"
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_file.chmod(0o600)
    return ca_file


def _server_user() -> str | None:
    """PostgreSQL refuses to run as root: as root, run the server as the `postgres` user."""
    return "postgres" if os.geteuid() == 0 else None


def _own(folder: Path, user: str | None) -> None:
    if user is None:
        return
    folder.chmod(0o755)
    for path in [folder, *folder.rglob("*")]:
        shutil.chown(path, user=user)


def _run(user: str | None, command: list[str], environment: dict[str, str] | None = None) -> None:
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
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe_socket:
        probe_socket.bind((LOOPBACK, 0))
        port: int = probe_socket.getsockname()[1]
        return port
