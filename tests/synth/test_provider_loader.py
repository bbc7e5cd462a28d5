"""harness.provider_loader: same synthesized bytes as stock, and each of its mechanisms really used.

Every check runs in a child process: the loader decides how the provider is imported for the
whole process, and this session's own process has already installed it (tests/conftest.py).
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from harness import provider_loader

REPO = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.find_spec(provider_loader.PROVIDER_PACKAGE)
assert _SPEC is not None and _SPEC.submodule_search_locations
PROVIDER_DIR = Path(next(iter(_SPEC.submodule_search_locations)))
TARBALL = PROVIDER_DIR / "_jsii" / f"provider-aws@{provider_loader.PROVIDER_VERSION}.jsii.tgz"

# Runs main.py as `python main.py` does, then reports how many provider submodules Python imported.
MAIN_AND_COUNT = """
import runpy, sys
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit as exit:
    code = exit.code
prefix = "cdktf_cdktf_provider_aws."
print("provider submodules imported:", sum(1 for name in sys.modules if name.startswith(prefix)))
sys.exit(code)
"""

# Annotation stack traces in manifest.json name two directories created with random names by
# every process (jsii's kernel work directory and jsii's unpacked runtime), loader or not.
RANDOM_DIRS = re.compile(r"/jsii-kernel-[A-Za-z0-9]{6}/|/tmp[a-z0-9_]{8}/(?=lib/program\.js)")


def child_env(**overrides: str) -> dict[str, str]:
    """This environment without the loader switch, plus `overrides`."""
    env = {key: value for key, value in os.environ.items() if key != provider_loader.STOCK_VARIABLE}
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    return env | overrides


def run_python(code: str, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter at the repository root; fails the test if it fails."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def synthesize(outdir: Path, *, stock: bool) -> int:
    """main.py into `outdir`, loader on or off; returns how many provider submodules it imported."""
    env = child_env(CDKTF_OUTDIR=str(outdir), **({provider_loader.STOCK_VARIABLE: "1"} if stock else {}))
    output = run_python(MAIN_AND_COUNT, env).stdout
    found = re.search(r"provider submodules imported: (\d+)", output)
    assert found, output
    return int(found.group(1))


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path, with its bytes."""
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def test_every_stack_and_the_manifest_are_byte_identical_with_and_without_the_loader(tmp_path: Path) -> None:
    stock_imported = synthesize(tmp_path / "stock", stock=True)
    loader_imported = synthesize(tmp_path / "loader", stock=False)

    # Both modes really ran as labelled: stock imports the whole package, the loader a few dozen.
    assert stock_imported > 2000
    assert 0 < loader_imported < 200
    stock, loaded = tree(tmp_path / "stock"), tree(tmp_path / "loader")
    assert sorted(loaded) == sorted(stock)
    assert "manifest.json" in stock
    # Every environment file's stack, plus the account baseline.
    environments = {path.stem for path in (REPO / "environments").glob("*.toml") if path.stem != "account"}
    stacks = {name.split("/")[1] for name in stock if re.fullmatch(r"stacks/[^/]+/cdk\.tf\.json", name)}
    assert environments < stacks
    assert len(stacks) == len(environments) + 1
    for name in stock:
        if name == "manifest.json":
            expected = RANDOM_DIRS.sub("/<random>/", stock[name].decode())
            assert RANDOM_DIRS.sub("/<random>/", loaded[name].decode()) == expected
        else:
            assert loaded[name] == stock[name], f"{name} differs"


def test_the_submodule_map_names_every_jsii_submodule_as_the_bindings_declare_it() -> None:
    python_submodules = sorted(
        path.name for path in PROVIDER_DIR.iterdir() if path.is_dir() and not path.name.startswith("_")
    )
    fqn_map = provider_loader.submodule_fqn_map(python_submodules)

    # The FQN prefix of every type each Python submodule declares maps back to that submodule.
    declared = re.compile(r'jsii_type="(@cdktf/provider-aws\.[A-Za-z0-9]+)\.')
    wrong: list[str] = []
    for name in python_submodules:
        prefixes = set(declared.findall((PROVIDER_DIR / name / "__init__.py").read_text(encoding="utf-8")))
        if len(prefixes) != 1 or fqn_map.get(prefixes.pop()) != f"{provider_loader.PROVIDER_PACKAGE}.{name}":
            wrong.append(name)
    assert wrong == []

    # And the map covers exactly the submodules the JavaScript entry exports.
    with tarfile.open(TARBALL) as archive:
        entry = archive.extractfile("package/lib/index.js")
        assert entry is not None
        exported = re.findall(r'^exports\.(\w+) = require\("\./[\w-]+"\);$', entry.read().decode(), re.M)
    assert sorted(f"{provider_loader.PROVIDER_ASSEMBLY}.{name}" for name in exported) == sorted(fqn_map)


