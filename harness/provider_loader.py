"""Fast synth (issue 7): load only the AWS provider bindings a synth uses, in Python and in node,
and cut jsii's cost per call into node.

Use: call `install()` first thing in the process, before anything imports cdktf, constructs or
the provider; then import provider classes the normal way
(`from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket`). STOCK_PROVIDER_IMPORT=1 turns all of
it off (stock behaviour), for comparison and as an escape hatch. Synthesized output is
byte-identical either way (tests/synth/test_provider_loader.py).

Why: stock, the first provider import costs ~13 s. The Python package's `__init__` imports all
~2,100 submodules (which Python also tears down again at exit), and the jsii kernel's node
process `require`s the provider's JavaScript entry, `lib/index.js`, which requires all ~2,100
JavaScript submodules. A synth uses a few dozen.

Python side: the package is registered in `sys.modules` without executing its `__init__`
(`importlib.util.module_from_spec` only). Importing a submodule then runs only that submodule,
which loads the jsii assembly through `cdktf_cdktf_provider_aws._jsii` exactly as stock does. The
root `__init__` defines nothing that a submodule reads; a PEP 562 `__getattr__` keeps
`cdktf_cdktf_provider_aws.<submodule>` working. When node hands Python an object whose submodule
Python has not imported ("Unknown type: @cdktf/provider-aws.<name>" otherwise), jsii's own
on-demand resolver (`jsii._reference_map._try_import_type_module`, made for lazily loaded
submodules) imports it, using the map from jsii submodule FQN to Python module registered here.

Node side: jsii-runtime extracts the assembly tarball once into its package cache
(JSII_RUNTIME_PACKAGE_CACHE, on by default) and symlinks it into the kernel's work directory, so
the remaining cost is the `require` of `lib/index.js`. The kernel's node processes are started
with a `--require` hook (NODE_OPTIONS, set only while `install()` starts the kernel). When exactly
this provider's `lib/index.js` (name and version checked in its package.json) is compiled, the
hook turns each `exports.<name> = require("./<dir>");` into a getter that requires the submodule
on first access and then replaces itself with the value. The kernel reaches provider classes
only by property access on that object (`closure.<submodule>.<Class>`), and the submodules have no
load-time effects beyond defining their exports (each requires only cdktf and its own files). A
file with any line the rewrite does not recognise is compiled unchanged (eager, as stock).

Relay: stock jsii starts node on its `bin/jsii-runtime.js`, which starts a second node process on
`lib/program.js` (the kernel), talks to it over the kernel's fd 3 and relays every request and
response between Python's pipes and that channel, wrapping the kernel's own stdout and stderr in
JSON lines for Python to unwrap. So each of a synth's ~4,100 round trips crosses four pipes and
wakes three processes. The loader starts `lib/program.js` itself (same node, same arguments, same
environment), with fd 3 one end of a socket pair whose other end Python reads and writes, and
copies the kernel's stdout and stderr to Python's as jsii's sink does. Only for the jsii runtime it
was checked against (RELAY_FREE_RUNTIME), on POSIX, and when JSII_RUNTIME does not name a runtime of
the user's own; otherwise jsii starts its relay as usual. Lost with the relay: its warning about
node versions past end of life.

Struct arguments: jsii sends a struct (a resource's config, a policy statement) with every one of its
fields, the unset ones as null, reading each through its property, which evaluates its `typing.cast`
annotation on every read: a resource config has dozens of fields and sets a few. The kernel turns a null
field into undefined and leaves it out, so the struct it builds is the same without them. The loader
sends only the fields that are set, read from the struct's value dict (`_values`, which those
properties read), for structs jsii knows as data types; everything else goes through jsii's own code.

Garbage collection: jsii's (de)serialization allocates millions of
short-lived containers per synth. With CPython's default thresholds (a young collection every 700
net allocations) a full synth runs ~225 collections, ~0.14 s. The loader raises the young
threshold to GC_YOUNG_THRESHOLD: 2 collections, ~0.03 s; the python process's peak memory is
unchanged (~70 MB; `make bench`).

Exit: once the synth is done, the interpreter's last act is a garbage collection over every
object it still holds (~0.25 s after a full synth). The loader freezes them instead (`gc.freeze()`,
the last exit handler to run): nothing is left to collect that the process's end would not free,
and jsii's kernel, the one thing that needs stopping, is stopped by jsii's own exit handler first.

Runtime type checks: before every call into node, the generated bindings check each argument
against its annotation in Python (typeguard; ~40,000 checks per full synth, ~0.8 s), and the kernel
checks it again when it deserializes it. jsii's documented way to skip the Python copy is `python -O`:
the checks sit in `if __debug__:` blocks. The loader compiles the generated packages (constructs,
cdktf, the provider) as `-O` does, for them alone: a meta-path finder gives their modules a loader that
compiles with optimization level 1 and reads and writes the `.opt-1.pyc` bytecode cache that `-O`
uses. A wrong argument is still refused, by the kernel, which names it
(tests/synth/test_provider_loader.py). `python -m harness.provider_loader` writes those caches (the
Makefile does it when it creates the venv); where one is missing and Python may not write bytecode
(PYTHONDONTWRITEBYTECODE), that module is compiled from source on each run instead.

First run on a machine: jsii indexes the 120 MB assembly in its package cache on a node worker
thread (the worker preloads the hook too, so the hook file lives until Python exits). Node's exit
kills that thread, and a fast synth exits before it is done, which would leave every later run
parsing the whole assembly (~2 s). So a process that found no index waits for it at exit.
"""

