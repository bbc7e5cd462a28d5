"""The function that rotates PostgreSQL user credentials held in Secrets Manager (functions/secret_rotation).

It logs in to the database with the RDS-managed master secret and sets the user's new password (sent
pre-hashed, as a SCRAM verifier, so the password never appears in a statement or a log). It runs in the
private subnets: PostgreSQL to the database's security group, HTTPS to the VPC endpoints (Secrets Manager).
"""

from dataclasses import dataclass
from pathlib import Path

from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.core.context import AccountContext
from modules.database.postgres_database import PostgresDatabase
from modules.keys.encryption_key import EncryptionKey
from modules.network.endpoints import VpcEndpoints
from modules.network.vpc import PlatformVpc
from modules.serverless.private_function import PrivateFunction, PrivateFunctionProps

ROTATION_SOURCE_DIR = Path(__file__).resolve().parents[2] / "functions" / "secret_rotation"
"""The rotation function's code."""


@dataclass(frozen=True, kw_only=True)
class PostgresRotationFunctionProps:
    """Settings of a PostgresRotationFunction."""

    name: str
    """Required. Function name, e.g. "csg-dev-postgres-rotation"."""
    log_retention_days: int
    """Required. Retention of the function's log group."""
    source_dir: Path = ROTATION_SOURCE_DIR
    """Default functions/secret_rotation. Its `*.pem` files (an RDS CA bundle) are packaged too; with one
    present the function verifies the server certificate (see its module docstring)."""
    reserved_concurrency: int = 2
    """Default 2: rotations are rare and serialised per secret by Secrets Manager."""
    new_user_roles: tuple[str, ...] = ()
    """Default none. Roles granted to a user the function creates (its first rotation), e.g.
    ("pg_read_all_data",) for a read-only ETL login."""


class PostgresRotationFunction(Construct):
    """`self.function` (PrivateFunction). Secrets it rotates are wired with PlatformSecret."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        network: PlatformVpc,
        endpoints: VpcEndpoints,
        database: PostgresDatabase,
        secrets_key: EncryptionKey,
        logs_key: EncryptionKey,
        props: PostgresRotationFunctionProps,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = PrivateFunction(
            self,
            "function",
            context=context,
            network=network,
            endpoints=endpoints,
            environment_key=secrets_key,
            logs_key=logs_key,
            # Secrets Manager invokes rotation synchronously: a dead-letter queue would never get anything.
            dead_letter_key=None,
            props=PrivateFunctionProps(
                name=props.name,
                description="Rotates PostgreSQL user passwords held in Secrets Manager",
                source_dir=props.source_dir,
                include=("*.py", "*.pem"),
                handler="secret_rotation_handler.handle",
                log_retention_days=props.log_retention_days,
                timeout_seconds=60,
                reserved_concurrency=props.reserved_concurrency,
                dead_letter_queue=False,
                environment={"NEW_USER_ROLES": ",".join(props.new_user_roles), "LOG_LEVEL": "INFO"},
            ),
        )
        role = self.function.role.role
        attach_grant(
            self,
            role,
            # GetRandomPassword touches no resource, so it has no resource-level permission.
            (
                Statement(
                    sid="GeneratePasswords", actions=("secretsmanager:GetRandomPassword",), resources=("*",)
                ),
            ),
        )
        database.master_secret.grant_read(role)
        self.function.allow_egress_to(database.security_group, database.port, "PostgreSQL to the database")
        database.allow_connections_from(self.function.security_group, "Secret rotation function")
