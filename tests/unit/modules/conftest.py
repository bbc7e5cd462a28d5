"""Helpers for construct unit tests: build constructs in a throwaway stack and read the synthesized JSON."""

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider

from modules.aspects.forbidden_settings import ForbiddenSettings
from modules.core.context import AccountContext

Synthesized = dict[str, Any]
Builder = Callable[[TerraformStack, AccountContext], object]

TEST_REGION = "eu-west-1"


def synth(build: Builder, *, aspects_production: bool | None = None) -> Synthesized:
    """Run `build(stack, context)` in a fresh stack and return the stack's Terraform JSON as a dict.

    With `aspects_production` set, the platform's ForbiddenSettings aspect is applied (prod rules if True).
    """
    with tempfile.TemporaryDirectory() as outdir:
        app = App(outdir=outdir)
        stack = TerraformStack(app, "test")
        AwsProvider(stack, "aws", region=TEST_REGION)
        context = AccountContext(stack, "account", region=TEST_REGION, resource_prefix="csg-test")
        build(stack, context)
        if aspects_production is not None:
            ForbiddenSettings.apply_to(stack, production=aspects_production)
        # A real synth: it runs aspects and fails on error annotations, as `cdktf synth` does.
        app.synth()
        return json.loads((Path(outdir) / "stacks" / "test" / "cdk.tf.json").read_text())  # type: ignore[no-any-return]


def resources(synthesized: Synthesized, resource_type: str) -> dict[str, Any]:
    """All resources of one type, by logical ID."""
    return synthesized.get("resource", {}).get(resource_type, {})  # type: ignore[no-any-return]


def data_sources(synthesized: Synthesized, data_type: str) -> dict[str, Any]:
    """All data sources of one type, by logical ID."""
    return synthesized.get("data", {}).get(data_type, {})  # type: ignore[no-any-return]


def only(items: dict[str, Any]) -> Any:
    """The single value of a one-item mapping (fails the test otherwise)."""
    assert len(items) == 1, f"expected exactly one, got {sorted(items)}"
    return next(iter(items.values()))


def policy_statements(synthesized: Synthesized, reference: str) -> list[dict[str, Any]]:
    """Statements of the policy document that `reference` ("${data.aws_iam_policy_document.X.json}") names."""
    logical_id = reference.removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
    document = data_sources(synthesized, "aws_iam_policy_document")[logical_id]
    return document["statement"]  # type: ignore[no-any-return]


def warnings_of(app_stack_build: Builder) -> list[str]:
    """Warning annotations (e.g. weakened defaults) recorded while building."""
    app = App()
    stack = TerraformStack(app, "test")
    AwsProvider(stack, "aws", region=TEST_REGION)
    context = AccountContext(stack, "account", region=TEST_REGION, resource_prefix="csg-test")
    app_stack_build(stack, context)
    found: list[str] = []
    for construct in stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == "@cdktf/warn" or "warn" in entry.type:
                found.append(str(entry.data))
    return found


@pytest.fixture
def synthesize() -> Callable[..., Synthesized]:
    return synth
