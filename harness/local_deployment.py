"""The local target deployed on the emulator with the real Terraform CLI: synth, init, apply, plan, destroy.

Everything lives under one folder (default `.local/`, ignored by git):

    cdktf.out/stacks/<stack>/   the synthesized local target; Terraform runs here and keeps its state here
    logs/                        the emulator's log and one log per Terraform command and stack
    outputs.json                 every stack's Terraform outputs after apply: {"dev": {...}, ...}
    env                          export lines that point the aws CLI / boto3 at the emulator (`make local-up`)
    emulator.json                pid and URL of a detached emulator (`make local-up`)

The stacks are independent (the account baseline and dev share no references), so every Terraform command
runs on all of them at once. Terraform only ever talks to the emulator: its environment is the emulator
endpoint's (dummy credentials, no shared config, no instance metadata) and the synthesized provider sends
every call, proxied or not, to 127.0.0.1.
"""

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar
from urllib.parse import urlparse

import boto3
from botocore.config import Config

from harness.emulator.server import EMULATOR_HOST, EmulatorEndpoint
from harness.terraform_cli import run_terraform

REPOSITORY_ROOT: Final = Path(__file__).resolve().parent.parent
DEFAULT_ROOT: Final = REPOSITORY_ROOT / ".local"
EMULATOR_URL_TF_VARIABLE: Final = "TF_VAR_emulator_url"
"""How Terraform receives the emulator's URL (the local target's `emulator_url` variable)."""
APPLY_PARALLELISM: Final = 30
"""For apply, plan and destroy. Terraform's default is 10; the emulator answers at once, so more concurrent
calls shorten the critical path of the provider's fixed waits (S3 lifecycle, RDS) and of plan's refresh."""
_APPLY_SUMMARY = re.compile(r"Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed")
_DESTROY_SUMMARY = re.compile(r"Destroy complete! Resources: (\d+) destroyed")
_DESTROYED_LINE = re.compile(r"^\S+: Destruction complete after", re.MULTILINE)

_Result = TypeVar("_Result")


class DeploymentError(RuntimeError):
    """A step of the local deployment failed; the message names the stack and quotes Terraform."""


@dataclass(frozen=True, kw_only=True)
class PlanResult:
    """`terraform plan -detailed-exitcode` on one stack."""

    stack: str
    """The stack planned."""
    changes: bool
    """True when Terraform would change something (exit code 2)."""
    summary: str
    """Terraform's plan output (what it would change), for the report."""