@pytest.fixture(scope="module")
def fake_provider(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real lib/index.js in a package whose submodules only record that they were loaded."""
    root = tmp_path_factory.mktemp("node") / "node_modules" / "@cdktf" / "provider-aws"
    (root / "lib").mkdir(parents=True)
    manifest = {"name": provider_loader.PROVIDER_ASSEMBLY, "version": provider_loader.PROVIDER_VERSION}
    (root / "package.json").write_text(json.dumps(manifest))
    with tarfile.open(TARBALL) as archive:
        entry = archive.extractfile("package/lib/index.js")
        assert entry is not None
        index = entry.read().decode()
    (root / "lib" / "index.js").write_text(index)
    for directory in re.findall(r'require\("\./([\w-]+)"\)', index):
        (root / "lib" / directory).mkdir()
        (root / "lib" / directory / "index.js").write_text(
            f"globalThis.loaded.push({json.dumps(directory)}); exports.directory = {json.dumps(directory)};\n"
        )
    return root


# Loads the package, then reads one submodule, as the kernel does (closure.<submodule>.<Class>).
PROBE = """
globalThis.loaded = [];
const entry = require(process.argv[1]);
const afterLoad = globalThis.loaded.length;
const s3 = entry.s3Bucket;
console.log(JSON.stringify({
  afterLoad, afterAccess: globalThis.loaded.slice(), exports: Object.keys(entry).length,
  directory: s3.directory, same: entry.s3Bucket === s3,
}));
"""


def run_probe(package: Path, node_options: str | None) -> dict[str, object]:
    env = {key: value for key, value in os.environ.items() if key != "NODE_OPTIONS"}
    if node_options is not None:
        env["NODE_OPTIONS"] = node_options
    result = subprocess.run(
        ["node", "-e", PROBE, str(package / "lib" / "index.js")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe: dict[str, object] = json.loads(result.stdout)
    return probe


def test_node_hook_loads_a_submodule_of_the_real_entry_only_when_it_is_read(
    fake_provider: Path, tmp_path: Path
) -> None:
    hook = tmp_path / "hook dir" / "hook.cjs"
    hook.parent.mkdir()
    hook.write_text(provider_loader.node_hook_source())

    lazy = run_probe(fake_provider, provider_loader.node_options_with_hook(hook, "--no-warnings"))
    eager = run_probe(fake_provider, None)

    index = (fake_provider / "lib" / "index.js").read_text()
    exported = len(re.findall(r"^exports\.\w+ = require", index, re.M))
    assert eager["afterLoad"] == exported > 2000
    assert lazy["afterLoad"] == 0
    assert lazy["afterAccess"] == ["s3-bucket"]
    assert lazy["exports"] == eager["exports"] == exported
    assert lazy["directory"] == eager["directory"] == "s3-bucket"
    assert lazy["same"] is True


def test_node_hook_leaves_other_versions_of_the_package_eager(fake_provider: Path, tmp_path: Path) -> None:
    hook = tmp_path / "hook.cjs"
    hook.write_text(provider_loader.node_hook_source().replace(provider_loader.PROVIDER_VERSION, "0.0.1"))

    probe = run_probe(fake_provider, provider_loader.node_options_with_hook(hook, None))

    assert probe["afterLoad"] == probe["exports"]


def test_an_object_node_creates_from_a_submodule_python_never_imported_resolves_to_its_class(
    tmp_path: Path,
) -> None:
    code = """
from harness import provider_loader
provider_loader.install()
import sys
import cdktf, jsii
from jsii._kernel.types import CreateRequest
from cdktf_cdktf_provider_aws.provider import AwsProvider
app = cdktf.App(outdir=sys.argv[1])
stack = cdktf.TerraformStack(app, "stack")
AwsProvider(stack, "aws", region="eu-west-1")
assert "cdktf_cdktf_provider_aws.sqs_queue" not in sys.modules
# Created on the node side only: Python first meets it when node returns it.
jsii.kernel.provider.create(
    CreateRequest(fqn="@cdktf/provider-aws.sqsQueue.SqsQueue", args=[stack, "queue", {"name": "q"}])
)
queue = stack.node.find_child("queue")
print(type(queue).__module__, type(queue).__name__)
"""
    output = run_python(code, child_env(), str(tmp_path)).stdout.split()

    assert output == ["cdktf_cdktf_provider_aws.sqs_queue", "SqsQueue"]


def test_the_package_root_still_gives_its_submodules_as_attributes() -> None:
    code = """
from harness import provider_loader
provider_loader.install()
import sys
import cdktf_cdktf_provider_aws as aws
assert "cdktf_cdktf_provider_aws.s3_bucket" not in sys.modules
print(aws.s3_bucket.S3Bucket.__name__, "s3_bucket" in aws.__all__, len(aws.__all__))
try:
    aws.not_a_submodule
except AttributeError:
    print("missing")
"""
    output = run_python(code, child_env()).stdout.split()

    assert output[:2] == ["S3Bucket", "True"]
    assert int(output[2]) > 2000
    assert output[3] == "missing"


def test_install_refuses_to_run_after_cdktf_was_imported() -> None:
    code = """
import cdktf
from harness import provider_loader
try:
    provider_loader.install()
except RuntimeError as error:
    print(error)
"""
    output = run_python(code, child_env()).stdout

    assert "must run before importing" in output
    assert "cdktf" in output


def test_a_first_run_on_a_cold_package_cache_leaves_the_provider_indexed(tmp_path: Path) -> None:
    # jsii indexes the assembly on a node worker thread (which preloads the hook too) and node's
    # exit kills that thread: the loader's fast process has to wait for it, or no run ever indexes.
    cache_root = tmp_path / "jsii-package-cache"
    code = """
from harness import provider_loader
provider_loader.install()
import sys
import cdktf
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
app = cdktf.App(outdir=sys.argv[1])
stack = cdktf.TerraformStack(app, "stack")
AwsProvider(stack, "aws", region="eu-west-1")
S3Bucket(stack, "bucket", bucket="b")
app.synth()
"""
    try:
        run_python(code, child_env(JSII_RUNTIME_PACKAGE_CACHE_ROOT=str(cache_root)), str(tmp_path / "out"))

        entry = cache_root / "@cdktf" / "provider-aws" / provider_loader.PROVIDER_VERSION
        assert list(entry.glob("*/package.json")), "the run did not go through a fresh package cache"
        assert list(entry.glob("*/.jsii.runtime.v1.json")), "jsii's index of the provider was not written"
        assert (tmp_path / "out" / "stacks" / "stack" / "cdk.tf.json").is_file()
    finally:
        shutil.rmtree(cache_root, ignore_errors=True)  # ~400 MB of unpacked provider


# Prints the command line of every node process this Python process started, then synthesizes one bucket.
NODE_CHILDREN = """
from harness import provider_loader
provider_loader.install()
import os, sys
import cdktf
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket

def descendants(pid):
    children = open(f"/proc/{pid}/task/{pid}/children").read().split()
    return [int(child) for child in children] + [d for child in children for d in descendants(int(child))]

for pid in descendants(os.getpid()):
    command = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")
    print("NODE", " ".join(part.decode() for part in command if part))
app = cdktf.App(outdir=sys.argv[1])
stack = cdktf.TerraformStack(app, "stack")
AwsProvider(stack, "aws", region="eu-west-1")
S3Bucket(stack, "bucket", bucket="b")
app.synth()
print("SYNTHESIZED")
"""


def node_processes(output: str) -> list[str]:
    return [line.removeprefix("NODE ") for line in output.splitlines() if line.startswith("NODE ")]


def test_the_loader_runs_the_kernel_as_the_only_node_process_and_stock_keeps_the_relay(
    tmp_path: Path,
) -> None:
    loader = run_python(NODE_CHILDREN, child_env(), str(tmp_path / "loader")).stdout
    stock = run_python(
        NODE_CHILDREN, child_env(**{provider_loader.STOCK_VARIABLE: "1"}), str(tmp_path / "stock")
    ).stdout

    assert "SYNTHESIZED" in loader and "SYNTHESIZED" in stock
    [kernel] = node_processes(loader)
    assert kernel.endswith("/lib/program.js")
    assert [command.rsplit("/", 2)[-2:] for command in node_processes(stock)] == [
        ["bin", "jsii-runtime.js"],
        ["lib", "program.js"],
    ]
    assert (tmp_path / "loader" / "stacks" / "stack" / "cdk.tf.json").read_bytes() == (
        tmp_path / "stock" / "stacks" / "stack" / "cdk.tf.json"
    ).read_bytes()


def test_what_the_kernel_writes_to_stdout_and_stderr_reaches_pythons_and_never_the_api_channel(
    tmp_path: Path,
) -> None:
    # Without the relay, a stray console.log in node must not be read as a kernel response.
    hook = tmp_path / "noisy.cjs"
    hook.write_text(
        'process.stdout.write("kernel-says-out\\n"); process.stderr.write("kernel-says-err\\n");\n'
    )

    result = run_python(NODE_CHILDREN, child_env(NODE_OPTIONS=f"--require {hook}"), str(tmp_path / "out"))

    assert "SYNTHESIZED" in result.stdout
    assert "kernel-says-out" in result.stdout
    assert "kernel-says-err" in result.stderr


def test_a_user_runtime_in_jsii_runtime_is_started_as_jsii_would(tmp_path: Path) -> None:
    import jsii._embedded.jsii as embedded

    runtime = tmp_path / "runtime"
    for resource, name in embedded.EMBEDDED_FILES.items():
        (runtime / name).parent.mkdir(parents=True, exist_ok=True)
        (runtime / name).write_bytes((Path(embedded.__file__).parent / resource).read_bytes())

    output = run_python(
        NODE_CHILDREN, child_env(JSII_RUNTIME=str(runtime / "bin" / "jsii-runtime.js")), str(tmp_path / "out")
    ).stdout

    assert "SYNTHESIZED" in output
    assert [command.split()[-1] for command in node_processes(output)] == [
        str(runtime / "bin" / "jsii-runtime.js"),
        str(runtime / "lib" / "program.js"),
    ]


# A provider class and a cdktf one, each given a wrong argument: which layer refuses it, and whether the
# binding's Python type check (an `if __debug__:` block) was compiled in.
WRONG_ARGUMENTS = """
import dis
from harness import provider_loader
provider_loader.install()
import cdktf
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
stack = cdktf.TerraformStack(cdktf.App(), "stack")
S3Bucket(stack, "fine", bucket="b")
cdktf.TerraformOutput(stack, "fine-output", value="v", description="d")
for attempt, (name, create) in enumerate([
    ("bucket", lambda: S3Bucket(stack, "wrong", bucket=123)),
    ("description", lambda: cdktf.TerraformOutput(stack, "wrong-output", value="v", description=123)),
]):
    try:
        create()
        print("ACCEPTED")
    except Exception as error:
        print(type(error).__name__, name in str(error) or name.title() in str(error))
for function in (S3Bucket.__init__, cdktf.TerraformOutput.__init__):
    print("CHECKED" if any(i.argval == "check_type" for i in dis.get_instructions(function)) else "UNCHECKED")
"""


@pytest.mark.parametrize("stock", [False, True], ids=["loader", "stock"])
def test_a_wrong_argument_is_refused_naming_it_by_the_kernel_with_the_loader_and_by_python_stock(
    stock: bool,
) -> None:
    env = child_env(**({provider_loader.STOCK_VARIABLE: "1"} if stock else {}))
    output = run_python(WRONG_ARGUMENTS, env).stdout.split()

    if stock:
        assert output == ["TypeError", "True", "TypeError", "True", "CHECKED", "CHECKED"]
    else:
        # jsii reports the kernel's refusal as a RuntimeError naming the property (`bucket`, `description`).
        assert output == ["RuntimeError", "True", "RuntimeError", "True", "UNCHECKED", "UNCHECKED"]


STRUCT_BOTH_WAYS = """
import json
import jsii._kernel as kernel
jsii_serialize = kernel._make_reference_for_native
from harness import provider_loader
provider_loader.install()
import cdktf
from cdktf_cdktf_provider_aws.s3_bucket import S3BucketConfig, S3BucketVersioning
config = S3BucketConfig(
    bucket="b",
    force_destroy=False,
    tags={},
    lifecycle=cdktf.TerraformResourceLifecycle(prevent_destroy=True),
    versioning=S3BucketVersioning(enabled=True),
)
loader_serialize = kernel._make_reference_for_native
kernel._make_reference_for_native = jsii_serialize  # jsii's own, nested structs included
print(json.dumps(jsii_serialize(None, [config])))
kernel._make_reference_for_native = loader_serialize
print(json.dumps(loader_serialize(None, [config])))
"""


def _without_null_struct_fields(value: object) -> object:
    if isinstance(value, dict):
        return {key: _without_null_struct_fields(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_null_struct_fields(item) for item in value]
    return value


def test_the_loader_sends_a_struct_with_the_fields_the_kernel_keeps_and_nothing_else() -> None:
    jsii_line, loader_line = run_python(STRUCT_BOTH_WAYS, child_env()).stdout.splitlines()
    as_jsii_sends, as_loader_sends = json.loads(jsii_line), json.loads(loader_line)

    # The kernel leaves out a null struct field (it deserializes to undefined): the same struct arrives.
    assert as_loader_sends == _without_null_struct_fields(as_jsii_sends)
    (bucket,) = as_loader_sends
    fields = bucket["$jsii.struct"]["data"]
    assert set(fields) == {"bucket", "forceDestroy", "tags", "lifecycle", "versioning"}
    assert fields["forceDestroy"] is False and fields["tags"] == {"$jsii.map": {}}  # set, though falsy
    assert fields["versioning"]["$jsii.struct"]["data"] == {"enabled": True}  # nested structs too
    assert len(as_jsii_sends[0]["$jsii.struct"]["data"]) > 3 * len(fields)  # what it no longer sends


def test_the_binding_loader_compiles_as_python_o_and_caches_in_the_opt_1_file(tmp_path: Path) -> None:
    source = tmp_path / "binding.py"
    source.write_text('if __debug__:\n    MODE = "checked"\nelse:\n    MODE = "optimized"\n')
    code = """
import importlib.util, sys
from harness import provider_loader
sys.dont_write_bytecode = False
path = sys.argv[1]
loader = provider_loader._OptimizedBindingLoader("binding", path)
spec = importlib.util.spec_from_file_location("binding", path, loader=loader)
module = importlib.util.module_from_spec(spec)
loader.exec_module(module)
print(module.MODE)
optimized = loader.optimized_cache
read = loader.get_data(importlib.util.cache_from_source(path))  # where importlib looks
print(optimized.endswith(".opt-1.pyc"), read == open(optimized, "rb").read())
"""
    output = run_python(code, child_env(), str(source)).stdout.split()

    assert output == ["optimized", "True", "True"]
    assert [path.name for path in (tmp_path / "__pycache__").iterdir()] == [
        Path(importlib.util.cache_from_source(str(source), optimization=1)).name
    ]


def test_the_venv_holds_optimized_bytecode_for_the_bindings_a_synth_imports() -> None:
    # The Makefile writes them when it creates the venv (`python -m harness.provider_loader`); without
    # them, and with PYTHONDONTWRITEBYTECODE set, every run would compile the bindings from source.
    sources = [
        PROVIDER_DIR / "s3_bucket" / "__init__.py",
        *(d / "__init__.py" for d in provider_loader.binding_directories()),
    ]
    missing = [
        str(source)
        for source in sources
        if not Path(importlib.util.cache_from_source(str(source), optimization=1)).is_file()
    ]
    assert missing == []


@pytest.mark.parametrize("stock", [False, True], ids=["loader", "stock"])
def test_a_missing_node_is_reported_by_name_as_stock_jsii_reports_it(stock: bool) -> None:
    # Importing constructs loads its assembly, which starts the kernel (the loader's install() already has).
    code = """
from harness import provider_loader
try:
    provider_loader.install()
    import constructs
except FileNotFoundError as error:
    print("MISSING", error.filename)
"""
    env = child_env(JSII_NODE="/nonexistent/node", **({provider_loader.STOCK_VARIABLE: "1"} if stock else {}))

    assert run_python(code, env).stdout.split() == ["MISSING", "/nonexistent/node"]
