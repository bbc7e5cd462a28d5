"""`python -m harness.bench [--runs N] [--json]`: synth and scan timings on this machine (issue 7).

Prints medians of N runs (default 3) of:
- full synth (main.py: every environment + the account baseline, one process) with
  harness.provider_loader and stock (STOCK_PROVIDER_IMPORT=1), interleaved, their ratio, and the
  CPU time of python and node together (steadier than wall time on a busy machine);
- fixed costs, both ways: python start + exit, python + cdktf import, provider load, synth of an
  app with zero resources (one stack holding only the provider);
- where the loader's full synth spends its time (from inside the process);
- the marginal cost of one more environment: synth of 20 generated copies of environments/dev.toml
  (distinct names, non-overlapping CIDRs) against 1 copy, loader on;
- the checkov scan of all stacks (`python -m security.gate`, or plain checkov if there is no gate);
- peak memory of python and node together during a full synth, from the process tree's
  /proc/<pid>/status sampled every 20 ms: each of the processes a synth runs (python, jsii's node
  relay, which only stock starts, and the node kernel) with its own peak (VmHWM) and their sum (an
  upper bound for them together, as the peaks need not coincide); and the highest total VmRSS of the whole
  tree seen at one instant, which also counts short-lived helpers such as cdktf's zip archivers.
  getrusage(RUSAGE_CHILDREN).ru_maxrss cannot give this: it is the largest single process, never
  a sum.
The header gives the machine's load average: other work on the machine inflates every wall time.
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness import provider_loader

REPO = Path(__file__).resolve().parents[1]
SAMPLE_INTERVAL_S = 0.02
GENERATED_ENVIRONMENTS = 20
MAIN_PROCESSES = ("python", "node relay", "node kernel")
"""The processes of a synth: python, jsii's relay (bin/jsii-runtime.js; stock only), the kernel."""

# main.py run as `python main.py` runs it, timing its phases from inside. Wraps (timing only):
# install(), the environment loaders, jsii.invoke (for app.synth) and the jsii process channel
# (round trips, time waiting for node's answers).
FULL_SYNTH = """
import json, sys, time
start = time.perf_counter()
events = {"round_trips": 0, "node_wait_s": 0.0, "loads": {}, "phases": {}}

def timed(owner, name, label):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            events["phases"][label] = events["phases"].get(label, 0.0) + time.perf_counter() - began
    setattr(owner, name, wrapper)

from harness import provider_loader
timed(provider_loader, "install", "install")
began = time.perf_counter()
import environments
events["phases"]["environments"] = time.perf_counter() - began
timed(environments, "load_environments", "environments")
timed(environments, "load_account_config", "environments")
from jsii._kernel.providers import process
send, next_message = process._NodeProcess.send, process._NodeProcess._next_message
def counting_send(self, request, response_type):
    began = time.perf_counter()
    try:
        return send(self, request, response_type)
    finally:
        events["round_trips"] += 1
        name = getattr(request, "name", None)
        if type(request).__name__ == "LoadRequest":
            events["loads"][name] = time.perf_counter() - began
def waiting_next_message(self):
    began = time.perf_counter()
    try:
        return next_message(self)
    finally:
        events["node_wait_s"] += time.perf_counter() - began
process._NodeProcess.send = counting_send
process._NodeProcess._next_message = waiting_next_message
import jsii
invoke = jsii.invoke  # what generated bindings call, e.g. jsii.invoke(app, "synth", [])
def timed_invoke(obj, method, args=None):
    began = time.perf_counter()
    try:
        return invoke(obj, method, args)
    finally:
        if method == "synth":
            events["phases"]["synth"] = time.perf_counter() - began
jsii.invoke = timed_invoke

import runpy
code = 0
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit as exit:
    code = exit.code
events["in_process_s"] = time.perf_counter() - start
events["provider_submodules"] = sum(1 for name in sys.modules if name.startswith("cdktf_cdktf_provider_aws."))
print("BENCH " + json.dumps(events))
sys.exit(code)
"""

# The fixed costs: imports, provider load and a synth with zero resources, timed from inside.
EMPTY_SYNTH = """
import json, sys, time
start = time.perf_counter()
from harness import provider_loader
provider_loader.install()
import cdktf
cdktf_imported = time.perf_counter()
from cdktf_cdktf_provider_aws.provider import AwsProvider
provider_loaded = time.perf_counter()
app = cdktf.App(outdir=sys.argv[1])
stack = cdktf.TerraformStack(app, "empty")
AwsProvider(stack, "aws", region="eu-west-1")
app.synth()
synthesized = time.perf_counter()
print("BENCH " + json.dumps({
    "cdktf_import_s": cdktf_imported - start,
    "provider_load_s": provider_loaded - cdktf_imported,
    "empty_synth_s": synthesized - provider_loaded,
    "in_process_s": synthesized - start,
}))
"""


