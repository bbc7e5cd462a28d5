"""Find the synthesized stacks in a cdktf.out-shaped folder and index their Terraform addresses by line.

checkov's terraform_json runner names results inconsistently: Python checks report `resource.<name>` /
`data.<name>` (no type), graph checks report `<type>.<name>` even for data sources. Both give the line
of the entity's opening brace, so each stack file is indexed line -> Terraform address
(`aws_s3_bucket.x`, `data.aws_iam_policy_document.y`, `provider.aws`, `module.m`).
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STACK_FILE_NAME = "cdk.tf.json"
MANIFEST_NAME = "manifest.json"


class SynthLayoutError(Exception):
    """The folder is not a usable synthesized output; every problem found is listed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _LocatedDict(dict[str, Any]):
    """A decoded JSON object that remembers the 1-based line of its opening brace."""

    line: int


def _load_with_lines(text: str) -> Any:
    newline_offsets = [index for index, char in enumerate(text) if char == "\n"]
    decoder = json.JSONDecoder()
    object_parser: Callable[..., tuple[dict[str, Any], int]] = json.decoder.JSONObject  # type: ignore[attr-defined]

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[_LocatedDict, int]:
        brace_offset = s_and_end[1] - 1
        decoded, end = object_parser(s_and_end, *args)
        located = _LocatedDict(decoded)
        located.line = bisect.bisect_left(newline_offsets, brace_offset) + 1
        return located, end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    # The C scanner ignores parse_object; the pure-Python one calls it.
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


def _line_of(value: Any) -> int | None:
    return value.line if isinstance(value, _LocatedDict) else None


@dataclass(frozen=True, kw_only=True)
class Stack:
    """One synthesized stack file and the Terraform addresses it defines."""

    name: str
    """Stack name (its folder under stacks/)."""
    file: Path
    """Path of its cdk.tf.json, as given (relative paths stay relative, as checkov reports them)."""
    address_by_line: dict[int, str]
    """Line of each entity's opening brace -> its Terraform address."""
    resource_count: int
    """Number of managed resources (`resource` blocks)."""

    @classmethod
    def load(cls, name: str, file: Path) -> Stack:
        document = _load_with_lines(file.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise SynthLayoutError([f"{file}: top level is not a JSON object"])
        addresses: dict[int, str] = {}
        resource_count = 0
        for block_kind, prefix in (("resource", ""), ("data", "data.")):
            for type_name, by_name in (document.get(block_kind) or {}).items():
                for entity_name, config in by_name.items():
                    if entity_name == "//":
                        continue
                    resource_count += block_kind == "resource"
                    _add(addresses, _line_of(config), f"{prefix}{type_name}.{entity_name}")
        for provider_name, configs in (document.get("provider") or {}).items():
            for config in configs if isinstance(configs, list) else [configs]:
                alias = config.get("alias")
                suffix = f".{alias}" if alias else ""
                _add(addresses, _line_of(config), f"provider.{provider_name}{suffix}")
        for module_name, config in (document.get("module") or {}).items():
            _add(addresses, _line_of(config), f"module.{module_name}")
        return cls(name=name, file=file, address_by_line=addresses, resource_count=resource_count)


def _add(addresses: dict[int, str], line: int | None, address: str) -> None:
    if line is not None:
        addresses[line] = address


def discover_stacks(synth_dir: Path) -> list[Stack]:
    """The stacks under synth_dir/stacks/<name>/cdk.tf.json, cross-checked with manifest.json if present."""
    stacks_dir = synth_dir / "stacks"
    if not stacks_dir.is_dir():
        raise SynthLayoutError([f"{stacks_dir}: no such directory (expected a cdktf.out-shaped folder)"])
    files = {path.parent.name: path for path in sorted(stacks_dir.glob(f"*/{STACK_FILE_NAME}"))}
    problems: list[str] = []
    manifest = synth_dir / MANIFEST_NAME
    if manifest.is_file():
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("stacks", {})
        for name, entry in listed.items():
            expected = synth_dir / entry.get("synthesizedStackPath", f"stacks/{name}/{STACK_FILE_NAME}")
            if not expected.is_file():
                problems.append(f"{manifest}: stack {name!r} is listed but {expected} is missing")
    if not files:
        problems.append(f"{stacks_dir}: no */{STACK_FILE_NAME} found")
    stacks: list[Stack] = []
    for name, file in files.items():
        try:
            stacks.append(Stack.load(name, file))
        except (ValueError, SynthLayoutError) as error:
            problems.append(f"{file}: cannot be read as Terraform JSON: {error}")
    if problems:
        raise SynthLayoutError(problems)
    return stacks
