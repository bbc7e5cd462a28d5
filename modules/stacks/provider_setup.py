"""Provider and state backend for a stack: region, default tags, account guard, and where state lives."""

from cdktf import CloudBackend, NamedCloudWorkspace, S3Backend, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags

from environments.schema import BackendConfig, TagsConfig


def configure_provider(
    stack: TerraformStack,
    *,
    region: str,
    allowed_account_ids: tuple[str, ...],
    tags: TagsConfig,
    environment: str,
) -> AwsProvider:
    """The AWS provider with default tags on every resource and, when configured, an account allow-list."""
    return AwsProvider(
        stack,
        "aws",
        region=region,
        allowed_account_ids=list(allowed_account_ids) or None,
        default_tags=[
            AwsProviderDefaultTags(
                tags={
                    "project": tags.project,
                    "environment": environment,
                    "owner": tags.owner,
                    "cost-centre": tags.cost_centre,
                    "managed-by": "cloudsafeguard",
                }
            )
        ],
    )


def configure_backend(stack: TerraformStack, *, backend: BackendConfig, stack_name: str, region: str) -> None:
    """Local state by default; S3 (native lock file, encrypted) or Terraform Cloud when configured."""
    if backend.kind == "s3":
        assert backend.bucket is not None
        S3Backend(
            stack,
            bucket=backend.bucket,
            key=backend.key or f"{stack_name}/terraform.tfstate",
            region=backend.region or region,
            encrypt=True,
        )
        # S3-native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no typed field for it.
        stack.add_override("terraform.backend.s3.use_lockfile", True)
    elif backend.kind == "cloud":
        assert backend.organization is not None
        CloudBackend(
            stack,
            organization=backend.organization,
            workspaces=NamedCloudWorkspace(backend.workspace or f"cloudsafeguard-{stack_name}"),
        )
