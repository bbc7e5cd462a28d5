"""`terraform init` (offline mirror, no backend) and `terraform validate` on every synthesized stack."""

import argparse
import sys
from pathlib import Path

from harness.terraform_cli import run_terraform


def validate_stack(stack_dir: Path) -> tuple[bool, str]:
    """(valid, Terraform's diagnostics) for one stack folder."""
    init = run_terraform(["init", "-backend=false", "-no-color"], cwd=stack_dir, check=False)
    if init.returncode != 0:
        return False, init.stdout + init.stderr
    result = run_terraform(["validate", "-no-color"], cwd=stack_dir, check=False)
    return result.returncode == 0, result.stdout + result.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synth-dir", type=Path, default=Path("cdktf.out"))
    arguments = parser.parse_args(argv)
    stacks = sorted(path.parent for path in (arguments.synth_dir / "stacks").glob("*/cdk.tf.json"))
    if not stacks:
        print(f"error: no synthesized stacks under {arguments.synth_dir}/stacks", file=sys.stderr)
        return 2
    failures = 0
    for stack in stacks:
        valid, diagnostics = validate_stack(stack)
        print(f"{'valid  ' if valid else 'INVALID'} {stack.name}")
        if not valid:
            failures += 1
            print(diagnostics, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
