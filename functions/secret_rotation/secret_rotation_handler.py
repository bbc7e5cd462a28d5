"""Secrets Manager rotation function for PostgreSQL users: the master login sets the user's new password.

Runtime Python 3.12, handler `secret_rotation_handler.handle`, dependencies: boto3 (as shipped by the Lambda
runtime) and `rotation_pg_client` beside it. Invoked by Secrets Manager with {"SecretId",
"ClientRequestToken", "Step"} for each of the four steps, in order:

* createSecret: a new AWSPENDING version = the connection fields + a new random password
  (GetRandomPassword, 32 characters, no characters that need quoting).
* setSecret: log in as the master user (the secret named by `masterarn`) and set the user's password, sent
  as a SCRAM-SHA-256 verifier so the password is in no statement or log. A user that does not exist yet is
  created (LOGIN, plus the roles in NEW_USER_ROLES), so the first rotation is what creates the credential.
* testSecret: log in as the user with the pending password.
* finishSecret: move AWSCURRENT to the new version.

Connection fields (engine, host, port, dbname, username, masterarn) come from the secret's tags
`field:<name>`, written by Terraform (PlatformSecret), so the secret's value is only ever written here and
a changed database address is picked up on the next rotation. engine must be "postgres".

Every step is idempotent (Secrets Manager retries): a pending version that exists is kept, a password that
already works is not set again, a finished rotation is not finished twice.

TLS: always (the client refuses a server without it). The server certificate is verified against
`*.pem` CA bundles packaged beside this file (e.g. AWS's RDS global-bundle.pem); with none packaged, the
connection is encrypted but the server is not authenticated by certificate (SCRAM still proves the server
knows the password). Logs never contain a password or a secret value.

Environment:

    NEW_USER_ROLES     comma-separated roles granted to a user when it is created (e.g. pg_read_all_data);
                       optional, default none
    LOG_LEVEL          optional, default INFO
"""

from __future__ import annotations

import json
import logging
import os
import re
import ssl
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import boto3
from botocore.exceptions import ClientError
from rotation_pg_client import (
    Connection,
    ConnectionSettings,
    PostgresError,
    quote_identifier,
    quote_literal,
    scram_verifier,
)

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager.client import SecretsManagerClient

FIELD_TAG_PREFIX: Final = "field:"
REQUIRED_FIELDS: Final = ("engine", "host", "port", "dbname", "username", "masterarn")
PASSWORD_LENGTH: Final = 32
# Quotes, backslash and characters that shells, URLs or JDBC properties treat specially.
EXCLUDED_CHARACTERS: Final = "\"'\\/@:;%&=?#`$ "
ROLE_NAME: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
CA_BUNDLE_DIR: Final = Path(__file__).resolve().parent
STEPS: Final = ("createSecret", "setSecret", "testSecret", "finishSecret")

_LOGGER: Final = logging.getLogger("cloudsafeguard.secret_rotation")


class RotationError(Exception):
    """The rotation cannot proceed (bad event, bad secret, or a login that fails)."""


# Entry point -----------------------------------------------------------------------------------------------


def handle(event: Mapping[str, Any], context: object) -> None:
    """Lambda entry point: run one rotation step for the secret in `event`."""
    logging.getLogger().setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    Rotation(
        boto3.client("secretsmanager"),
        new_user_roles=parse_roles(os.environ.get("NEW_USER_ROLES", "")),
        ssl_context=ssl_context_for(CA_BUNDLE_DIR),
    ).run(event)


def parse_roles(text: str) -> tuple[str, ...]:
    """NEW_USER_ROLES as a tuple of role names; raise RotationError on a name that is not a plain role."""
    roles = tuple(role.strip() for role in text.split(",") if role.strip())
    invalid = [role for role in roles if not ROLE_NAME.fullmatch(role)]
    if invalid:
        raise RotationError(f"NEW_USER_ROLES: not role names: {', '.join(invalid)}")
    return roles


