"""Environment files: the shipped ones load; bad input fails once, listing every problem."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from environments import ConfigurationError, load_account_config, load_environments
from main import selected_environment_names

REPO = Path(__file__).resolve().parents[3]
SHIPPED = REPO / "environments"


@pytest.fixture
def env_dir(tmp_path: Path) -> Path:
    """A copy of the shipped environment files that a test may break."""
    folder = tmp_path / "environments"
    folder.mkdir()
    for path in SHIPPED.glob("*.toml"):
        shutil.copy(path, folder / path.name)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _problems(directory: Path, names: list[str] | None = None) -> list[str]:
    with pytest.raises(ConfigurationError) as error:
        load_environments(names, directory)
    return list(error.value.problems)


def test_shipped_environments_load() -> None:
    configs = {config.name: config for config in load_environments(directory=SHIPPED)}
    assert set(configs) == {"dev", "staging", "prod"}
    assert configs["prod"].tier == "prod"
    assert configs["prod"].protection.deletion_protection is True
    assert configs["prod"].database.multi_az is True
    assert load_account_config(SHIPPED).name == "account-baseline"


def test_selection_returns_only_the_named_environments() -> None:
    assert [config.name for config in load_environments(["prod"], SHIPPED)] == ["prod"]


def test_every_problem_of_a_file_is_reported_at_once(env_dir: Path) -> None:
    dev = env_dir / "dev.toml"
    _edit(dev, 'vpc_cidr = "10.10.0.0/16"', 'vpc_cidr = "10.10.0.0/33"')
    _edit(dev, 'alert_emails = ["platform-dev-alerts@example.com"]', 'alert_emails = ["not-an-address"]')
    _edit(dev, "monthly_budget_usd = 150", "monthly_budget_usd = 0")
    dev.write_text('unexpected_setting = "x"\n' + dev.read_text())
    problems = _problems(env_dir)
    assert len(problems) == 4, problems
    joined = "\n".join(problems)
    for location in ("network.vpc_cidr", "alert_emails.0", "monthly_budget_usd", "unexpected_setting"):
        assert f"dev.toml: {location}" in joined


def test_public_cidr_is_rejected(env_dir: Path) -> None:
    _edit(env_dir / "dev.toml", 'vpc_cidr = "10.10.0.0/16"', 'vpc_cidr = "8.8.0.0/16"')
    assert any("private" in p for p in _problems(env_dir))


def test_prod_without_its_protections_lists_each_missing_one(env_dir: Path) -> None:
    prod = env_dir / "prod.toml"
    _edit(prod, 'allowed_account_ids = ["111111111111"]', "allowed_account_ids = []")
    _edit(prod, "multi_az = true", "multi_az = false")
    _edit(prod, "backup_retention_days = 30", "backup_retention_days = 3")
    _edit(prod, "log_retention_days = 365", "log_retention_days = 30")
    _edit(prod, "deletion_protection = true", "deletion_protection = false")
    _edit(prod, "skip_final_snapshot = false", "skip_final_snapshot = true")
    problems = "\n".join(_problems(env_dir))
    for setting in (
        "allowed_account_ids",
        "database.multi_az",
        "database.backup_retention_days",
        "log_retention_days",
        "protection.deletion_protection",
        "protection.skip_final_snapshot",
    ):
        assert f"prod.toml: {setting}" in problems


def test_dev_may_relax_what_prod_may_not(env_dir: Path) -> None:
    # dev.toml ships with deletion protection off and no account list: valid outside prod.
    assert load_environments(["dev"], env_dir)[0].protection.deletion_protection is False


def test_overlapping_cidrs_are_rejected(env_dir: Path) -> None:
    _edit(env_dir / "staging.toml", 'vpc_cidr = "10.20.0.0/16"', 'vpc_cidr = "10.10.128.0/17"')
    problems = _problems(env_dir)
    assert len(problems) == 1
    assert "overlaps" in problems[0] and "10.10.0.0/16" in problems[0]


def test_unknown_environment_is_named_with_the_available_ones(env_dir: Path) -> None:
    problems = _problems(env_dir, ["dev", "qa"])
    assert problems == ["unknown environment(s) qa; available: dev, prod, staging"]


def test_file_name_must_match_environment_name(env_dir: Path) -> None:
    shutil.move(env_dir / "staging.toml", env_dir / "stage.toml")
    assert any("must match the file name 'stage'" in p for p in _problems(env_dir))


def test_incomplete_backend_settings_are_rejected(env_dir: Path) -> None:
    (env_dir / "dev.toml").write_text((env_dir / "dev.toml").read_text() + '\n[backend]\nkind = "s3"\n')
    assert any("backend.bucket" in p for p in _problems(env_dir))


def test_misspelt_setting_is_named(env_dir: Path) -> None:
    _edit(env_dir / "dev.toml", "az_count = 2", "az_cuont = 2")
    problems = _problems(env_dir)
    assert len(problems) == 1
    assert "network.az_cuont: unknown setting" in problems[0]


def test_selection_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSG_ENVIRONMENTS", " dev, prod ,")
    assert selected_environment_names() == ["dev", "prod"]
    monkeypatch.setenv("CSG_ENVIRONMENTS", "")
    assert selected_environment_names() is None


def test_main_fails_with_every_problem_and_leaves_existing_output_untouched(
    env_dir: Path, tmp_path: Path
) -> None:
    _edit(env_dir / "dev.toml", 'vpc_cidr = "10.10.0.0/16"', 'vpc_cidr = "not-a-cidr"')
    _edit(env_dir / "prod.toml", "multi_az = true", "multi_az = false")
    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks" / "dev").mkdir(parents=True)
    previous = outdir / "stacks" / "dev" / "cdk.tf.json"
    previous.write_text('{"previous": true}')
    before = sorted(p.relative_to(outdir) for p in outdir.rglob("*"))

    result = subprocess.run(
        [sys.executable, str(REPO / "main.py")],
        cwd=tmp_path,
        env={**os.environ, "CSG_ENVIRONMENTS_DIR": str(env_dir), "CDKTF_OUTDIR": str(outdir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "2 configuration problem(s)" in result.stderr
    assert "network.vpc_cidr" in result.stderr and "database.multi_az" in result.stderr
    assert previous.read_text() == '{"previous": true}'
    assert sorted(p.relative_to(outdir) for p in outdir.rglob("*")) == before
    assert list(tmp_path.glob(".cdktf.out-*")) == []


def test_zones_default_to_the_regions_first_letters_and_can_be_named() -> None:
    configs = {config.name: config for config in load_environments(directory=SHIPPED)}
    assert configs["prod"].availability_zones == ("eu-west-1a", "eu-west-1b", "eu-west-1c")
    assert configs["dev"].availability_zones == ("eu-west-1a", "eu-west-1b")


def test_named_zones_must_match_count_and_region(env_dir: Path) -> None:
    _edit(
        env_dir / "dev.toml",
        "az_count = 2",
        'az_count = 2\navailability_zones = ["eu-west-1a", "us-east-1b", "x"]',
    )
    problems = "\n".join(_problems(env_dir))
    assert "3 zone(s) named for az_count = 2" in problems
    assert "'us-east-1b' is not a zone of eu-west-1" in problems
    assert "'x' is not a zone of eu-west-1" in problems