import atexit
import errno
import gc
import importlib
import importlib.machinery
import importlib.util
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types
import typing
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from Python 3.12

STOCK_VARIABLE = "STOCK_PROVIDER_IMPORT"
"""Environment variable; "1" disables this loader."""
PROVIDER_PACKAGE = "cdktf_cdktf_provider_aws"
PROVIDER_ASSEMBLY = "@cdktf/provider-aws"
PROVIDER_VERSION = "20.1.0"
"""The bindings this was verified against (see the test); the node hook leaves other versions alone."""
_JSII_USERS = ("constructs", "cdktf", PROVIDER_PACKAGE)
INDEX_WAIT_S = 60.0
"""How long a process that found the provider unindexed waits at exit for jsii to index it."""
_INDEXING_RUNTIME = "1.142.0"
"""The jsii-runtime whose package-cache layout `_provider_index_missing` matches."""
RELAY_FREE_RUNTIME = "1.142.0"
"""The jsii runtime whose kernel (`lib/program.js`, API channel on fd 3) is started without the relay."""
GC_YOUNG_THRESHOLD = 50_000
"""Net allocations between young-generation garbage collections with the loader (CPython: 700)."""

_NODE_HOOK = r"""'use strict';
// Lazy entry for one jsii provider package; generated by harness/provider_loader.py (see there).
const Module = require('module');
const fs = require('fs');
const path = require('path');
const TARGET = __TARGET__;
const SUFFIX = path.join('node_modules', ...TARGET.name.split('/'), 'lib', 'index.js');
const EAGER_EXPORT = /^exports\.([A-Za-z_$][\w$]*) = require\("(\.\/[\w-]+)"\);$/;
const KEPT = [
  /^$/, /^"use strict";$/, /^\/\*\*$/, /^ \*( .*)?$/, /^ \*\/$/, /^\/\/.*$/,
  /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/,
  /^exports\.[\w$]+( = exports\.[\w$]+)* = void 0;$/,
];
// Appended to the module (function declarations are hoisted); keeps "use strict" first.
const LAZY_EXPORT = `
function __lazyExport(name, request) {
  const settle = (value) => Object.defineProperty(exports, name,
    { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(exports, name, {
    enumerable: true, configurable: true,
    get() { const value = require(request); settle(value); return value; },
    set: settle,
  });
}`;

function isTarget(filename) {
  if (!filename.endsWith(SUFFIX)) return false;
  try {
    const manifest = path.join(path.dirname(filename), '..', 'package.json');
    const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    return pkg.name === TARGET.name && pkg.version === TARGET.version;
  } catch {
    return false;
  }
}

function lazySource(content) {
  const lines = content.split('\n');
  let rewritten = 0;
  for (let i = 0; i < lines.length; i++) {
    const match = EAGER_EXPORT.exec(lines[i]);
    if (match) {
      lines[i] = `__lazyExport(${JSON.stringify(match[1])}, ${JSON.stringify(match[2])});`;
      rewritten++;
    } else if (!KEPT.some((pattern) => pattern.test(lines[i]))) {
      return null;
    }
  }
  return rewritten > 0 ? lines.join('\n') + LAZY_EXPORT : null;
}

const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename, ...rest) {
  if (isTarget(filename)) {
    const lazy = lazySource(content);
    if (lazy !== null) {
      Module.prototype._compile = compile;
      return compile.call(this, lazy, filename, ...rest);
    }
  }
  return compile.call(this, content, filename, ...rest);
};
"""