class LocalDeployment:
    """The local target under `root`, deployed to the emulator at `endpoint`."""

    def __init__(self, *, endpoint: EmulatorEndpoint, root: Path = DEFAULT_ROOT) -> None:
        """`endpoint`: required, the running emulator. `root`: default `.local/` in the repository."""
        self.endpoint = endpoint
        self.root = root
        self.synth_dir = root / "cdktf.out"
        self.log_dir = root / "logs"
        self.outputs_file = root / "outputs.json"

    # Synthesis

    def synthesize(self) -> list[str]:
        """Synthesize the local target under this deployment's root; see `synthesize_local_target`."""
        return synthesize_local_target(self.root)

    def stack_dirs(self) -> dict[str, Path]:
        """Synthesized stack name -> its folder."""
        found = {
            path.parent.name: path.parent for path in sorted(self.synth_dir.glob("stacks/*/cdk.tf.json"))
        }
        if not found:
            raise DeploymentError(f"no synthesized stacks under {self.synth_dir}/stacks: synthesize first")
        return found

    # Terraform

    def terraform_environment(self) -> dict[str, str]:
        """What Terraform's environment must hold on top of run_terraform's (which keeps the project's CLI
        config): the emulator's endpoint and dummy credentials, every other inherited AWS_* variable blanked
        (the AWS SDK treats an empty value as unset, so no real profile or credentials leak in), and the
        emulator's URL as the local target's variable."""
        emulator = self.endpoint.environment({})
        environment = {name: "" for name in os.environ if name.startswith("AWS_")}
        environment.update(emulator)
        environment[EMULATOR_URL_TF_VARIABLE] = self.endpoint.url
        return environment

    def init(self) -> None:
        """`terraform init` on every stack (providers from the offline mirror)."""
        self._on_every_stack("init", ["init", "-input=false", "-no-color"])

    def apply(self) -> int:
        """`terraform apply` on every stack; return the number of resources created."""
        outputs = self._on_every_stack(
            "apply",
            ["apply", "-auto-approve", "-input=false", "-no-color", f"-parallelism={APPLY_PARALLELISM}"],
        )
        return sum(_count(_APPLY_SUMMARY, output) for output in outputs.values())

    def plan(self) -> list[PlanResult]:
        """`terraform plan -detailed-exitcode` on every stack: what a second apply would change."""

        def plan_stack(stack: str, folder: Path) -> PlanResult:
            arguments = [
                "plan",
                "-detailed-exitcode",
                "-input=false",
                "-no-color",
                "-lock=false",
                f"-parallelism={APPLY_PARALLELISM}",
            ]
            result = self._terraform(stack, "plan", folder, arguments, accept=(0, 2))
            return PlanResult(
                stack=stack, changes=result.returncode == 2, summary=_plan_changes(result.stdout)
            )

        return list(self._parallel(plan_stack).values())

    def outputs(self) -> dict[str, dict[str, object]]:
        """Every stack's Terraform outputs ({stack: {name: value}}), also written to `outputs_file`."""

        def read(stack: str, folder: Path) -> dict[str, object]:
            result = self._terraform(stack, "output", folder, ["output", "-json", "-no-color"])
            return {name: entry["value"] for name, entry in json.loads(result.stdout).items()}

        outputs = self._parallel(read)
        self.outputs_file.write_text(json.dumps(outputs, indent=2, sort_keys=True))
        return outputs

    def destroy(self) -> int:
        """`terraform destroy` every stack, on the emulator; return the number of resources destroyed.

        The platform keeps data on destroy where it must (the account baseline's buckets have no
        force_destroy), and the emulator delivers S3 access logs as AWS does; on a throwaway emulator the
        buckets' logging is turned off and their content deleted first, and once more before a second pass
        if Terraform still found a bucket holding objects. The first pass skips the refresh (the state was
        just applied and checked); the second, if any, refreshes, so out-of-band changes cannot stop it.
        """

        def destroy_stack(stack: str, folder: Path) -> int:
            arguments = [
                "destroy",
                "-auto-approve",
                "-input=false",
                "-no-color",
                f"-parallelism={APPLY_PARALLELISM}",
            ]
            self.empty_buckets()
            first = self._terraform(stack, "destroy", folder, [*arguments, "-refresh=false"], accept=(0, 1))
            if first.returncode == 0:
                return _count(_DESTROY_SUMMARY, first.stdout)
            self.empty_buckets()
            second = self._terraform(stack, "destroy-retry", folder, arguments)
            return _count(_DESTROYED_LINE, first.stdout) + _count(_DESTROY_SUMMARY, second.stdout)

        return sum(self._parallel(destroy_stack).values())

    def empty_buckets(self) -> int:
        """Turn off server access logging on every bucket of the emulator (so that the requests of destroy
        itself deliver no new log objects), then delete every object version and delete marker in every
        bucket; return how many were deleted."""
        if urlparse(self.endpoint.url).hostname != EMULATOR_HOST:
            raise DeploymentError(f"refusing to empty buckets outside the emulator: {self.endpoint.url}")
        s3 = boto3.client(
            "s3", config=Config(s3={"addressing_style": "path"}), **self.endpoint.client_kwargs()
        )
        deleted = 0
        buckets = s3.list_buckets().get("Buckets", [])
        for bucket in buckets:
            s3.put_bucket_logging(Bucket=bucket["Name"], BucketLoggingStatus={})
        for bucket in buckets:
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket["Name"]):
                versions = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                if versions:
                    objects: list[Any] = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]
                    s3.delete_objects(Bucket=bucket["Name"], Delete={"Objects": objects, "Quiet": True})
                    deleted += len(objects)
        return deleted

    def _on_every_stack(self, command: str, arguments: Sequence[str]) -> dict[str, str]:
        def run(stack: str, folder: Path) -> str:
            return self._terraform(stack, command, folder, arguments).stdout

        return self._parallel(run)

    def _parallel(self, step: Callable[[str, Path], _Result]) -> dict[str, _Result]:
        stacks = self.stack_dirs()
        with ThreadPoolExecutor(max_workers=len(stacks)) as pool:
            futures = {stack: pool.submit(step, stack, folder) for stack, folder in stacks.items()}
            failures = []
            results: dict[str, _Result] = {}
            for stack, future in futures.items():
                try:
                    results[stack] = future.result()
                except DeploymentError as error:
                    failures.append(str(error))
        if failures:
            raise DeploymentError("\n".join(failures))
        return results

    def _terraform(
        self, stack: str, command: str, folder: Path, arguments: Sequence[str], accept: tuple[int, ...] = (0,)
    ) -> subprocess.CompletedProcess[str]:
        result = run_terraform(arguments, cwd=folder, extra_env=self.terraform_environment(), check=False)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        (self.log_dir / f"{stack}-{command}.log").write_text(result.stdout + result.stderr)
        if result.returncode not in accept:
            raise DeploymentError(
                f"terraform {command} failed on stack {stack} (exit {result.returncode}); "
                f"log: {self.log_dir / f'{stack}-{command}.log'}\n{_tail(result.stderr or result.stdout)}"
            )
        return result


