"""ServiceRole: trusted by one service, only from this account, and nothing else until granted."""

import pytest

from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.core.validation import PropsError
from tests.unit.modules.conftest import only, policy_statements, resources, synth


def test_role_is_assumable_only_by_its_service_from_this_account() -> None:
    synthesized = synth(
        lambda stack, context: ServiceRole(
            stack,
            "role",
            context=context,
            props=ServiceRoleProps(name="r", service="glue.amazonaws.com", description="d"),
        )
    )
    role = only(resources(synthesized, "aws_iam_role"))
    statements = policy_statements(synthesized, role["assume_role_policy"])
    assert len(statements) == 1
    trust = statements[0]
    assert trust["principals"] == [{"type": "Service", "identifiers": ["glue.amazonaws.com"]}]
    assert trust["actions"] == ["sts:AssumeRole"]
    assert trust["condition"][0]["variable"] == "aws:SourceAccount"
    assert resources(synthesized, "aws_iam_role_policy") == {}
    assert resources(synthesized, "aws_iam_role_policy_attachment") == {}


def test_invalid_role_props_are_all_reported() -> None:
    with pytest.raises(PropsError) as error:
        synth(
            lambda stack, context: ServiceRole(
                stack,
                "role",
                context=context,
                props=ServiceRoleProps(
                    name="r" * 70, service="glue", description="d", max_session_duration_seconds=60
                ),
            )
        )
    assert len(error.value.problems) == 3