def stock_requested() -> bool:
    """Whether STOCK_PROVIDER_IMPORT=1 asks for stock behaviour."""
    return os.environ.get(STOCK_VARIABLE) == "1"


def install() -> None:
    """Set up lazy provider loading and start the jsii kernel (no-op if stock is requested or done).

    Must run before cdktf, constructs or the provider package is imported (it starts the kernel
    itself, so the hook reaches node); raises RuntimeError otherwise.
    """
    if stock_requested() or _installed():
        return
    too_late = [name for name in _JSII_USERS if name in sys.modules]
    if too_late:
        raise RuntimeError(
            f"harness.provider_loader.install() must run before importing {', '.join(too_late)}"
        )
    resolver_map = _jsii_submodule_map()  # first: fails before anything has changed
    atexit.register(gc.freeze)  # registered first, so it runs last
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    resolver_map.update(submodule_fqn_map(_register_package_without_init()))
    index_missing = _provider_index_missing()
    sys.meta_path.insert(0, _OptimizedBindingFinder)
    _send_only_set_struct_fields()
    if _relay_free_possible():
        _start_kernels_without_relay()
    _start_kernel_with_node_hook()
    if index_missing:
        # Registered after jsii's own exit handler, so it runs first, while node is still up.
        atexit.register(_wait_for_provider_index)


def submodule_fqn_map(python_submodules: list[str]) -> dict[str, str]:
    """jsii submodule FQN -> Python module for each submodule (`...s3Bucket` -> `...s3_bucket`).

    jsii-pacmak names a Python submodule by snake-casing the jsii (camelCase) name, so camel-casing
    it back gives the jsii name. Raises RuntimeError if two submodules would get the same one.
    """
    fqn_map: dict[str, str] = {}
    for name in python_submodules:
        head, *rest = name.split("_")
        fqn = f"{PROVIDER_ASSEMBLY}.{head}{''.join(part[:1].upper() + part[1:] for part in rest)}"
        if fqn in fqn_map:
            raise RuntimeError(f"{fqn_map[fqn]} and {name} would both be {fqn}")
        fqn_map[fqn] = f"{PROVIDER_PACKAGE}.{name}"
    return fqn_map


def node_hook_source() -> str:
    """The node `--require` hook that makes this provider's `lib/index.js` lazy."""
    target = json.dumps({"name": PROVIDER_ASSEMBLY, "version": PROVIDER_VERSION})
    return _NODE_HOOK.replace("__TARGET__", target)


def node_options_with_hook(hook: Path, existing: str | None) -> str:
    """NODE_OPTIONS that keeps `existing` and preloads `hook` (quoted as node parses it)."""
    return " ".join(filter(None, [existing, f"--require {json.dumps(str(hook), ensure_ascii=False)}"]))


def _installed() -> bool:
    package = sys.modules.get(PROVIDER_PACKAGE)
    return getattr(package, "__provider_loader__", False) is True


