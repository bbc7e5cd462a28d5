"""The `local` target: the dev environment's stacks, with the AWS provider pointed at the local emulator.

main.py builds it when CSG_TARGET=local: the same EnvironmentStack and AccountBaselineStack classes from the
same dev configuration, so every construct and setting is the one dev gets. Then `retarget_to_emulator`
changes exactly what `LOCAL_TARGET_DIFFERENCES` lists, no more; main.py prints that list at synth and the
README repeats it. Gaps in the emulator itself are not papered over here: they are closed by small moto
extensions in harness/emulator/patches/, so that no control has to be dropped from the local target.

The emulator's address is a Terraform variable (`emulator_url`), so one synthesized local target serves any
emulator run: the harness passes it as TF_VAR_emulator_url.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from environments.schema import AccountConfig, BackendConfig, EnvironmentConfig

if TYPE_CHECKING:
    from cdktf import TerraformStack

TARGET_VARIABLE = "CSG_TARGET"
"""Environment variable that selects the target main.py synthesizes: "local" for this one, unset for AWS."""
LOCAL_TARGET = "local"
SOURCE_ENVIRONMENT = "dev"
"""The environment whose configuration the local target deploys."""
EMULATOR_URL_VARIABLE = "emulator_url"
"""Terraform variable holding the emulator's base URL (http://127.0.0.1:<port>)."""
EMULATOR_ACCOUNT_ID = "123456789012"
"""The account moto serves by default."""
STATE_FILE = "terraform.tfstate"
"""Local target state: relative, so it lands in the synthesized stack's own folder."""
PROVIDER_MAX_RETRIES = 2

EMULATED_SERVICES = (
    "athena", "budgets", "cloudtrail", "cloudwatch", "configservice", "dynamodb", "ec2", "events", "glue",
    "guardduty", "iam", "identitystore", "kms", "lambda_", "logs", "rds", "s3", "s3_control", "scheduler",
    "secretsmanager", "sns", "sqs", "ssm", "ssoadmin", "sts",
)  # fmt: skip
"""Provider endpoint keys sent to the emulator: every service the platform's resources call."""


@dataclass(frozen=True, kw_only=True)
class LocalTargetDifference:
    """One way the local target differs from the dev environment it copies."""

    setting: str
    """Where it differs, e.g. "provider max_retries"."""
    local_value: str
    """What the local target uses instead (dev uses the provider's default or the dev file's value)."""
    reason: str
    """Why the emulator forces it."""


LOCAL_TARGET_DIFFERENCES: tuple[LocalTargetDifference, ...] = (
    LocalTargetDifference(
        setting="provider endpoints",
        local_value=f"var.{EMULATOR_URL_VARIABLE} for {', '.join(EMULATED_SERVICES)}",
        reason="every API call goes to the emulator on 127.0.0.1 instead of AWS",
    ),
    LocalTargetDifference(
        setting="provider http_proxy, https_proxy (no_proxy 127.0.0.1)",
        local_value=f"var.{EMULATOR_URL_VARIABLE}",
        reason="S3 Control calls go to <account-id>.<endpoint host>, which does not resolve for 127.0.0.1; "
        "the emulator answers them as a proxy. Any call to an address the endpoints miss also ends at the "
        "emulator (and fails there) instead of leaving the machine",
    ),
    LocalTargetDifference(
        setting="provider s3_use_path_style",
        local_value="true",
        reason="virtual-hosted bucket addresses (<bucket>.127.0.0.1) have no DNS name",
    ),
    LocalTargetDifference(
        setting="provider max_retries",
        local_value=str(PROVIDER_MAX_RETRIES),
        reason="an API call the emulator does not implement fails in seconds instead of being retried for "
        "minutes",
    ),
    LocalTargetDifference(
        setting="provider skip_metadata_api_check",
        local_value="true",
        reason="credentials are the emulator's dummy ones from the environment; the instance metadata "
        "address 169.254.169.254 must never be contacted",
    ),
    LocalTargetDifference(
        setting="provider allowed_account_ids",
        local_value=EMULATOR_ACCOUNT_ID,
        reason="the emulator's account; the local target refuses to act on any real account",
    ),
    LocalTargetDifference(
        setting="state backend",
        local_value=f"local file {STATE_FILE} in the synthesized stack's folder (under .local/)",
        reason="a throwaway deployment must never share state with a real environment",
    ),
)
"""Every difference between the local target and dev, with its reason: the one list (printed at synth)."""


def local_configs(
    environments: Sequence[EnvironmentConfig], account: AccountConfig
) -> tuple[tuple[EnvironmentConfig, ...], AccountConfig]:
    """The configurations the local target builds: the source environment's and the account baseline's, with
    only their state backend replaced (see LOCAL_TARGET_DIFFERENCES)."""
    local_backend = BackendConfig()
    source = [config for config in environments if config.name == SOURCE_ENVIRONMENT]
    if len(source) != 1:
        raise ValueError(f"the local target needs the {SOURCE_ENVIRONMENT!r} environment's configuration")
    return (
        (dataclasses.replace(source[0], backend=local_backend),),
        dataclasses.replace(account, backend=local_backend),
    )


def retarget_to_emulator(stack: TerraformStack) -> None:
    """Point `stack`'s AWS provider and state at the emulator, changing exactly LOCAL_TARGET_DIFFERENCES."""
    # Imported here: main.py reads this module's settings before it validates configuration, and loading
    # cdktf first would delay every configuration error by seconds.
    from cdktf import LocalBackend, TerraformBackend, TerraformVariable
    from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderEndpoints

    providers = [child for child in stack.node.children if isinstance(child, AwsProvider)]
    backends = [child for child in stack.node.children if isinstance(child, TerraformBackend)]
    if len(providers) != 1 or backends:
        raise ValueError(
            f"{stack.node.id}: expected one AWS provider and no backend yet (build it from local_configs)"
        )
    provider = providers[0]
    emulator_url = TerraformVariable(
        stack,
        EMULATOR_URL_VARIABLE,
        type="string",
        nullable=False,
        description="Base URL of the local AWS emulator, http://127.0.0.1:<port>",
    ).string_value
    provider.endpoints = [AwsProviderEndpoints(**{service: emulator_url for service in EMULATED_SERVICES})]
    provider.http_proxy = emulator_url
    provider.https_proxy = emulator_url
    provider.no_proxy = "127.0.0.1"
    provider.s3_use_path_style = True
    provider.max_retries = PROVIDER_MAX_RETRIES
    provider.skip_metadata_api_check = "true"
    provider.allowed_account_ids = [EMULATOR_ACCOUNT_ID]
    LocalBackend(stack, path=STATE_FILE)


def describe_differences() -> list[str]:
    """LOCAL_TARGET_DIFFERENCES as printable lines."""
    count = len(LOCAL_TARGET_DIFFERENCES)
    lines = [f"local target = the {SOURCE_ENVIRONMENT!r} environment except these {count} settings:"]
    lines += [
        f"  - {difference.setting} = {difference.local_value}: {difference.reason}"
        for difference in LOCAL_TARGET_DIFFERENCES
    ]
    return lines
