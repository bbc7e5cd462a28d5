"""Shared by the data-services construct tests (issue 4).

Compliant cases read the real synthesized environments (the session's `synth_dir`: one synth for every
test), so they check the constructs exactly as the stacks wire them. Non-compliant cases build a construct
with the setting at fault in a throwaway stack: props validation raises before anything is synthesized,
so those cost no synth at all.
"""

import json
import re
from pathlib import Path
from typing import Any

from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.security_group import SecurityGroup

from modules.core.context import AccountContext
from modules.database.postgres_database import PostgresDatabase, PostgresDatabaseProps
from modules.keys.encryption_key import EncryptionKey, EncryptionKeyProps
from modules.network.endpoints import VpcEndpoints, VpcEndpointsProps
from modules.network.vpc import PlatformVpc, PlatformVpcProps
from tests.unit.modules.conftest import TEST_REGION

Synthesized = dict[str, Any]
REFERENCE = re.compile(r"^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$")


def stack_json(synth_dir: Path, stack: str) -> Synthesized:
    """The synthesized Terraform JSON of one stack."""
    return json.loads((synth_dir / "stacks" / stack / "cdk.tf.json").read_text())  # type: ignore[no-any-return]


def under(synthesized: Synthesized, resource_type: str, path: str, kind: str = "resource") -> dict[str, Any]:
    """Resources (or data sources) of `resource_type` whose construct path contains `path`, by logical ID."""
    found = synthesized.get(kind, {}).get(resource_type, {})
    return {
        logical_id: config for logical_id, config in found.items() if path in config["//"]["metadata"]["path"]
    }


def single(synthesized: Synthesized, resource_type: str, path: str) -> dict[str, Any]:
    """The one resource of `resource_type` under `path` (fails the test otherwise)."""
    found = under(synthesized, resource_type, path)
    assert len(found) == 1, f"expected one {resource_type} under {path}, got {sorted(found)}"
    return next(iter(found.values()))


def logical_id(synthesized: Synthesized, resource_type: str, path: str) -> str:
    """The logical ID of the one resource of `resource_type` under `path`."""
    found = under(synthesized, resource_type, path)
    assert len(found) == 1, f"expected one {resource_type} under {path}, got {sorted(found)}"
    return next(iter(found))


def reference(resource_type: str, logical: str, attribute: str) -> str:
    """How a synthesized resource refers to another's attribute, e.g. ${aws_kms_key.x.arn}."""
    return f"${{{resource_type}.{logical}.{attribute}}}"


def statements_of_grants(synthesized: Synthesized, role_logical_id: str) -> list[dict[str, Any]]:
    """Every statement of every inline policy attached to the role with `role_logical_id`."""
    role_name = reference("aws_iam_role", role_logical_id, "name")
    documents = synthesized.get("data", {}).get("aws_iam_policy_document", {})
    statements: list[dict[str, Any]] = []
    for policy in synthesized["resource"].get("aws_iam_role_policy", {}).values():
        if policy["role"] != role_name:
            continue
        document_id = policy["policy"].removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
        statements += documents[document_id]["statement"]
    return statements


def actions_on(statements: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Allowed action -> every resource it is allowed on, across `statements`."""
    granted: dict[str, set[str]] = {}
    for statement in statements:
        if statement.get("effect", "Allow") != "Allow":
            continue
        for action in statement["actions"]:
            granted.setdefault(action, set()).update(statement.get("resources") or [])
    return granted


def throwaway_stack() -> tuple[TerraformStack, AccountContext]:
    """A throwaway stack (never synthesized) for props-validation cases."""
    stack = TerraformStack(App(), "test")
    AwsProvider(stack, "aws", region=TEST_REGION)
    return stack, AccountContext(stack, "account", region=TEST_REGION, resource_prefix="csg-test")


def key(stack: TerraformStack, context: AccountContext, name: str) -> EncryptionKey:
    return EncryptionKey(
        stack,
        f"key-{name}",
        context=context,
        props=EncryptionKeyProps(alias=f"csg-test-{name}", description=name),
    )


def network(stack: TerraformStack, context: AccountContext) -> tuple[PlatformVpc, VpcEndpoints]:
    vpc = PlatformVpc(
        stack,
        "network",
        props=PlatformVpcProps(
            name="csg-test", cidr="10.99.0.0/16", availability_zones=("eu-west-1a", "eu-west-1b")
        ),
    )
    endpoints = VpcEndpoints(
        stack,
        "endpoints",
        context=context,
        network=vpc,
        props=VpcEndpointsProps(interface_services=("secretsmanager", "glue")),
    )
    return vpc, endpoints


def security_group(stack: TerraformStack, vpc: PlatformVpc, name: str) -> SecurityGroup:
    return SecurityGroup(stack, f"sg-{name}", name=name, description=name, vpc_id=vpc.vpc.id)


def database(stack: TerraformStack, context: AccountContext, vpc: PlatformVpc) -> PostgresDatabase:
    """A database with default (secure) props in a throwaway stack."""
    return PostgresDatabase(
        stack,
        "database",
        context=context,
        network=vpc,
        storage_key=key(stack, context, "db"),
        secrets_key=key(stack, context, "secrets"),
        logs_key=key(stack, context, "logs"),
        props=PostgresDatabaseProps(identifier="csg-test-postgres", log_retention_days=30),
    )
