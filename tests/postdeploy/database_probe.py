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

import json
import time
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import psycopg

from harness.local_postgres import LocalPostgres
from harness.local_postgres import local_postgres as start_local_postgres
from tests.postdeploy.platform import Aws, Outputs

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


def local_postgres() -> AbstractContextManager[LocalPostgres]:
    """PostgreSQL with TLS on 127.0.0.1 (hostssl only, scram), a generated CA; PROBE_USER is its superuser."""
    return start_local_postgres(purpose="postdeploy", superuser=PROBE_USER, database=PROBE_DATABASE)


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