@dataclass(frozen=True, kw_only=True)
class Run:
    """One measured child process."""

    wall_s: float
    """Wall time from spawn to exit."""
    cpu_s: float
    """User + system CPU time of the process and all its descendants (python and node)."""
    report: dict[str, Any]
    """What the child printed on its `BENCH {json}` line (empty if none)."""
    peak_hwm_mb: dict[str, float]
    """Own peak resident memory (VmHWM) by role: python, node relay, node kernel, helper (largest)."""
    peak_rss_total_mb: float
    """Highest sum of the tree's resident memory (VmRSS) seen in one sample."""


@dataclass(frozen=True, kw_only=True)
class Results:
    """Medians over `runs` runs; seconds unless named otherwise."""

    runs: int
    full_loader_s: float
    full_stock_s: float
    speedup: float
    """full_stock_s / full_loader_s."""
    full_cpu_s: dict[str, float]
    """Per mode: CPU time (user + system) of python and node together in the full synth."""
    load_average: tuple[float, float]
    """The machine's 1-minute load average before and after the benchmark."""
    fixed: dict[str, dict[str, float]]
    """Per mode ("loader", "stock"): python_start_exit_s, cdktf_import_s, provider_load_s, empty_synth_s."""
    breakdown: dict[str, float]
    """Where the loader's full synth spends its time (see `breakdown_of`)."""
    environments: dict[str, float]
    """synth_1_s, synth_20_s, marginal_s and marginal_cpu_s (per environment), resources_per_environment."""
    scan_s: float
    scan_command: str
    memory_mb: dict[str, dict[str, float]]
    """Per mode: the own peak of each of MAIN_PROCESSES, their sum (hwm_sum), rss_total (see Run)."""
    stacks: list[str] = field(default_factory=list)
    """Stack folders of the full synth (default: none recorded)."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; default 3")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead")
    arguments = parser.parse_args(argv)
    if arguments.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="csg-bench-") as scratch:
        results = measure(arguments.runs, Path(scratch))
    print(json.dumps(asdict(results), indent=2) if arguments.json else format_table(results))
    return 0


def measure(runs: int, scratch: Path) -> Results:
    """Every measurement, `runs` times each; synth output goes under `scratch`."""
    load_before = os.getloadavg()[0]
    full: dict[str, list[Run]] = {"loader": [], "stock": []}
    empty: dict[str, list[Run]] = {"loader": [], "stock": []}
    for index in range(runs):
        for mode in ("loader", "stock"):  # interleaved: both modes see the same machine load
            progress(f"run {index + 1}/{runs}: full synth, {mode}")
            full[mode].append(child(FULL_SYNTH, scratch / f"full-{mode}", stock=mode == "stock"))
            progress(f"run {index + 1}/{runs}: empty synth, {mode}")
            empty[mode].append(child(EMPTY_SYNTH, scratch / f"empty-{mode}", stock=mode == "stock"))
    synth_dir = scratch / "full-loader"
    environments = measure_environments(runs, scratch)
    scan_command, scan_s = measure_scan(runs, synth_dir, scratch / "scan-reports")
    full_loader, full_stock = median(full["loader"], wall), median(full["stock"], wall)
    return Results(
        runs=runs,
        full_loader_s=full_loader,
        full_stock_s=full_stock,
        speedup=full_stock / full_loader,
        full_cpu_s={mode: median(full[mode], cpu) for mode in full},
        load_average=(load_before, os.getloadavg()[0]),
        fixed={mode: fixed_costs(empty[mode]) for mode in empty},
        breakdown=breakdown_of(full["loader"]),
        environments=environments,
        scan_s=scan_s,
        scan_command=scan_command,
        memory_mb={mode: memory(full[mode]) for mode in full},
        stacks=sorted(path.parent.name for path in (synth_dir / "stacks").glob("*/cdk.tf.json")),
    )


def memory(runs: Sequence[Run]) -> dict[str, float]:
    """Medians of the peaks: each main process's own, their sum, and the tree's at one instant."""

    def own_peak(role: str) -> Callable[[Run], float]:
        return lambda run: run.peak_hwm_mb.get(role, 0.0)

    def main_sum(run: Run) -> float:
        return sum(run.peak_hwm_mb.get(role, 0.0) for role in MAIN_PROCESSES)

    peaks = {role: median(runs, own_peak(role)) for role in MAIN_PROCESSES}
    peaks["hwm_sum"] = median(runs, main_sum)
    peaks["rss_total"] = median(runs, lambda run: run.peak_rss_total_mb)
    return peaks


def fixed_costs(runs: Sequence[Run]) -> dict[str, float]:
    """Medians of the empty-app phases, plus interpreter start and exit (wall minus in-process)."""
    names = ("cdktf_import_s", "provider_load_s", "empty_synth_s")
    costs = {name: median(runs, reported(name)) for name in names}
    costs["python_start_exit_s"] = median(runs, lambda run: run.wall_s - float(run.report["in_process_s"]))
    costs["wall_s"] = median(runs, wall)
    return costs


def breakdown_of(runs: Sequence[Run]) -> dict[str, float]:
    """Medians of the loader's full-synth phases; `other_python_s` is what the others leave of the wall.

    install: jsii import, node start, constructs assembly. environments: reading and validating the
    TOML files. cdktf_load/provider_load: those assemblies' load in node (provider: tarball digest,
    package-cache link, lazy index). synth: app.synth(), with the aspects' callbacks into Python.
    other_python: module imports (incl. provider submodules) and building the construct tree, in
    Python and through kernel round trips. node_wait: of all the above, time Python waited on node.
    """

    def phase(name: str) -> Callable[[Run], float]:
        return lambda run: float(run.report["phases"].get(name, 0.0))

    def load(name: str) -> Callable[[Run], float]:
        return lambda run: float(run.report["loads"].get(name, 0.0))

    def other(run: Run) -> float:
        phases: dict[str, float] = run.report["phases"]
        loads: dict[str, float] = run.report["loads"]
        measured = sum(phases.values()) + sum(value for name, value in loads.items() if name != "constructs")
        return float(run.report["in_process_s"]) - measured

    return {
        "python_start_exit_s": median(runs, lambda run: run.wall_s - float(run.report["in_process_s"])),
        "install_s": median(runs, phase("install")),
        "environments_s": median(runs, phase("environments")),
        "cdktf_load_s": median(runs, load("cdktf")),
        "provider_load_s": median(runs, load(provider_loader.PROVIDER_ASSEMBLY)),
        "other_python_s": median(runs, other),
        "synth_s": median(runs, phase("synth")),
        "node_wait_s": median(runs, reported("node_wait_s")),
        "round_trips": median(runs, reported("round_trips")),
        "provider_submodules": median(runs, reported("provider_submodules")),
    }


def measure_environments(runs: int, scratch: Path) -> dict[str, float]:
    """Synth of 20 generated environments vs 1 (loader on); the marginal cost is their slope."""
    many, one = scratch / "environments-20", scratch / "environments-1"
    write_environments(many, GENERATED_ENVIRONMENTS)
    write_environments(one, 1)
    timings: dict[str, list[Run]] = {"1": [], "20": []}
    for index in range(runs):
        for count, directory in (("1", one), ("20", many)):
            progress(f"run {index + 1}/{runs}: full synth of {count} generated environment(s)")
            outdir = scratch / f"synth-{count}"
            timings[count].append(child(FULL_SYNTH, outdir, stock=False, CSG_ENVIRONMENTS_DIR=str(directory)))
    synth_1, synth_20 = median(timings["1"], wall), median(timings["20"], wall)
    cpu_1, cpu_20 = median(timings["1"], cpu), median(timings["20"], cpu)
    resources = count_resources(scratch / "synth-20") - count_resources(scratch / "synth-1")
    return {
        "synth_1_s": synth_1,
        "synth_20_s": synth_20,
        "marginal_s": (synth_20 - synth_1) / (GENERATED_ENVIRONMENTS - 1),
        "marginal_cpu_s": (cpu_20 - cpu_1) / (GENERATED_ENVIRONMENTS - 1),
        "resources_per_environment": resources / (GENERATED_ENVIRONMENTS - 1),
    }


def write_environments(directory: Path, count: int) -> None:
    """`count` copies of environments/dev.toml named bench-01.. with disjoint /16s, and account.toml."""
    source = REPO / "environments"
    template = (source / "dev.toml").read_text(encoding="utf-8")
    directory.mkdir(parents=True)
    shutil.copy(source / "account.toml", directory / "account.toml")
    for number in range(1, count + 1):
        name = f"bench-{number:02d}"
        text = substitute_once(template, r'^name = "[^"]*"$', f'name = "{name}"')
        text = substitute_once(text, r'^vpc_cidr = "[^"]*"$', f'vpc_cidr = "10.{100 + number}.0.0/16"')
        (directory / f"{name}.toml").write_text(text, encoding="utf-8")


def substitute_once(text: str, pattern: str, replacement: str) -> str:
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if count != 1:
        raise RuntimeError(f"environments/dev.toml: expected one line matching {pattern}, found {count}")
    return new


def count_resources(synth_dir: Path) -> int:
    total = 0
    for stack in (synth_dir / "stacks").glob("*/cdk.tf.json"):
        document = json.loads(stack.read_text(encoding="utf-8"))
        total += sum(len(instances) for instances in document.get("resource", {}).values())
    return total


def measure_scan(runs: int, synth_dir: Path, reports_dir: Path) -> tuple[str, float]:
    """Median wall of the checkov scan of every stack: the security gate if present, else checkov.

    Both exit 1 when the scan ran and found failures; anything else but 0 is an error.
    """
    if (REPO / "security" / "gate.py").exists():
        arguments = ["-m", "security.gate", "--synth-dir", "{synth}", "--reports-dir", "{reports}"]
        command = [sys.executable, *arguments]
        shown = "python " + " ".join(arguments)
    else:
        arguments = ["--skip-download", "-d", "{synth}/stacks", "--framework", "terraform_json", "--quiet"]
        command = [str(REPO / ".venv-checkov" / "bin" / "checkov"), *arguments]
        shown = ".venv-checkov/bin/checkov " + " ".join(arguments)
    command = [part.format(synth=synth_dir, reports=reports_dir) for part in command]
    walls: list[float] = []
    for index in range(runs):
        progress(f"run {index + 1}/{runs}: checkov scan")
        began = time.perf_counter()
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - began)
        if result.returncode not in (0, 1):
            raise RuntimeError(f"scan failed ({result.returncode}): {result.stdout}\n{result.stderr}")
    return shown, statistics.median(walls)


def child(script: str, outdir: Path, *, stock: bool, **extra_env: str) -> Run:
    """Runs `script` (python -c) at the repo root with its output in `outdir`; samples its memory."""
    shutil.rmtree(outdir, ignore_errors=True)
    env = {key: value for key, value in os.environ.items() if key != provider_loader.STOCK_VARIABLE}
    env |= {"CDKTF_OUTDIR": str(outdir), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", **extra_env}
    if stock:
        env[provider_loader.STOCK_VARIABLE] = "1"
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(outdir)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = TreeMemory(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    wall_s = time.perf_counter() - began
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({process.returncode}):\n{stdout}\n{stderr}")
    report_lines = [line for line in stdout.splitlines() if line.startswith("BENCH ")]
    return Run(
        wall_s=wall_s,
        # jsii waits for node at exit and node for its child, so the whole tree is accounted here.
        cpu_s=(cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime),
        report=json.loads(report_lines[-1].removeprefix("BENCH ")) if report_lines else {},
        peak_hwm_mb={role: kb / 1024 for role, kb in sampler.peak_hwm_kb.items()},
        peak_rss_total_mb=sampler.peak_rss_total_kb / 1024,
    )


class TreeMemory:
    """Samples resident memory of a process and all its descendants until stopped."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_hwm_kb: dict[str, int] = {}
        """Peak VmHWM by role: python (the root), node relay, node kernel (see `role`)."""
        self.peak_rss_total_kb = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def role(self, pid: int) -> str:
        if pid == self.root:
            return "python"
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return "gone"
        if command.endswith(b"jsii-runtime.js\0"):
            return "node relay"
        if command.endswith(b"program.js\0"):
            return "node kernel"
        return "helper"

    def _sample(self) -> None:
        while not self._stopped.is_set():
            total = 0
            for pid in self._tree():
                status = read_status(pid)
                if status is None:
                    continue
                rss, hwm = status
                total += rss
                role = self.role(pid)
                self.peak_hwm_kb[role] = max(self.peak_hwm_kb.get(role, 0), hwm)
            self.peak_rss_total_kb = max(self.peak_rss_total_kb, total)
            self._stopped.wait(SAMPLE_INTERVAL_S)

    def _tree(self) -> list[int]:
        found, pending = [], [self.root]
        while pending:
            pid = pending.pop()
            found.append(pid)
            try:  # the process may have exited since it was listed
                children = [path.read_text() for path in Path(f"/proc/{pid}/task").glob("*/children")]
            except OSError:
                continue
            pending += [int(child) for text in children for child in text.split()]
        return found


