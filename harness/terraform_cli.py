"""Run the real Terraform CLI with the project's own CLI configuration.

`terraform init` cannot download providers on an offline machine, so the project writes its own CLI
config (terraform-cli.tfrc, ignored by git) that installs hashicorp/aws from a filesystem mirror:
- the mirror is $CSG_TF_PROVIDER_MIRROR when set (it must exist), else the first of KNOWN_MIRRORS that holds
  registry.terraform.io/hashicorp/aws;
- with no mirror found, providers come from the registry as usual (a machine with internet).
The file is always passed through TF_CLI_CONFIG_FILE, which also overrides a TF_CLI_CONFIG_FILE pointing at a
file that does not exist (Terraform warns on every command otherwise).
"""

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

MIRROR_VARIABLE = "CSG_TF_PROVIDER_MIRROR"
KNOWN_MIRRORS = (
    "/opt/tf-plugins",
    "/usr/share/terraform/plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
)
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLI_CONFIG_FILE = PROJECT_ROOT / "terraform-cli.tfrc"


class TerraformSetupError(RuntimeError):
    """The provider mirror setting points somewhere unusable."""


def find_provider_mirror(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The filesystem mirror to install providers from, or None to use the registry."""
    configured = environ.get(MIRROR_VARIABLE)
    if configured:
        path = Path(configured).expanduser()
        if not (path / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            raise TerraformSetupError(
                f"{MIRROR_VARIABLE}={configured}: no registry.terraform.io/hashicorp/aws inside it"
            )
        return path
    for candidate in KNOWN_MIRRORS:
        path = Path(candidate).expanduser()
        if (path / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return path
    return None


def cli_config_text(mirror: Path | None) -> str:
    """HCL for the CLI config: the mirror for hashicorp/aws when there is one, the registry for the rest."""
    if mirror is None:
        return "# No provider mirror found: providers come from the registry.\n"
    return (
        "# Written by harness/terraform_cli.py: providers from the local filesystem mirror.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        '    include = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "}\n"
    )


def write_cli_config(environ: Mapping[str, str] = os.environ) -> Path:
    """Write terraform-cli.tfrc for this machine and return its path."""
    text = cli_config_text(find_provider_mirror(environ))
    if not CLI_CONFIG_FILE.exists() or CLI_CONFIG_FILE.read_text() != text:
        CLI_CONFIG_FILE.write_text(text)
    return CLI_CONFIG_FILE


def terraform_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ plus the project's CLI config, no interactive prompts, and `extra`."""
    environment = dict(os.environ)
    environment["TF_CLI_CONFIG_FILE"] = str(write_cli_config())
    environment["TF_IN_AUTOMATION"] = "1"
    environment["TF_INPUT"] = "0"
    environment.setdefault("CHECKPOINT_DISABLE", "1")
    environment.update(extra or {})
    return environment


def run_terraform(
    arguments: Sequence[str],
    *,
    cwd: Path,
    extra_env: Mapping[str, str] | None = None,
    capture: bool = True,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run `terraform <arguments>` in `cwd`; on failure (with check) raise with Terraform's own output."""
    result = subprocess.run(
        ["terraform", *arguments],
        cwd=cwd,
        env=terraform_environment(extra_env),
        text=True,
        capture_output=capture,
        check=False,
    )
    if check and result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, result.args, result.stdout, result.stderr)
    return result


def main(argv: Sequence[str]) -> int:
    """`python -m harness.terraform_cli <terraform args>`: terraform with the project's CLI config."""
    return run_terraform(list(argv), cwd=Path.cwd(), capture=False, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