def _register_package_without_init() -> list[str]:
    """Put the package in sys.modules without running its __init__; returns its submodule names."""
    spec = importlib.util.find_spec(PROVIDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{PROVIDER_PACKAGE} is not installed as a package")
    package = importlib.util.module_from_spec(spec)
    submodules = sorted(
        entry.name
        for location in spec.submodule_search_locations
        for entry in os.scandir(location)
        if entry.is_dir() and not entry.name.startswith("_")
    )
    known = frozenset(submodules)

    def import_submodule(name: str) -> types.ModuleType:
        if name in known:
            return importlib.import_module(f"{PROVIDER_PACKAGE}.{name}")
        raise AttributeError(f"module {PROVIDER_PACKAGE!r} has no attribute {name!r}")

    # `__all__` as in the stock __init__ (its star-import imports every submodule).
    vars(package).update(__all__=submodules, __getattr__=import_submodule, __provider_loader__=True)
    sys.modules[PROVIDER_PACKAGE] = package
    return submodules


def _jsii_submodule_map() -> dict[str, str]:
    """jsii's map from submodule FQN to Python module, consulted when it meets an unknown type."""
    from jsii import _reference_map

    # Private to jsii, but made for exactly this; fail loudly if a jsii upgrade drops it.
    registry = getattr(_reference_map, "_submodule_fqn_map", None)
    if not isinstance(registry, dict) or not hasattr(_reference_map, "_try_import_type_module"):
        raise RuntimeError(
            "this jsii version cannot import provider submodules on demand; "
            f"set {STOCK_VARIABLE}=1 or update harness/provider_loader.py"
        )
    return registry


def _start_kernel_with_node_hook() -> None:
    hook_dir = Path(tempfile.mkdtemp(prefix="csg-provider-loader-"))
    # Registered before the kernel starts, so it runs after jsii's own exit handler has stopped
    # node: node re-reads the hook in every worker thread it starts.
    atexit.register(shutil.rmtree, hook_dir, ignore_errors=True)
    hook = hook_dir / "lazy_provider_entry.cjs"
    hook.write_text(node_hook_source(), encoding="utf-8")
    existing = os.environ.get("NODE_OPTIONS")
    os.environ["NODE_OPTIONS"] = node_options_with_hook(hook, existing)
    try:
        # The first assembly load starts the kernel's node processes, which take NODE_OPTIONS now.
        importlib.import_module("constructs")
    finally:
        if existing is None:
            del os.environ["NODE_OPTIONS"]
        else:
            os.environ["NODE_OPTIONS"] = existing


def _provider_cache_dir() -> Path | None:
    """jsii-runtime's package-cache folder for this provider version, if it is where we know it is."""
    import jsii

    cache = os.environ.get("JSII_RUNTIME_PACKAGE_CACHE", "enabled").lower()
    if jsii.__jsii_runtime_version__ != _INDEXING_RUNTIME or cache != "enabled" or sys.platform != "linux":
        return None
    root = os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT") or Path.home() / ".cache/aws/jsii/package-cache"
    return Path(root, *PROVIDER_ASSEMBLY.split("/"), PROVIDER_VERSION)


def _provider_index_missing() -> bool:
    """Whether jsii has yet to index the provider assembly in its package cache.

    Without that index, each process parses the 120 MB assembly (~2 s); jsii builds it on a worker
    thread of the node process, off the critical path, and node's exit kills that thread. A stock
    process lives long enough to finish it; one using this loader often does not.
    """
    cache_dir = _provider_cache_dir()
    return cache_dir is not None and not any(cache_dir.glob("*/.jsii.runtime.v1.json"))


def _wait_for_provider_index() -> None:
    cache_dir = _provider_cache_dir()
    if cache_dir is None or f"{PROVIDER_PACKAGE}._jsii" not in sys.modules:
        return  # the assembly was never loaded here, so no index is being built
    deadline = time.monotonic() + INDEX_WAIT_S
    if not any(cache_dir.glob("*/.jsii.runtime.v1.json")):
        print("provider_loader: waiting for jsii to index the provider (once per machine)", file=sys.stderr)
    while not any(cache_dir.glob("*/.jsii.runtime.v1.json")) and time.monotonic() < deadline:
        time.sleep(0.1)


class _OptimizedBindingLoader(importlib.machinery.SourceFileLoader):
    """A generated binding module compiled as `python -O` compiles it, cached in its `.opt-1.pyc`."""

    def __init__(self, fullname: str, path: str) -> None:
        super().__init__(fullname, path)
        self._default_cache = importlib.util.cache_from_source(path)
        self.optimized_cache = importlib.util.cache_from_source(path, optimization=1)

    def get_data(self, path: str) -> bytes:
        return super().get_data(self.optimized_cache if path == self._default_cache else path)

    def set_data(self, path: str, data: "Buffer", *, _mode: int = 0o666) -> None:
        super().set_data(self.optimized_cache if path == self._default_cache else path, data, _mode=_mode)

    def source_to_code(  # type: ignore[override]
        self, data: bytes, path: str, *, _optimize: int = -1
    ) -> types.CodeType:
        return super().source_to_code(data, path, _optimize=1)


class _OptimizedBindingFinder:
    """Finds the generated packages' modules as Python would, with `_OptimizedBindingLoader` to load them."""

    @staticmethod
    def find_spec(
        fullname: str, path: typing.Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] not in _JSII_USERS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader or not spec.origin:
            return spec
        loader = _OptimizedBindingLoader(fullname, spec.origin)
        spec.loader, spec.cached = loader, loader.optimized_cache
        return spec


def binding_directories() -> list[Path]:
    """Where the generated packages (constructs, cdktf, the provider) are installed."""
    directories = []
    for package in _JSII_USERS:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"{package} is not installed as a package")
        directories += [Path(location) for location in spec.submodule_search_locations]
    return directories


def compile_bindings() -> bool:
    """Write the `.opt-1.pyc` caches of every generated module (as `python -O -m compileall`)."""
    import compileall

    return all(
        compileall.compile_dir(directory, quiet=1, optimize=1, workers=0)
        for directory in binding_directories()
    )