def read_status(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) in KiB, or None if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB$", text, re.MULTILINE))
    if len(values) != 2:
        return None
    return int(values["VmRSS"]), int(values["VmHWM"])


def wall(run: Run) -> float:
    return run.wall_s


def cpu(run: Run) -> float:
    return run.cpu_s


def reported(name: str) -> Callable[[Run], float]:
    """Reads one number from a run's report."""
    return lambda run: float(run.report[name])


def median(runs: Sequence[Run], value: Callable[[Run], float]) -> float:
    return float(statistics.median(value(run) for run in runs))


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def format_table(results: Results) -> str:
    """The results as a readable table."""
    fixed, parts, envs, memory = results.fixed, results.breakdown, results.environments, results.memory_mb

    def both(key: str) -> str:
        return f"{seconds(fixed['loader'][key])} | {seconds(fixed['stock'][key])}"

    def megabytes(key: str) -> str:
        return f"{memory['loader'][key]:6.0f} MB | {memory['stock'][key]:6.0f} MB"

    rows: list[tuple[str, str]] = [
        (f"Full synth of {', '.join(results.stacks)} (one process)", ""),
        ("  with harness.provider_loader", seconds(results.full_loader_s)),
        ("  stock (STOCK_PROVIDER_IMPORT=1)", seconds(results.full_stock_s)),
        ("  speed-up (stock / loader)", f"{results.speedup:6.1f} x"),
        (
            "  CPU, python + node: loader | stock",
            f"{seconds(results.full_cpu_s['loader'])} | {seconds(results.full_cpu_s['stock'])}",
        ),
        ("Fixed costs (app: one stack, provider only)", "  loader |    stock"),
        ("  python start + exit (teardown)", both("python_start_exit_s")),
        ("  python + cdktf import (starts node)", both("cdktf_import_s")),
        ("  provider load (first provider import)", both("provider_load_s")),
        ("  synth of zero resources", both("empty_synth_s")),
        ("  whole app, wall", both("wall_s")),
        ("Where the loader's full synth goes", ""),
        ("  python start + exit", seconds(parts["python_start_exit_s"])),
        ("  install(): jsii import, node start, constructs", seconds(parts["install_s"])),
        ("  environment files (import, TOML, pydantic)", seconds(parts["environments_s"])),
        ("  cdktf assembly load in node", seconds(parts["cdktf_load_s"])),
        ("  provider assembly load in node", seconds(parts["provider_load_s"])),
        ("  other imports + building constructs", seconds(parts["other_python_s"])),
        ("  app.synth(), incl. aspect callbacks", seconds(parts["synth_s"])),
        ("  of all the above: python waiting on node", seconds(parts["node_wait_s"])),
        ("  kernel round trips", f"{parts['round_trips']:6.0f}"),
        ("  provider submodules imported", f"{parts['provider_submodules']:6.0f}"),
        ("Environments (loader on; generated copies of dev)", ""),
        ("  full synth, 1 environment + baseline", seconds(envs["synth_1_s"])),
        (f"  full synth, {GENERATED_ENVIRONMENTS} environments + baseline", seconds(envs["synth_20_s"])),
        ("  marginal cost of one more environment", seconds(envs["marginal_s"])),
        ("  the same in CPU, python + node", seconds(envs["marginal_cpu_s"])),
        ("  resources per environment", f"{envs['resources_per_environment']:6.0f}"),
        ("Checkov scan of all stacks", seconds(results.scan_s)),
        (f"  {results.scan_command}", ""),
        ("Peak memory (resident) in a full synth", "   loader |     stock"),
        *[(f"  {role}, own peak", megabytes(role)) for role in MAIN_PROCESSES],
        ("  sum of those peaks", megabytes("hwm_sum")),
        ("  whole tree, highest total at one instant", megabytes("rss_total")),
    ]
    width = max(len(label) for label, value in rows if value)
    before, after = results.load_average
    lines = [
        f"Medians of {results.runs} runs on this machine ({os.cpu_count()} CPUs; "
        f"1-minute load average {before:.1f} before, {after:.1f} after)."
    ]
    lines += [f"{label:<{width}}  {value}".rstrip() for label, value in rows]
    return "\n".join(lines)


def seconds(value: float) -> str:
    return f"{value:6.2f} s"


if __name__ == "__main__":
    sys.exit(main())
