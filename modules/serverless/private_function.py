"""A Lambda function in the private subnets: own role and security group, encrypted environment and logs,
X-Ray tracing, reserved concurrency and (for asynchronous invocations) an encrypted dead-letter queue.

Code is packaged with cdktf's TerraformAsset (no archive provider needed): only the files matching `include`
go into a reproducible zip (sorted entries, fixed timestamps and modes), content-addressed under build/, so
bytecode caches or test files beside the code never change the package, and an unchanged function never
shows a diff. Zipping here rather than with an ARCHIVE asset also spares cdktf a node process per function.
"""

import hashlib
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from cdktf import AssetType, Fn, ITerraformDependable, TerraformAsset
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.lambda_function import (
    LambdaFunction,
    LambdaFunctionDeadLetterConfig,
    LambdaFunctionEnvironment,
    LambdaFunctionTracingConfig,
    LambdaFunctionVpcConfig,
)
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.access.service_role import ServiceRole, ServiceRoleProps
from modules.core.context import AccountContext
from modules.core.defaults import report_weakened_default
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey
from modules.network.endpoints import VpcEndpoints
from modules.network.vpc import PlatformVpc
from modules.observability.log_group import EncryptedLogGroup, EncryptedLogGroupProps

PACKAGE_STAGING_DIR = Path(__file__).resolve().parents[2] / "build" / "function-packages"
REPRODUCIBLE_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Where the files of each package are staged (git-ignored), one folder per content hash."""
# Lambda needs these EC2 actions to place the function's network interfaces in the VPC; AWS's managed
# policy is the documented way to grant them (the actions are not scoped to a resource by Lambda).
VPC_ACCESS_POLICY = "arn:{partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
FUNCTION_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HTTPS_PORT = 443


@dataclass(frozen=True, kw_only=True)
class PrivateFunctionProps:
    """Settings of a PrivateFunction."""

    name: str
    """Required. Function name (1-64 of A-Z a-z 0-9 _ -); its log group is /aws/lambda/<name>."""
    description: str
    """Required. What the function does."""
    source_dir: Path
    """Required. Folder holding the code."""
    handler: str
    """Required. Module and function, e.g. "handler.handle"."""
    log_retention_days: int
    """Required. Retention of the function's log group (the environment's log_retention_days)."""
    include: tuple[str, ...] = ("*.py",)
    """Default ("*.py",). Glob patterns (relative to source_dir, not recursive) of the files packaged."""
    runtime: str = "python3.12"
    """Default "python3.12"."""
    architecture: str = "arm64"
    """Default "arm64" (Graviton: cheaper; the code is pure Python)."""
    memory_mb: int = 256
    """Default 256."""
    timeout_seconds: int = 60
    """Default 60."""
    environment: dict[str, str] = field(default_factory=dict)
    """Default none. Environment variables, encrypted with the environment key. Never put secrets here:
    functions read them from Secrets Manager."""
    reserved_concurrency: int = 1
    """Default 1. Concurrency reserved for (and capping) the function, so it can neither starve nor be
    starved by other functions in the account."""
    dead_letter_queue: bool = True
    """Default true. Failed asynchronous invocations go to an encrypted SQS queue. Turn off only for
    functions invoked synchronously (a DLQ never receives anything for them); reported when off."""
    dead_letter_retention_seconds: int = 1209600
    """Default 1209600 (14 days, SQS's maximum): time to investigate a failed event."""


class PrivateFunction(Construct):
    """`self.function`, `self.role` (ServiceRole), `self.security_group` (egress: HTTPS to the VPC
    endpoints only, until `allow_egress_to` adds more), `self.log_group`, `self.dead_letter_queue`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        network: PlatformVpc,
        endpoints: VpcEndpoints,
        environment_key: EncryptionKey,
        logs_key: EncryptionKey,
        dead_letter_key: EncryptionKey | None,
        props: PrivateFunctionProps,
    ) -> None:
        super().__init__(scope, construct_id)
        self._check(props, dead_letter_key)
        self.context = context
        self.name = props.name

        self.role = ServiceRole(
            self,
            "role",
            context=context,
            props=ServiceRoleProps(
                name=f"{props.name}-function"[:64],
                service="lambda.amazonaws.com",
                description=f"Execution role of the {props.name} function",
            ),
        )
        role = self.role.role
        vpc_access = IamRolePolicyAttachment(
            self,
            "vpc-access",
            role=role.name,
            policy_arn=VPC_ACCESS_POLICY.format(partition=context.partition),
        )
        self.log_group = EncryptedLogGroup(
            self,
            "logs",
            key=logs_key,
            props=EncryptedLogGroupProps(
                name=f"/aws/lambda/{props.name}", retention_days=props.log_retention_days
            ),
        )
        self.log_group.grant_write(role)
        environment_key.grant_decrypt(role, via_service=f"lambda.{context.region}.amazonaws.com")
        attach_grant(
            self,
            role,
            # X-Ray's write actions have no resource-level permissions.
            (
                Statement(
                    sid="WriteTraces",
                    actions=("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
                    resources=("*",),
                ),
            ),
        )

        self.security_group = SecurityGroup(
            self,
            "security-group",
            name=f"{props.name}-function",
            description=f"Function {props.name}: egress to the VPC endpoints (and named peers) only",
            vpc_id=network.vpc.id,
            tags={"Name": f"{props.name}-function"},
        )
        self.allow_egress_to(endpoints.security_group, HTTPS_PORT, "HTTPS to the interface endpoints")
        for service, gateway in endpoints.gateways.items():
            VpcSecurityGroupEgressRule(
                self,
                f"https-to-{service}-gateway",
                security_group_id=self.security_group.id,
                description=f"HTTPS to {service} through its gateway endpoint",
                ip_protocol="tcp",
                from_port=HTTPS_PORT,
                to_port=HTTPS_PORT,
                prefix_list_id=gateway.prefix_list_id,
            )

        dependencies: list[ITerraformDependable] = [vpc_access, self.log_group.log_group]
        self.dead_letter_queue: SqsQueue | None = None
        if dead_letter_key is not None:
            self.dead_letter_queue = SqsQueue(
                self,
                "dead-letter-queue",
                name=f"{props.name}-dlq",
                kms_master_key_id=dead_letter_key.arn,
                kms_data_key_reuse_period_seconds=300,
                message_retention_seconds=props.dead_letter_retention_seconds,
            )
            # Lambda checks that the role may send to the queue when the function is created.
            dead_letter_policy = attach_grant(
                self,
                role,
                (
                    Statement(
                        sid="SendFailedEvents",
                        actions=("sqs:SendMessage",),
                        resources=(self.dead_letter_queue.arn,),
                    ),
                ),
            )
            dead_letter_key.grant_encrypt_decrypt(role, via_service=f"sqs.{context.region}.amazonaws.com")
            dependencies.append(dead_letter_policy)

        package = TerraformAsset(self, "package", path=str(_packaged_zip(props)), type=AssetType.FILE)
        self.function = LambdaFunction(
            self,
            "function",
            function_name=props.name,
            description=props.description,
            role=role.arn,
            runtime=props.runtime,
            architectures=[props.architecture],
            handler=props.handler,
            filename=package.path,
            source_code_hash=Fn.filebase64sha256(package.path),
            memory_size=props.memory_mb,
            timeout=props.timeout_seconds,
            reserved_concurrent_executions=props.reserved_concurrency,
            kms_key_arn=environment_key.arn,
            environment=LambdaFunctionEnvironment(variables=dict(props.environment))
            if props.environment
            else None,
            tracing_config=LambdaFunctionTracingConfig(mode="Active"),
            vpc_config=LambdaFunctionVpcConfig(
                subnet_ids=network.private_subnet_ids, security_group_ids=[self.security_group.id]
            ),
            dead_letter_config=LambdaFunctionDeadLetterConfig(target_arn=self.dead_letter_queue.arn)
            if self.dead_letter_queue is not None
            else None,
            depends_on=dependencies,
        )

    def _check(self, props: PrivateFunctionProps, dead_letter_key: EncryptionKey | None) -> None:
        problems = []
        if not FUNCTION_NAME_PATTERN.fullmatch(props.name):
            problems.append(f"name: {props.name!r} must be 1-64 of A-Z a-z 0-9 _ -")
        if not props.source_dir.is_dir():
            problems.append(f"source_dir: {props.source_dir} is not a folder")
        elif not _packaged_files(props):
            problems.append(f"include: no file in {props.source_dir} matches {', '.join(props.include)}")
        if not 128 <= props.memory_mb <= 10240:
            problems.append(f"memory_mb: {props.memory_mb} must be between 128 and 10240")
        if not 1 <= props.timeout_seconds <= 900:
            problems.append(f"timeout_seconds: {props.timeout_seconds} must be between 1 and 900")
        if props.reserved_concurrency < 1:
            problems.append("reserved_concurrency: must be at least 1 (0 would disable the function)")
        if props.dead_letter_queue and dead_letter_key is None:
            problems.append("dead_letter_key: required when dead_letter_queue is on")
        if not props.dead_letter_queue and dead_letter_key is not None:
            problems.append("dead_letter_key: given but dead_letter_queue is off")
        raise_if_problems(self, problems)
        if not props.dead_letter_queue:
            report_weakened_default(self, "dead_letter_queue", True, False)

    def allow_egress_to(self, security_group: SecurityGroup, port: int, description: str) -> None:
        """Let the function open TCP connections to `security_group` on `port` (the peer must admit it)."""
        VpcSecurityGroupEgressRule(
            self,
            f"egress-{port}-to-{security_group.friendly_unique_id}",
            security_group_id=self.security_group.id,
            description=description,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=security_group.id,
        )

    def allow_invocation(self, statement_id: str, principal: str, source_arn: str) -> LambdaPermission:
        """Let the service `principal` invoke the function, only for the resource `source_arn`."""
        return LambdaPermission(
            self,
            f"invoke-{statement_id}",
            statement_id=statement_id,
            action="lambda:InvokeFunction",
            function_name=self.function.function_name,
            principal=principal,
            source_arn=source_arn,
            source_account=self.context.account_id,
        )

    def allow_invocation_by_secrets_manager(self, secret_arn: str) -> LambdaPermission:
        """Let Secrets Manager invoke the function to rotate the secret `secret_arn` (and no other)."""
        index = sum(1 for child in self.node.children if child.node.id.startswith("invoke-rotate-"))
        return self.allow_invocation(f"rotate-{index}", "secretsmanager.amazonaws.com", secret_arn)


def _packaged_files(props: PrivateFunctionProps) -> list[Path]:
    found = {path for pattern in props.include for path in props.source_dir.glob(pattern) if path.is_file()}
    return sorted(found)


def _packaged_zip(props: PrivateFunctionProps) -> Path:
    """A reproducible zip of exactly the packaged files, named by content hash (reused when unchanged)."""
    files = _packaged_files(props)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    target = PACKAGE_STAGING_DIR / f"{props.name}-{digest.hexdigest()[:16]}.zip"
    if target.is_file():
        return target
    PACKAGE_STAGING_DIR.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}-", dir=PACKAGE_STAGING_DIR)
    with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            entry = zipfile.ZipInfo(path.name, date_time=REPRODUCIBLE_ZIP_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())
    os.chmod(partial, 0o644)
    # Atomic: a concurrent synth of the same content writes an identical file.
    os.replace(partial, target)
    return target
