"""Synth reports every weakened default and every feature left off, per construct path."""

from pathlib import Path


def test_dev_reports_its_relaxed_protections(synthesis: tuple[Path, list[str]]) -> None:
    _, notes = synthesis
    dev = [note for note in notes if "[dev/" in note]
    assert any("data-lake/raw] weakened default: force_destroy = True" in note for note in dev)
    assert any("weakened default: deletion_protection = False" in note for note in dev)


def test_prod_weakens_no_data_protection(synthesis: tuple[Path, list[str]]) -> None:
    _, notes = synthesis
    prod = [note for note in notes if "[prod/" in note and note.startswith("warning:")]
    for setting in ("force_destroy", "deletion_protection", "multi_az", "skip_final_snapshot", "versioned"):
        assert not any(f"weakened default: {setting}" in note for note in prod), setting


def test_unconfigured_identity_center_is_said_plainly(synthesis: tuple[Path, list[str]]) -> None:
    _, notes = synthesis
    staging = [note for note in notes if note.startswith("note: [staging/")]
    assert any("Identity Center is not configured" in note for note in staging)
