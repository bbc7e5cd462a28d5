"""The rotation function against Secrets Manager (the local emulator, over HTTP) and a real PostgreSQL.

The tests play Secrets Manager's part: they enable rotation and then call the steps in order. moto cannot
stage a pending version without a value (what RotateSecret does in AWS), so `createSecret` is called on
the Rotation directly and the later steps through `run`, which checks the staging like AWS requires.
"""

from __future__ import annotations

import json
import secrets
import ssl
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from rotation_pg_client import Connection, ConnectionSettings, PostgresError, quote_literal
from secret_rotation_handler import (
    Rotation,
    RotationError,
    connection_fields,
    handle,
    parse_roles,
    ssl_context_for,
)

from harness.emulator.server import EmulatorServer
from harness.local_postgres import LOOPBACK, LocalPostgres
from tests.functions.secret_rotation.conftest import ADMIN_USER, DATABASE

NEW_USER_ROLES = ("pg_read_all_data",)


def verifying_context(ca_file: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=str(ca_file))
    return context


@dataclass
class Setup:
    """A master secret, a user secret with its connection-field tags, rotation enabled on it."""

    client: Any
    postgres: LocalPostgres
    secret_arn: str
    username: str

    def rotation(self, **overrides: Any) -> Rotation:
        return Rotation(
            self.client,
            new_user_roles=overrides.get("roles", NEW_USER_ROLES),
            ssl_context=verifying_context(self.postgres.ca_file),
        )

    def stages(self) -> dict[str, list[str]]:
        return dict(self.client.describe_secret(SecretId=self.secret_arn)["VersionIdsToStages"])

    def value(self, stage: str) -> dict[str, Any]:
        response = self.client.get_secret_value(SecretId=self.secret_arn, VersionStage=stage)
        return dict(json.loads(response["SecretString"]))

    def rotate(self) -> str:
        """One full rotation, steps in Secrets Manager's order; returns the new version's token."""
        token = str(uuid.uuid4())
        rotation = self.rotation()
        rotation.create(self.secret_arn, token, self.client.describe_secret(SecretId=self.secret_arn))
        for step in ("setSecret", "testSecret", "finishSecret"):
            rotation.run({"SecretId": self.secret_arn, "ClientRequestToken": token, "Step": step})
        return token

    def can_log_in(self, password: str) -> bool:
        settings = ConnectionSettings(
            host=LOOPBACK, port=self.postgres.port, dbname=DATABASE, user=self.username, password=password
        )
        try:
            with Connection(settings, verifying_context(self.postgres.ca_file)):
                return True
        except PostgresError:
            return False


def _admin_query(postgres: LocalPostgres, sql: str) -> list[tuple[str | None, ...]]:
    settings = ConnectionSettings(
        host=LOOPBACK, port=postgres.port, dbname=DATABASE, user=ADMIN_USER, password=postgres.password
    )
    with Connection(settings, verifying_context(postgres.ca_file)) as connection:
        rows: list[tuple[str | None, ...]] = connection.query(sql)
        return rows


def _fields(postgres: LocalPostgres, master_arn: str, username: str) -> dict[str, str]:
    return {
        "engine": "postgres",
        "host": LOOPBACK,
        "port": str(postgres.port),
        "dbname": DATABASE,
        "username": username,
        "masterarn": master_arn,
    }


@pytest.fixture
def setup(aws_emulator: EmulatorServer, postgres: LocalPostgres) -> Setup:
    client = boto3.client("secretsmanager", **aws_emulator.endpoint.client_kwargs())
    suffix = secrets.token_hex(4)
    master_arn = client.create_secret(
        Name=f"rotation-test/master-{suffix}",
        SecretString=json.dumps({"username": ADMIN_USER, "password": postgres.password}),
    )["ARN"]
    username = f"etl_{suffix}"
    tags = [
        {"Key": f"field:{name}", "Value": value}
        for name, value in _fields(postgres, master_arn, username).items()
    ]
    secret_arn = client.create_secret(Name=f"rotation-test/etl-{suffix}", Tags=tags)["ARN"]
    client.rotate_secret(SecretId=secret_arn, RotationRules={"AutomaticallyAfterDays": 30})
    return Setup(client=client, postgres=postgres, secret_arn=secret_arn, username=username)