def ssl_context_for(ca_dir: Path) -> ssl.SSLContext:
    """A TLS 1.2+ context that verifies the server against the `*.pem` bundles in `ca_dir`, or, when there
    are none, encrypts without verifying the certificate (see the module docstring)."""
    bundles = sorted(ca_dir.glob("*.pem"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificate and host name by default
    if bundles:
        # Only the packaged CAs are trusted, not the system's public ones.
        context.load_verify_locations(cadata="".join(path.read_text() for path in bundles))
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


# Rotation --------------------------------------------------------------------------------------------------


class Rotation:
    """The four rotation steps for one Secrets Manager client."""

    def __init__(
        self,
        secrets: SecretsManagerClient,
        *,
        new_user_roles: tuple[str, ...],
        ssl_context: ssl.SSLContext,
        connect: Callable[[ConnectionSettings, ssl.SSLContext], Connection] = Connection,
    ) -> None:
        self._secrets = secrets
        self._new_user_roles = new_user_roles
        self._ssl_context = ssl_context
        self._connect = connect

    def run(self, event: Mapping[str, Any]) -> None:
        secret_id, token, step = (event.get(name) for name in ("SecretId", "ClientRequestToken", "Step"))
        if not (isinstance(secret_id, str) and isinstance(token, str) and step in STEPS):
            raise RotationError(
                f"not a rotation event: SecretId, ClientRequestToken and Step ({', '.join(STEPS)}) "
                "are required"
            )
        description = self._secrets.describe_secret(SecretId=secret_id)
        if not description.get("RotationEnabled"):
            raise RotationError(f"{secret_id}: rotation is not enabled")
        stages = description.get("VersionIdsToStages", {})
        # Secrets Manager stages the token AWSPENDING before the first step; an unknown token is a stale
        # retry of an older rotation, which must not touch the secret. (The first version a secret ever
        # gets is also made AWSCURRENT at once, so AWSCURRENT alone does not mean the rotation is done.)
        if not {"AWSPENDING", "AWSCURRENT"} & set(stages.get(token, ())):
            raise RotationError(f"{secret_id}: version {token} is not staged for rotation")
        _LOGGER.info("%s: %s for version %s", secret_id, step, token)
        if step == "createSecret":
            self.create(secret_id, token, description)
        elif step == "setSecret":
            self.set(secret_id, token)
        elif step == "testSecret":
            self.test(secret_id, token)
        else:
            self.finish(secret_id, token, stages)

    def create(self, secret_id: str, token: str, description: Mapping[str, Any]) -> None:
        """Store the new version: the connection fields from the tags and a new random password."""
        try:
            self._secrets.get_secret_value(SecretId=secret_id, VersionId=token)
            return  # created by an earlier attempt of this step
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
        fields = connection_fields(description)
        password = self._secrets.get_random_password(
            PasswordLength=PASSWORD_LENGTH,
            ExcludeCharacters=EXCLUDED_CHARACTERS,
            RequireEachIncludedType=True,
        )["RandomPassword"]
        self._secrets.put_secret_value(
            SecretId=secret_id,
            ClientRequestToken=token,
            SecretString=json.dumps({**fields, "password": password}),
            VersionStages=["AWSPENDING"],
        )

    def set(self, secret_id: str, token: str) -> None:
        """Give the user the new version's password (creating the user on the first rotation)."""
        pending = self._value(secret_id, VersionId=token)
        if self._can_log_in(pending):
            return  # set by an earlier attempt of this step
        master = self._value(pending["masterarn"], VersionStage="AWSCURRENT")
        settings = ConnectionSettings(
            host=pending["host"],
            port=int(pending["port"]),
            dbname=pending["dbname"],
            user=str(master["username"]),
            password=str(master["password"]),
        )
        user = quote_identifier(pending["username"])
        verifier = quote_literal(scram_verifier(pending["password"]))
        with self._connect(settings, self._ssl_context) as connection:
            # Values are quoted with quote_literal/quote_identifier, and the user name is checked first.
            exists = connection.query(
                f"SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = {quote_literal(pending['username'])}"  # noqa: S608
            )
            if exists:
                connection.query(f"ALTER ROLE {user} WITH LOGIN PASSWORD {verifier}")
            else:
                connection.query(f"CREATE ROLE {user} WITH LOGIN PASSWORD {verifier}")
                for role in self._new_user_roles:
                    connection.query(f"GRANT {quote_identifier(role)} TO {user}")
        _LOGGER.info(
            "%s: password of %s set (user %s)",
            secret_id,
            pending["username"],
            "existed" if exists else "created",
        )

    def test(self, secret_id: str, token: str) -> None:
        """Log in as the user with the new version's password."""
        pending = self._value(secret_id, VersionId=token)
        with self._connect(self._user_settings(pending), self._ssl_context) as connection:
            if connection.query("SELECT 1") != [("1",)]:
                raise RotationError(f"{secret_id}: the test query returned an unexpected result")

    def finish(self, secret_id: str, token: str, stages: Mapping[str, list[str]]) -> None:
        """Make the new version AWSCURRENT (the previous current one becomes AWSPREVIOUS)."""
        if "AWSCURRENT" in stages.get(token, ()):
            _LOGGER.info("%s: version %s is already current", secret_id, token)
            return
        current = next((version for version, labels in stages.items() if "AWSCURRENT" in labels), None)
        if current is None:
            self._secrets.update_secret_version_stage(
                SecretId=secret_id, VersionStage="AWSCURRENT", MoveToVersionId=token
            )
        else:
            self._secrets.update_secret_version_stage(
                SecretId=secret_id,
                VersionStage="AWSCURRENT",
                MoveToVersionId=token,
                RemoveFromVersionId=current,
            )

    # Helpers --------------------------------------------------------------------------------------------

    def _value(self, secret_id: str, **selector: str) -> dict[str, Any]:
        response = self._secrets.get_secret_value(SecretId=secret_id, **selector)
        value = json.loads(response["SecretString"])
        if not isinstance(value, dict) or not value.get("password") or not value.get("username"):
            raise RotationError(f"{secret_id}: the secret value has no username and password")
        return value

    @staticmethod
    def _user_settings(value: Mapping[str, Any]) -> ConnectionSettings:
        return ConnectionSettings(
            host=value["host"],
            port=int(value["port"]),
            dbname=value["dbname"],
            user=value["username"],
            password=value["password"],
        )

    def _can_log_in(self, value: Mapping[str, Any]) -> bool:
        try:
            with self._connect(self._user_settings(value), self._ssl_context):
                return True
        except PostgresError as error:
            # 28P01 invalid_password, 28000 invalid_authorization_specification (e.g. no such role).
            if error.sqlstate in ("28P01", "28000"):
                return False
            raise


def connection_fields(description: Mapping[str, Any]) -> dict[str, str]:
    """The connection fields from the secret's `field:<name>` tags; RotationError if any is missing or the
    engine is not postgres."""
    tags = {tag["Key"]: tag["Value"] for tag in description.get("Tags", [])}
    fields = {
        key.removeprefix(FIELD_TAG_PREFIX): value
        for key, value in tags.items()
        if key.startswith(FIELD_TAG_PREFIX)
    }
    problems = [
        f"tag {FIELD_TAG_PREFIX}{name} is missing" for name in REQUIRED_FIELDS if not fields.get(name)
    ]
    if fields.get("engine", "postgres") != "postgres":
        problems.append(f"engine {fields['engine']!r} is not postgres")
    if fields.get("port") and not fields["port"].isdigit():
        problems.append(f"port {fields['port']!r} is not a number")
    if fields.get("username") and not ROLE_NAME.fullmatch(fields["username"]):
        problems.append(f"username {fields['username']!r} is not a plain role name")
    if problems:
        raise RotationError(f"{description.get('ARN', 'secret')}: " + "; ".join(problems))
    return {name: fields[name] for name in REQUIRED_FIELDS}