def synthesize_local_target(root: Path) -> list[str]:
    """Synthesize the local target (main.py with CSG_TARGET=local) into `root`/cdktf.out; return what main.py
    printed, which includes the list of local-target differences. Needs no emulator."""
    log_dir = root / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "CSG_TARGET": "local", "CDKTF_OUTDIR": str(root / "cdktf.out")}
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=REPOSITORY_ROOT,
        env=environment,
        text=True,
        capture_output=True,
        check=False,
    )
    (log_dir / "synth.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise DeploymentError(
            f"synth failed (exit {result.returncode}):\n{_tail(result.stdout + result.stderr)}"
        )
    return result.stdout.splitlines()


def shell_exports(endpoint: EmulatorEndpoint) -> list[str]:
    """`export` lines that point the aws CLI, boto3 and Terraform at `endpoint` (dummy credentials)."""
    variables: Mapping[str, str] = {
        "AWS_ENDPOINT_URL": endpoint.url,
        "AWS_REGION": endpoint.region,
        "AWS_DEFAULT_REGION": endpoint.region,
        "AWS_ACCESS_KEY_ID": endpoint.client_kwargs()["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": endpoint.client_kwargs()["aws_secret_access_key"],
        EMULATOR_URL_TF_VARIABLE: endpoint.url,
    }
    return [f"export {name}={value}" for name, value in variables.items()]


def read_exports(path: Path) -> dict[str, str]:
    """The variables of an `export NAME=value` file written from `shell_exports`."""
    variables = {}
    for line in path.read_text().splitlines():
        if line.startswith("export ") and "=" in line:
            name, value = line.removeprefix("export ").split("=", 1)
            variables[name] = value
    return variables


def _count(pattern: re.Pattern[str], output: str) -> int:
    """The number a summary pattern captured, or (for a pattern without a group) how many lines matched."""
    if pattern.groups == 0:
        return len(pattern.findall(output))
    match = pattern.search(output)
    return int(match.group(1)) if match else 0


def _plan_changes(output: str) -> str:
    """What a plan would change: each resource's heading and its changed attributes (no nested detail)."""
    lines = [
        line
        for line in output.splitlines()
        if (line.startswith("  # ") and "read during apply" not in line and "(depends on" not in line)
        or line.startswith("Plan:")
        or " -> " in line
        or "# forces replacement" in line
    ]
    return "\n".join(lines[:80])


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