def test_first_rotation_creates_the_user_and_a_working_current_password(setup: Setup) -> None:
    token = setup.rotate()

    current = setup.value("AWSCURRENT")
    assert "AWSCURRENT" in setup.stages()[token]
    assert {key: value for key, value in current.items() if key != "password"} == _fields(
        setup.postgres, current["masterarn"], setup.username
    )
    assert len(current["password"]) == 32
    assert setup.can_log_in(current["password"])
    granted = _admin_query(
        setup.postgres,
        "SELECT r.rolname FROM pg_auth_members m "  # noqa: S608 - test SQL; values quoted with quote_literal
        "JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
        f"WHERE u.rolname = {quote_literal(setup.username)}",
    )
    assert granted == [("pg_read_all_data",)]


def test_next_rotation_replaces_the_password_and_keeps_the_old_one_as_previous(setup: Setup) -> None:
    first = setup.rotate()
    old_password = setup.value("AWSCURRENT")["password"]
    second = setup.rotate()

    new_password = setup.value("AWSCURRENT")["password"]
    assert new_password != old_password
    assert setup.can_log_in(new_password)
    assert not setup.can_log_in(old_password)
    stages = setup.stages()
    assert "AWSCURRENT" in stages[second]
    assert "AWSPREVIOUS" in stages[first]


def test_passwords_never_reach_the_database_log(setup: Setup) -> None:
    setup.rotate()
    setup.rotate()
    current, previous = setup.value("AWSCURRENT")["password"], setup.value("AWSPREVIOUS")["password"]
    log = setup.postgres.log_file.read_text(errors="replace")
    assert f'ROLE "{setup.username}"' in log  # statements are logged (log_statement = all)...
    assert current not in log and previous not in log  # ...but only as SCRAM verifiers
    stored = _admin_query(
        setup.postgres,
        f"SELECT rolpassword FROM pg_authid WHERE rolname = {quote_literal(setup.username)}",  # noqa: S608
    )
    assert str(stored[0][0]).startswith("SCRAM-SHA-256$")


def test_repeated_steps_change_nothing(setup: Setup) -> None:
    token = str(uuid.uuid4())
    rotation = setup.rotation()
    description = setup.client.describe_secret(SecretId=setup.secret_arn)
    rotation.create(setup.secret_arn, token, description)
    created = setup.client.get_secret_value(SecretId=setup.secret_arn, VersionId=token)["SecretString"]
    rotation.create(setup.secret_arn, token, description)
    assert (
        setup.client.get_secret_value(SecretId=setup.secret_arn, VersionId=token)["SecretString"] == created
    )
    for step in ("setSecret", "setSecret", "testSecret", "finishSecret", "finishSecret"):
        rotation.run({"SecretId": setup.secret_arn, "ClientRequestToken": token, "Step": step})
    assert setup.can_log_in(json.loads(created)["password"])


def test_a_token_that_is_not_staged_is_refused(setup: Setup) -> None:
    setup.rotate()
    with pytest.raises(RotationError, match="not staged"):
        setup.rotation().run(
            {"SecretId": setup.secret_arn, "ClientRequestToken": str(uuid.uuid4()), "Step": "setSecret"}
        )


def test_a_secret_without_rotation_is_refused(setup: Setup) -> None:
    plain = setup.client.create_secret(Name=f"rotation-test/plain-{secrets.token_hex(4)}", SecretString="{}")
    with pytest.raises(RotationError, match="rotation is not enabled"):
        setup.rotation().run(
            {"SecretId": plain["ARN"], "ClientRequestToken": str(uuid.uuid4()), "Step": "createSecret"}
        )


