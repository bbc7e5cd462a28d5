"""CloudSafeGuard app: load and validate the environments, build one stack each plus the account
baseline, and synthesize them all in one process. Nothing else happens here.

Environments: all files in environments/ by default; a subset with CSG_ENVIRONMENTS=dev,prod.
CSG_TARGET=local synthesizes the local target instead: dev and the account baseline pointed at the local
emulator (modules/stacks/local_target.py lists, and this prints, every way it differs from dev).
Output: $CDKTF_OUTDIR (set by the cdktf CLI), default cdktf.out/. Output is written to a temporary folder
and moved into place only when synth succeeds, so a failed run leaves the previous output untouched.
"""

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

# Node 20 is what this platform's machines ship; jsii's end-of-life banner would bury every synth's output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

# Before any cdktf/construct/provider import: load only the provider bindings used (issue 7).
from harness import provider_loader

provider_loader.install()

from environments import ConfigurationError, load_account_config, load_environments  # noqa: E402
from modules.core.validation import PropsError  # noqa: E402
from modules.stacks import local_target  # noqa: E402

SELECTION_VARIABLE = "CSG_ENVIRONMENTS"


def selected_environment_names() -> list[str] | None:
    """Names from $CSG_ENVIRONMENTS (comma-separated), or None for all."""
    raw = os.environ.get(SELECTION_VARIABLE, "").strip()
    return [name.strip() for name in raw.split(",") if name.strip()] or None


def synthesize(outdir: Path, notes: list[str] | None = None) -> list[str]:
    """Validate every environment, then synthesize into `outdir` (replaced only on success).

    Returns the stack names; appends the constructs' info and warning annotations (weakened defaults,
    features left off) to `notes`. Raises ConfigurationError before anything is written when input is
    bad, and SynthesisError when a construct or aspect rejects what was asked of it.
    """
    local = os.environ.get(local_target.TARGET_VARIABLE) == local_target.LOCAL_TARGET
    names = [local_target.SOURCE_ENVIRONMENT] if local else selected_environment_names()
    environments = load_environments(names)
    account = load_account_config()
    if local:
        environments, account = local_target.local_configs(environments, account)

    from cdktf import App

    from modules.stacks.account_baseline_stack import AccountBaselineStack
    from modules.stacks.environment_stack import EnvironmentStack

    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}-", dir=outdir.parent))
    try:
        app = App(outdir=str(staging), context=APP_CONTEXT)
        stacks = [EnvironmentStack(app, config) for config in environments]
        baseline = AccountBaselineStack(app, account)
        if local:
            for stack in [*stacks, baseline]:
                local_target.retarget_to_emulator(stack)
        try:
            app.synth()
        except RuntimeError as error:
            # jsii wraps the aspects' error annotations (forbidden settings) in a RuntimeError.
            raise SynthesisError(str(error).removeprefix("Error: ")) from None
        if notes is not None:
            notes += _annotations(staging)
        _replace(staging, outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [stack.config.name for stack in stacks] + [account.name]


class SynthesisError(Exception):
    """A construct or aspect refused the configuration; the message lists every problem."""


ANNOTATION_LABELS = {"@cdktf/info": "note", "@cdktf/warn": "warning"}
# Stack traces in annotations name jsii's random temp folders: off, so the output is reproducible.
APP_CONTEXT = {"@cdktf/disable_stack_trace_in_metadata": True}


def _annotations(synth_dir: Path) -> list[str]:
    """Info and warning annotations from the manifest, as "<label>: [<construct path>] <message>".

    Read from the written manifest rather than from the construct tree: walking every construct's
    metadata costs one jsii round trip per construct and entry, thousands per synth.
    """
    manifest = json.loads((synth_dir / "manifest.json").read_text())
    return [
        f"{ANNOTATION_LABELS[entry['level']]}: [{entry['constructPath']}] {entry['message']}"
        for stack in manifest["stacks"].values()
        for entry in stack.get("annotations", [])
        if entry["level"] in ANNOTATION_LABELS
    ]


def _replace(new: Path, target: Path) -> None:
    """Swap `new` into `target`, keeping the old output until the new one is in place."""
    backup = target.with_name(f".{target.name}-previous")
    shutil.rmtree(backup, ignore_errors=True)
    if target.exists():
        target.rename(backup)
    new.rename(target)
    shutil.rmtree(backup, ignore_errors=True)


def main() -> int:
    outdir = Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    notes: list[str] = []
    try:
        stacks = synthesize(outdir, notes)
    except (ConfigurationError, PropsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SynthesisError as error:
        print(f"error: synthesis refused:\n{error}", file=sys.stderr)
        return 1
    print("\n".join(notes))
    print(f"synthesized {len(stacks)} stack(s) into {outdir}/stacks: {', '.join(stacks)}")
    if os.environ.get(local_target.TARGET_VARIABLE) == local_target.LOCAL_TARGET:
        print("\n".join(local_target.describe_differences()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
