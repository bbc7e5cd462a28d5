"""The suppression registry: per-resource exceptions to checkov findings (security/suppressions/*.toml).

checkov cannot honour inline skips in CDKTF JSON, and a global --skip-check would hide a finding on every
resource, so the gate applies these itself. One TOML file per domain (network.toml, storage.toml, ...)
so that engineers adding entries for different services do not edit the same file:

    [[suppression]]
    check = "CKV_AWS_144"
    resources = ["aws_s3_bucket.data-lake_raw_bucket_0A1B2C3D"]
    stacks = ["dev"]            # optional; omitted = every stack
    reason = "Cross-region replication is a prod-only requirement; dev data is disposable test data."

Every problem in every file is collected (never first-error-only) so one run lists them all.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator

# checkov IDs: CKV_AWS_20, CKV2_AWS_5, CKV_TF_1, our CKV_CSG_1.
CHECK_ID_PATTERN = r"^CKV2?_[A-Z][A-Z0-9]*_[0-9]+$"
# `type.name`, `data.type.name`, `provider.name[.alias]` or `module.name`, with cdktf's logical IDs.
ADDRESS_PATTERN = r"^(data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$"
STACK_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
MIN_REASON_CHARACTERS = 20
MIN_REASON_WORDS = 4

CheckId = Annotated[str, StringConstraints(pattern=CHECK_ID_PATTERN)]
ResourceAddress = Annotated[str, StringConstraints(pattern=ADDRESS_PATTERN)]
StackName = Annotated[str, StringConstraints(pattern=STACK_NAME_PATTERN)]


class SuppressionEntry(BaseModel):
    """One `[[suppression]]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    check: CheckId
    """checkov check ID, e.g. CKV_AWS_144. Required."""
    resources: tuple[ResourceAddress, ...]
    """Exact Terraform addresses as the gate prints them. Required, at least one."""
    stacks: tuple[StackName, ...] | None = None
    """Stacks the entry applies to. Default None: every stack."""
    reason: str
    """Why this finding is accepted: a sentence a reviewer can judge. Required."""

    @field_validator("resources", "stacks", mode="before")
    @classmethod
    def _not_empty(cls, value: object) -> object:
        # Checked before item validation so that one bad item is reported once, as itself.
        if isinstance(value, list | tuple) and not value:
            raise ValueError("must list at least one item")
        return value

    @field_validator("reason")
    @classmethod
    def _reason_is_an_explanation(cls, reason: str) -> str:
        if len(reason) < MIN_REASON_CHARACTERS or len(reason.split()) < MIN_REASON_WORDS:
            raise ValueError(
                f"must explain the decision (at least {MIN_REASON_WORDS} words and "
                f"{MIN_REASON_CHARACTERS} characters), got {reason!r}"
            )
        return reason


@dataclass(frozen=True, kw_only=True)
class Suppression:
    """A valid entry and where it was defined."""

    entry: SuppressionEntry
    """The validated entry."""
    source: str
    """`file.toml#n` (1-based entry number), for messages."""


@dataclass(frozen=True, kw_only=True)
class Registry:
    """Every valid entry, and every problem found while loading."""

    suppressions: tuple[Suppression, ...]
    """Valid entries, in file then entry order."""
    errors: tuple[str, ...]
    """One message per problem; entries with problems are not in `suppressions`."""


def _format_validation_error(source: str, error: ValidationError) -> list[str]:
    messages = []
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "entry"
        if problem["type"] == "extra_forbidden":
            messages.append(f"{source}: unknown field {field!r}")
        elif problem["type"] == "missing":
            messages.append(f"{source}: missing required field {field!r}")
        else:
            messages.append(f"{source}: {field}: {problem['msg']}")
    return messages


def load_registry(directory: Path) -> Registry:
    """Load and validate every *.toml in directory (a missing directory is an empty registry)."""
    suppressions: list[Suppression] = []
    errors: list[str] = []
    for file in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
        try:
            document = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            errors.append(f"{file.name}: not valid TOML: {error}")
            continue
        for key in sorted(set(document) - {"suppression"}):
            errors.append(
                f"{file.name}: unknown top-level key {key!r} (entries go in [[suppression]] tables)"
            )
        entries = document.get("suppression", [])
        if not isinstance(entries, list):
            errors.append(f"{file.name}: 'suppression' must be an array of tables ([[suppression]])")
            continue
        for number, raw_entry in enumerate(entries, start=1):
            source = f"{file.name}#{number}"
            try:
                entry = SuppressionEntry.model_validate(raw_entry)
            except ValidationError as error:
                errors.extend(_format_validation_error(source, error))
                continue
            suppressions.append(Suppression(entry=entry, source=source))
    return Registry(suppressions=tuple(suppressions), errors=tuple(errors))


@dataclass(frozen=True, kw_only=True)
class FailedCheck:
    """The part of a failed finding that a suppression is matched on."""

    check_id: str
    """checkov check ID."""
    stack: str
    """Stack name."""
    address: str
    """Terraform address."""


def _covers(entry: SuppressionEntry, failed: FailedCheck) -> bool:
    return (
        entry.check == failed.check_id
        and failed.address in entry.resources
        and (entry.stacks is None or failed.stack in entry.stacks)
    )


def find_suppression(registry: Registry, failed: FailedCheck) -> Suppression | None:
    """The first entry that covers this failure, if any."""
    return next((item for item in registry.suppressions if _covers(item.entry, failed)), None)


def overlapping_suppressions(registry: Registry, failures: Iterable[FailedCheck]) -> list[str]:
    """Failures covered by more than one entry: each such entry pair leaves one of them dead weight."""
    problems = []
    for failed in failures:
        sources = [item.source for item in registry.suppressions if _covers(item.entry, failed)]
        if len(sources) > 1:
            problems.append(
                f"{' and '.join(sources)}: all suppress {failed.check_id} on {failed.address}"
                f" in stack {failed.stack}; keep one"
            )
    return problems


def unused_suppressions(registry: Registry, failures: Iterable[FailedCheck]) -> list[str]:
    """Every (entry, resource[, stack]) that matched no failure: stale entries must be removed."""
    seen = {(failure.check_id, failure.address, failure.stack) for failure in failures}
    seen_any_stack = {(check_id, address) for check_id, address, _ in seen}
    problems = []
    for suppression in registry.suppressions:
        entry = suppression.entry
        for resource in entry.resources:
            if entry.stacks is None:
                if (entry.check, resource) not in seen_any_stack:
                    problems.append(
                        f"{suppression.source}: unused: {entry.check} did not fail on {resource} in any stack"
                    )
                continue
            problems.extend(
                f"{suppression.source}: unused: {entry.check} did not fail on {resource} in stack {stack}"
                for stack in entry.stacks
                if (entry.check, resource, stack) not in seen
            )
    return problems
