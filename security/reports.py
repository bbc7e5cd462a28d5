"""The gate's outputs: console summary, JUnit XML, SARIF and a JSON verdict.

checkov's own JSON/JUnit/SARIF are kept untouched next to these (in checkov/); the files written here
carry the gate's verdict, i.e. suppressed failures are marked as suppressed rather than failed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict
from pathlib import Path
from typing import Any

from security.checkov_run import Finding
from security.verdict import Verdict

JUNIT_FILE = "junit.xml"
SARIF_FILE = "results.sarif"
VERDICT_FILE = "gate.json"
REGISTRY_SUITE = "suppression-registry"


def format_summary(verdict: Verdict) -> str:
    name_width = max([len("stack"), len("total"), *(len(stack.name) for stack in verdict.stacks)])
    header = f"{'stack':<{name_width}}  {'resources':>9}  {'passed':>6}  {'failed':>6}  {'suppressed':>10}"
    lines = [header, "-" * len(header)]
    for stack in verdict.stacks:
        lines.append(
            f"{stack.name:<{name_width}}  {stack.resources:>9}  {stack.passed:>6}  "
            f"{stack.failed:>6}  {stack.suppressed:>10}"
        )
    totals = [
        sum(getattr(stack, column) for stack in verdict.stacks)
        for column in ("resources", "passed", "failed", "suppressed")
    ]
    lines.append("-" * len(header))
    lines.append(f"{'total':<{name_width}}  {totals[0]:>9}  {totals[1]:>6}  {totals[2]:>6}  {totals[3]:>10}")
    if verdict.failures:
        lines += ["", f"Unsuppressed failures ({len(verdict.failures)}):"]
        for finding in verdict.failures:
            lines.append(f"  {finding.check_id}  {finding.check_name}")
            lines.append(f"      stack {finding.stack}  resource {finding.address}")
            if finding.guideline:
                lines.append(f"      guideline {finding.guideline}")
    if verdict.errors:
        lines += ["", f"Errors ({len(verdict.errors)}):"]
        lines += [f"  {error}" for error in verdict.errors]
    lines += ["", "PASSED" if verdict.passed else "FAILED"]
    return "\n".join(lines)


def _testcase(suite: ElementTree.Element, finding: Finding) -> ElementTree.Element:
    return ElementTree.SubElement(
        suite,
        "testcase",
        name=f"{finding.check_id} {finding.check_name}",
        classname=f"{finding.stack}.{finding.address}",
        file=finding.file,
    )


def write_junit(verdict: Verdict, findings: tuple[Finding, ...], path: Path) -> None:
    suppressed = {item.finding: item for item in verdict.suppressed}
    root = ElementTree.Element("testsuites", name="security gate")
    for stack in verdict.stacks:
        stack_findings = [finding for finding in findings if finding.stack == stack.name]
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=stack.name,
            tests=str(len(stack_findings)),
            failures=str(stack.failed),
            skipped=str(stack.suppressed),
        )
        for finding in stack_findings:
            testcase = _testcase(suite, finding)
            if finding in suppressed:
                item = suppressed[finding]
                ElementTree.SubElement(
                    testcase, "skipped", message=f"suppressed by {item.source}: {item.reason}"
                )
            elif not finding.passed:
                message = finding.guideline or finding.check_name
                ElementTree.SubElement(testcase, "failure", message=message, type=finding.check_id)
    if verdict.errors:
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=REGISTRY_SUITE,
            tests=str(len(verdict.errors)),
            failures=str(len(verdict.errors)),
        )
        for number, error in enumerate(verdict.errors, start=1):
            testcase = ElementTree.SubElement(
                suite, "testcase", name=f"error {number}", classname=REGISTRY_SUITE
            )
            ElementTree.SubElement(testcase, "failure", message=error)
    ElementTree.indent(root)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def write_sarif(checkov_sarif: Path, verdict: Verdict, findings: tuple[Finding, ...], path: Path) -> None:
    """checkov's SARIF with each result's stack/address added and suppressed results marked as such."""
    document: dict[str, Any] = json.loads(checkov_sarif.read_text(encoding="utf-8"))
    by_location = {(f.check_id, f.sarif_uri, f.start_line): f for f in findings if not f.passed}
    suppressed = {item.finding: item for item in verdict.suppressed}
    for run in document.get("runs", []):
        for result in run.get("results", []):
            physical = result["locations"][0]["physicalLocation"]
            key = (result["ruleId"], physical["artifactLocation"]["uri"], physical["region"]["startLine"])
            finding = by_location.get(key)
            if finding is None:
                continue
            result["logicalLocations"] = [
                {"fullyQualifiedName": f"{finding.stack}/{finding.address}", "kind": "resource"}
            ]
            result.setdefault("properties", {}).update(stack=finding.stack, address=finding.address)
            if finding in suppressed:
                item = suppressed[finding]
                result["suppressions"] = [
                    {
                        "kind": "external",
                        "status": "accepted",
                        "justification": f"{item.source}: {item.reason}",
                    }
                ]
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def write_verdict_json(verdict: Verdict, path: Path) -> None:
    def finding_json(finding: Finding) -> dict[str, Any]:
        return {
            "check_id": finding.check_id,
            "check_name": finding.check_name,
            "stack": finding.stack,
            "address": finding.address,
            "guideline": finding.guideline,
        }

    document = {
        "passed": verdict.passed,
        "stacks": [asdict(stack) for stack in verdict.stacks],
        "failures": [finding_json(finding) for finding in verdict.failures],
        "suppressed": [
            {**finding_json(item.finding), "reason": item.reason, "source": item.source}
            for item in verdict.suppressed
        ],
        "errors": list(verdict.errors),
    }
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
