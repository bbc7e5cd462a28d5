"""The suppression registry loader and matcher on their own (the gate-level behaviour is in test_gate.py)."""

from __future__ import annotations

from pathlib import Path

from security.suppressions import (
    FailedCheck,
    find_suppression,
    load_registry,
    overlapping_suppressions,
    unused_suppressions,
)

GOOD_REASON = "Access logs of the log bucket would log themselves; AWS documents this loop."
BUCKET = "aws_s3_bucket.data-lake_access-logs_bucket_6281E99A"


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def test_valid_entries_load_in_file_order(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "storage.toml",
        f'[[suppression]]\ncheck = "CKV_AWS_18"\nresources = ["{BUCKET}"]\nstacks = ["dev", "prod"]\n'
        f'reason = "{GOOD_REASON}"\n',
    )
    _write(
        tmp_path,
        "network.toml",
        '[[suppression]]\ncheck = "CKV2_AWS_5"\nresources = ["aws_security_group.spare"]\n'
        'reason = "Kept unattached on purpose as the quarantine group for incident response."\n',
    )
    registry = load_registry(tmp_path)
    assert registry.errors == ()
    assert [(item.source, item.entry.check) for item in registry.suppressions] == [
        ("network.toml#1", "CKV2_AWS_5"),
        ("storage.toml#1", "CKV_AWS_18"),
    ]
    storage = registry.suppressions[1].entry
    assert storage.resources == (BUCKET,)
    assert storage.stacks == ("dev", "prod")
    assert registry.suppressions[0].entry.stacks is None


def test_every_problem_in_every_file_is_reported_at_once(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "storage.toml",
        f"""
[[suppression]]
check = "CKV_AWS_18"
resources = ["{BUCKET}"]

[[suppression]]
check = "CKV_AWS_21"
resources = ["{BUCKET}"]
reason = "{GOOD_REASON}"
owner = "data-team"

[[suppression]]
check = "ckv_aws_144"
resources = ["{BUCKET}"]
reason = "{GOOD_REASON}"

[[suppression]]
check = "CKV_AWS_145"
resources = ["{BUCKET}"]
reason = "false positive"

[[suppression]]
check = "CKV_AWS_144"
resources = []
reason = "{GOOD_REASON}"

[[suppression]]
check = "CKV_AWS_144"
resources = ["data-lake bucket"]
reason = "{GOOD_REASON}"

[[suppression]]
check = "CKV2_AWS_62"
resources = ["{BUCKET}"]
reason = "{GOOD_REASON}"
""",
    )
    _write(tmp_path, "network.toml", 'version = 2\n[[suppression]]\ncheck = "CKV_AWS_24"\n')
    _write(tmp_path, "broken.toml", "[[suppression]\ncheck = 1\n")

    registry = load_registry(tmp_path)

    expected_starts = [
        "broken.toml: not valid TOML",
        "network.toml: unknown top-level key 'version'",
        "network.toml#1: missing required field 'resources'",
        "network.toml#1: missing required field 'reason'",
        "storage.toml#1: missing required field 'reason'",
        "storage.toml#2: unknown field 'owner'",
        "storage.toml#3: check: String should match pattern",
        "storage.toml#4: reason: Value error, must explain the decision",
        "storage.toml#5: resources: Value error, must list at least one item",
        "storage.toml#6: resources.0: String should match pattern",
    ]
    assert len(registry.errors) == len(expected_starts), registry.errors
    for error, start in zip(registry.errors, expected_starts, strict=True):
        assert error.startswith(start), (error, start)
    # The one valid entry is still usable.
    assert [item.source for item in registry.suppressions] == ["storage.toml#7"]


def test_a_failure_covered_by_two_entries_is_reported(tmp_path: Path) -> None:
    entry = f'[[suppression]]\ncheck = "CKV_AWS_18"\nresources = ["{BUCKET}"]\nreason = "{GOOD_REASON}"\n'
    _write(tmp_path, "storage.toml", entry)
    _write(tmp_path, "logging.toml", entry.replace("]\nreason", ']\nstacks = ["dev"]\nreason'))
    registry = load_registry(tmp_path)
    assert registry.errors == ()
    in_dev = FailedCheck(check_id="CKV_AWS_18", stack="dev", address=BUCKET)
    in_prod = FailedCheck(check_id="CKV_AWS_18", stack="prod", address=BUCKET)
    assert overlapping_suppressions(registry, [in_dev, in_prod]) == [
        f"logging.toml#1 and storage.toml#1: all suppress CKV_AWS_18 on {BUCKET} in stack dev; keep one"
    ]


def test_missing_directory_is_an_empty_registry(tmp_path: Path) -> None:
    registry = load_registry(tmp_path / "absent")
    assert registry.suppressions == ()
    assert registry.errors == ()


def test_matching_honours_check_address_and_stack_filter(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "storage.toml",
        f'[[suppression]]\ncheck = "CKV_AWS_18"\nresources = ["{BUCKET}"]\nstacks = ["dev"]\n'
        f'reason = "{GOOD_REASON}"\n',
    )
    registry = load_registry(tmp_path)
    assert find_suppression(registry, FailedCheck(check_id="CKV_AWS_18", stack="dev", address=BUCKET))
    assert not find_suppression(registry, FailedCheck(check_id="CKV_AWS_18", stack="prod", address=BUCKET))
    assert not find_suppression(registry, FailedCheck(check_id="CKV_AWS_21", stack="dev", address=BUCKET))
    other = "aws_s3_bucket.data-lake_raw_bucket_72556160"
    assert not find_suppression(registry, FailedCheck(check_id="CKV_AWS_18", stack="dev", address=other))


def test_every_listed_resource_and_stack_must_be_used(tmp_path: Path) -> None:
    raw = "aws_s3_bucket.data-lake_raw_bucket_72556160"
    _write(
        tmp_path,
        "storage.toml",
        f'[[suppression]]\ncheck = "CKV_AWS_18"\nresources = ["{BUCKET}", "{raw}"]\n'
        f'stacks = ["dev", "staging"]\nreason = "{GOOD_REASON}"\n\n'
        f'[[suppression]]\ncheck = "CKV_AWS_144"\nresources = ["{BUCKET}"]\nreason = "{GOOD_REASON}"\n',
    )
    registry = load_registry(tmp_path)
    failures = [
        FailedCheck(check_id="CKV_AWS_18", stack="dev", address=BUCKET),
        FailedCheck(check_id="CKV_AWS_18", stack="staging", address=BUCKET),
        FailedCheck(check_id="CKV_AWS_18", stack="dev", address=raw),
        FailedCheck(check_id="CKV_AWS_144", stack="prod", address=BUCKET),
    ]
    assert unused_suppressions(registry, failures) == [
        f"storage.toml#1: unused: CKV_AWS_18 did not fail on {raw} in stack staging"
    ]
    assert unused_suppressions(registry, failures[:3]) == [
        f"storage.toml#1: unused: CKV_AWS_18 did not fail on {raw} in stack staging",
        f"storage.toml#2: unused: CKV_AWS_144 did not fail on {BUCKET} in any stack",
    ]
