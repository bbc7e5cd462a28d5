"""Apply the suppression registry to a scan and decide pass/fail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from security.checkov_run import Finding, ScanResult
from security.stacks import Stack
from security.suppressions import (
    FailedCheck,
    Registry,
    find_suppression,
    overlapping_suppressions,
    unused_suppressions,
)


@dataclass(frozen=True, kw_only=True)
class SuppressedFinding:
    finding: Finding
    """The failed result."""
    reason: str
    """The registry entry's reason."""
    source: str
    """Where the entry is defined (`file.toml#n`)."""


@dataclass(frozen=True, kw_only=True)
class StackSummary:
    name: str
    """Stack name."""
    resources: int
    """Managed resources in the stack file."""
    passed: int
    """Checks passed."""
    failed: int
    """Checks failed and not suppressed."""
    suppressed: int
    """Checks failed and suppressed."""


@dataclass(frozen=True, kw_only=True)
class Verdict:
    stacks: tuple[StackSummary, ...]
    """Per-stack counts, in stack order."""
    failures: tuple[Finding, ...]
    """Unsuppressed failures, sorted by stack, check, address."""
    suppressed: tuple[SuppressedFinding, ...]
    """Suppressed failures, sorted like `failures`."""
    errors: tuple[str, ...]
    """Registry errors (invalid or unused entries) and scan errors."""

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errors


def _order(finding: Finding) -> tuple[str, str, str]:
    return (finding.stack, finding.check_id, finding.address)


def decide(stacks: Sequence[Stack], scan: ScanResult, registry: Registry) -> Verdict:
    failures: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    failed_checks = []
    for finding in scan.findings:
        if finding.passed:
            continue
        failed = FailedCheck(check_id=finding.check_id, stack=finding.stack, address=finding.address)
        failed_checks.append(failed)
        suppression = find_suppression(registry, failed)
        if suppression is None:
            failures.append(finding)
        else:
            suppressed.append(
                SuppressedFinding(finding=finding, reason=suppression.entry.reason, source=suppression.source)
            )
    errors = [
        *scan.errors,
        *registry.errors,
        *unused_suppressions(registry, failed_checks),
        *overlapping_suppressions(registry, failed_checks),
    ]
    summaries = []
    for stack in stacks:
        stack_findings = [finding for finding in scan.findings if finding.stack == stack.name]
        if stack.resource_count and not stack_findings:
            errors.append(
                f"stack {stack.name}: {stack.resource_count} resources but checkov evaluated no check"
            )
        summaries.append(
            StackSummary(
                name=stack.name,
                resources=stack.resource_count,
                passed=sum(finding.passed for finding in stack_findings),
                failed=sum(finding.stack == stack.name for finding in failures),
                suppressed=sum(item.finding.stack == stack.name for item in suppressed),
            )
        )
    return Verdict(
        stacks=tuple(summaries),
        failures=tuple(sorted(failures, key=_order)),
        suppressed=tuple(sorted(suppressed, key=lambda item: _order(item.finding))),
        errors=tuple(errors),
    )