@pytest.mark.parametrize("event", [{}, {"SecretId": "s", "ClientRequestToken": "t", "Step": "dropDatabase"}])
def test_events_that_are_not_rotation_steps_are_refused(setup: Setup, event: dict[str, str]) -> None:
    with pytest.raises(RotationError, match="not a rotation event"):
        setup.rotation().run(event)


def test_a_wrong_master_password_fails_the_set_step(setup: Setup) -> None:
    wrong_master = setup.client.create_secret(
        Name=f"rotation-test/wrong-master-{secrets.token_hex(4)}",
        SecretString=json.dumps({"username": ADMIN_USER, "password": "wrong"}),
    )["ARN"]
    tags = _fields(setup.postgres, wrong_master, setup.username)
    setup.client.tag_resource(
        SecretId=setup.secret_arn,
        Tags=[{"Key": f"field:{name}", "Value": value} for name, value in tags.items()],
    )
    token = str(uuid.uuid4())
    rotation = setup.rotation()
    rotation.create(setup.secret_arn, token, setup.client.describe_secret(SecretId=setup.secret_arn))
    with pytest.raises(PostgresError) as error:
        rotation.run({"SecretId": setup.secret_arn, "ClientRequestToken": token, "Step": "setSecret"})
    assert error.value.sqlstate == "28P01"


def test_every_missing_or_invalid_connection_field_is_reported() -> None:
    description = {
        "ARN": "arn:secret",
        "Tags": [
            {"Key": "field:engine", "Value": "mysql"},
            {"Key": "field:port", "Value": "five"},
            {"Key": "field:username", "Value": "Robert'); DROP"},
            {"Key": "owner", "Value": "team"},
        ],
    }
    with pytest.raises(RotationError) as error:
        connection_fields(description)
    message = str(error.value)
    for expected in (
        "field:host is missing",
        "field:dbname is missing",
        "field:masterarn is missing",
        "engine 'mysql'",
        "port 'five'",
        "is not a plain role name",
    ):
        assert expected in message


def test_new_user_roles_must_be_plain_role_names() -> None:
    assert parse_roles(" pg_read_all_data , ,reporting ") == ("pg_read_all_data", "reporting")
    with pytest.raises(RotationError, match="pg_read_all_data; DROP"):
        parse_roles("pg_read_all_data; DROP,ok")


def test_server_certificates_are_verified_only_when_a_ca_bundle_is_packaged(
    postgres: LocalPostgres, tmp_path: Path
) -> None:
    unverified = ssl_context_for(tmp_path)
    assert unverified.verify_mode == ssl.CERT_NONE
    assert not unverified.check_hostname
    (tmp_path / "rds-ca.pem").write_bytes(postgres.ca_file.read_bytes())
    verified = ssl_context_for(tmp_path)
    assert verified.verify_mode == ssl.CERT_REQUIRED
    assert verified.check_hostname
    assert verified.minimum_version == ssl.TLSVersion.TLSv1_2
    settings = ConnectionSettings(
        host=LOOPBACK, port=postgres.port, dbname=DATABASE, user=ADMIN_USER, password=postgres.password
    )
    with Connection(settings, verified) as connection:
        assert connection.query("SELECT 1") == [("1",)]


def test_entry_point_runs_a_step_with_the_function_environment(
    setup: Setup, aws_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """handle() as Lambda calls it: boto3 from the environment, the packaged folder's (absent) CA bundle."""
    token = str(uuid.uuid4())
    setup.rotation().create(setup.secret_arn, token, setup.client.describe_secret(SecretId=setup.secret_arn))
    for name, value in aws_emulator.endpoint.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NEW_USER_ROLES", "pg_read_all_data")
    for step in ("setSecret", "testSecret", "finishSecret"):
        handle({"SecretId": setup.secret_arn, "ClientRequestToken": token, "Step": step}, None)
    assert setup.can_log_in(setup.value("AWSCURRENT")["password"])
