"""Least-privilege controls: the platform's roles get no wildcard on data services, only their resources."""

from typing import Any

import pytest

from tests.postdeploy.platform import Aws, Outputs, as_list, iter_pages, statements

LEAST_PRIVILEGE = "least privilege"
DATA_SERVICES = ("s3", "kms", "dynamodb", "rds", "rds-db", "secretsmanager", "glue", "athena", "sqs", "sns")
"""Services that hold or move platform data: their permissions must name the platform's resources."""
RESOURCE_STAR_ONLY: dict[str, str] = {
    "secretsmanager:getrandompassword": 'AWS authorizes it only on Resource "*" (it touches no secret)',
}
"""Data-service actions AWS authorizes only on "*", with the reason a "*" there grants nothing more."""


def _platform_roles(aws: Aws, outputs: Outputs) -> dict[str, str]:
    """Role name -> what uses it, discovered from the resources named in the outputs."""
    roles: dict[str, str] = {outputs.env("app_host_role_name"): "app host"}
    glue, lambda_ = aws.client("glue"), aws.client("lambda")
    for source, job in outputs.env("glue_job_names").items():
        roles[glue.get_job(JobName=job)["Job"]["Role"].rsplit("/", 1)[-1]] = f"Glue job {source}"
    for purpose, crawler in outputs.env("glue_crawler_names").items():
        roles[glue.get_crawler(Name=crawler)["Crawler"]["Role"].rsplit("/", 1)[-1]] = (
            f"Glue crawler {purpose}"
        )
    for output in ("ingest_function_name", "rotation_function_name"):
        function = lambda_.get_function_configuration(FunctionName=outputs.env(output))
        roles[function["Role"].rsplit("/", 1)[-1]] = output.removesuffix("_name").replace("_", " ")
    for flow_log in aws.client("ec2").describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [outputs.env("vpc_id")]}]
    )["FlowLogs"]:
        roles[flow_log["DeliverLogsPermissionArn"].rsplit("/", 1)[-1]] = "VPC flow logs"
    trail = aws.client("cloudtrail").get_trail(Name=outputs.env("trail_name"))["Trail"]
    roles[trail["CloudWatchLogsRoleArn"].rsplit("/", 1)[-1]] = "CloudTrail delivery"
    return roles


def _role_policies(aws: Aws, role: str) -> dict[str, list[dict[str, Any]]]:
    """Policy label -> statements, for the role's inline and attached policies."""
    iam = aws.client("iam")
    policies = {}
    for name in iter_pages(iam, "list_role_policies", "PolicyNames", RoleName=role):
        policies[f"inline {name}"] = statements(
            iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        )
    for attached in iter_pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role):
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(
            PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"]
        )
        policies[f"attached {attached['PolicyArn']}"] = statements(version["PolicyVersion"]["Document"])
    return policies


def _service(action: str) -> str:
    return action.split(":", 1)[0].lower() if ":" in action else "*"


def _problems(statement: dict[str, Any], outputs: Outputs) -> list[str]:
    if statement.get("Effect") != "Allow":
        return []
    actions = [str(action) for action in as_list(statement.get("Action"))]
    resources = [str(resource) for resource in as_list(statement.get("Resource"))]
    found = []
    for action in actions:
        service = _service(action)
        if action == "*" or (service in DATA_SERVICES and action.split(":", 1)[1].startswith("*")):
            found.append(f"wildcard action {action}")
    data_actions = [
        a for a in actions if _service(a) in DATA_SERVICES and a.lower() not in RESOURCE_STAR_ONLY
    ]
    if data_actions and "*" in resources:
        found.append(f'Resource "*" for {", ".join(sorted(data_actions))}')
    if data_actions or "NotAction" in statement or "NotResource" in statement:
        found += [
            f"{element} in an Allow" for element in ("NotAction", "NotResource") if element in statement
        ]
        for resource in resources:
            if resource == "*":
                continue
            parts = resource.split(":")
            if len(parts) < 6:
                found.append(f"malformed resource {resource}")
            elif parts[2] == "s3" and not parts[5].startswith(f"csg-{outputs.environment_name}-"):
                found.append(f"bucket resource {resource} is not one of the platform's buckets")
            elif parts[2] != "s3" and parts[4] not in (outputs.account_id, "aws", ""):
                found.append(f"resource {resource} is in another account")
            elif parts[2] != "s3" and parts[4] == "":
                found.append(f"resource {resource} names no account")
    return found


@pytest.mark.control(
    LEAST_PRIVILEGE, "IAM: no wildcard action or resource on data services; only own resources"
)
def test_role_policies_have_no_wildcards_on_data_services(aws: Aws, outputs: Outputs) -> None:
    problems = []
    for role, used_by in sorted(_platform_roles(aws, outputs).items()):
        for label, policy_statements in _role_policies(aws, role).items():
            for statement in policy_statements:
                problems += [
                    f"{role} ({used_by}) {label}: {problem}" for problem in _problems(statement, outputs)
                ]
    assert not problems, "\n".join(problems)


@pytest.mark.control(LEAST_PRIVILEGE, "IAM policy simulator: roles cannot read data outside the platform")
@pytest.mark.only_on(
    "aws", reason="moto does not implement the IAM policy simulator (SimulatePrincipalPolicy)"
)
def test_policy_simulator_denies_foreign_data(aws: Aws, outputs: Outputs) -> None:
    iam = aws.client("iam")
    arn_prefix = f"{outputs.region}:{outputs.account_id}"
    foreign = {
        "s3:GetObject": "arn:aws:s3:::not-a-cloudsafeguard-bucket/any-object",
        "dynamodb:GetItem": f"arn:aws:dynamodb:{arn_prefix}:table/not-a-platform-table",
        "secretsmanager:GetSecretValue": f"arn:aws:secretsmanager:{arn_prefix}:secret:not-a-platform-AbCdEf",
    }
    allowed = []
    for role in sorted(_platform_roles(aws, outputs)):
        arn = iam.get_role(RoleName=role)["Role"]["Arn"]
        for action, resource in foreign.items():
            result = iam.simulate_principal_policy(
                PolicySourceArn=arn, ActionNames=[action], ResourceArns=[resource]
            )["EvaluationResults"][0]
            if result["EvalDecision"] == "allowed":
                allowed.append(f"{role}: {action} on {resource}")
    assert not allowed, "roles allowed outside the platform: " + "; ".join(allowed)