def _send_only_set_struct_fields() -> None:
    """Serialize structs without their unset fields (see the module doc); the rest as jsii does."""
    from jsii import _kernel
    from jsii._runtime import python_jsii_mapping

    serialize = _kernel._make_reference_for_native

    def serialize_set_fields(kernel: _kernel.Kernel, d: Any) -> Any:  # jsii's signature
        fields = getattr(d, "_values", None)
        if type(fields) is dict and getattr(d, "__jsii_type__", None) is not None:
            jsii_names = python_jsii_mapping(d)
            if jsii_names is not None:
                data = {
                    jsii_names[name]: serialize_set_fields(kernel, field) for name, field in fields.items()
                }
                return {"$jsii.struct": {"fqn": d.__jsii_type__, "data": data}}
        # jsii's own recurses into lists and maps through the module attribute, so structs in them come here.
        return serialize(kernel, d)

    _kernel._make_reference_for_native = serialize_set_fields


def _relay_free_possible() -> bool:
    import jsii
    from jsii._embedded import jsii as embedded

    return (
        os.name == "posix"
        and "JSII_RUNTIME" not in os.environ
        and jsii.__jsii_runtime_version__ == RELAY_FREE_RUNTIME
        and embedded.EMBEDDED_FILES.get("lib__program.js") == "lib/program.js"
    )


class _KernelProcess:
    """What jsii's `_NodeProcess` uses of `subprocess.Popen`, for a kernel whose API channel is a socket."""

    def __init__(self, popen: "subprocess.Popen[bytes]", channel: socket.socket) -> None:
        self._popen = popen
        self._channel = channel
        self.stdin = _ChannelWriter(channel)
        self.stdout = channel.makefile("rb")
        self.stderr = popen.stderr

    def wait(self, timeout: float | None = None) -> int:
        return self._popen.wait(timeout=timeout)

    def terminate(self) -> None:
        self._popen.terminate()


class _ChannelWriter:
    """The writing half of the API channel; closing it tells the kernel no more requests come."""

    def __init__(self, channel: socket.socket) -> None:
        self._channel = channel
        self._file = channel.makefile("wb")

    @property
    def closed(self) -> bool:
        return self._file.closed

    def write(self, data: bytes) -> int:
        return self._file.write(data)

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()
        self._channel.shutdown(socket.SHUT_WR)


def _copy_output(source: IO[bytes], stream_name: str) -> None:
    """Copy the kernel's stdout or stderr to Python's `sys.<stream_name>` (looked up per chunk)."""
    for chunk in iter(lambda: source.read1(65536), b""):  # type: ignore[attr-defined]
        stream = getattr(sys, stream_name)
        stream.buffer.write(chunk)
        stream.flush()


def _start_kernels_without_relay() -> None:
    """Have jsii start `lib/program.js` directly, its fd 3 a socket to Python (see the module doc)."""
    from jsii._kernel.providers import process

    def start(self: Any) -> None:
        environ = os.environ.copy()
        environ["JSII_AGENT"] = f"Python/{platform.python_version()}"  # as jsii sets it
        program = Path(self._jsii_runtime()).parents[1] / "lib" / "program.js"
        node = environ.get("JSII_NODE", "node")
        if shutil.which(node, path=environ.get("PATH")) is None:  # as stock's Popen would, not a mute shell
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", node)
        ours, kernels = socket.socketpair()
        with kernels:
            # The shell moves the channel from fd 0 to fd 3, where the kernel expects it.
            popen = subprocess.Popen(
                [
                    "/bin/sh",
                    "-c",
                    'exec "$@" 3<&0 0</dev/null',
                    "sh",
                    node,
                    "--max-old-space-size=4069",
                    "--preserve-symlinks",
                    str(program),
                ],
                stdin=kernels.fileno(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environ,
            )
        self._process = _KernelProcess(popen, ours)
        # jsii's stop() joins `sink_thread` before closing stderr.
        self.sink_thread = threading.Thread(
            name="process.stderr_sink", target=_copy_output, args=(popen.stderr, "stderr"), daemon=True
        )
        self.sink_thread.start()
        threading.Thread(
            name="process.stdout_sink", target=_copy_output, args=(popen.stdout, "stdout"), daemon=True
        ).start()
        atexit.register(self.stop)
        self.handshake()

    setattr(process._NodeProcess, "start", start)  # noqa: B010 (mypy forbids assigning to a method)


if __name__ == "__main__":
    sys.exit(0 if compile_bindings() else 1)
