"""The local target is dev's configuration: it differs only where LOCAL_TARGET_DIFFERENCES says."""

import json
from pathlib import Path
from typing import Any

import pytest

from modules.stacks import local_target

# Where each listed difference shows in the synthesized JSON (the list says why; this says where).
PROVIDER_SETTINGS = {
    "provider endpoints": ("endpoints",),
    "provider http_proxy, https_proxy (no_proxy 127.0.0.1)": ("http_proxy", "https_proxy", "no_proxy"),
    "provider s3_use_path_style": ("s3_use_path_style",),
    "provider max_retries": ("max_retries",),
    "provider skip_metadata_api_check": ("skip_metadata_api_check",),
    "provider allowed_account_ids": ("allowed_account_ids",),
}


def _stack(folder: Path, name: str) -> dict[str, Any]:
    return dict(json.loads((folder / "stacks" / name / "cdk.tf.json").read_text()))


@pytest.fixture(scope="module")
def local_synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from main import synthesize

    outdir = tmp_path_factory.mktemp("local") / "cdktf.out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(local_target.TARGET_VARIABLE, local_target.LOCAL_TARGET)
        assert synthesize(outdir) == ["dev", "account-baseline"]
    return outdir


def test_every_listed_difference_has_a_reason() -> None:
    listed = {difference.setting for difference in local_target.LOCAL_TARGET_DIFFERENCES}
    assert listed == {*PROVIDER_SETTINGS, "state backend"}
    assert all(len(difference.reason) > 20 for difference in local_target.LOCAL_TARGET_DIFFERENCES)


@pytest.mark.parametrize("stack", ["dev", "account-baseline"])
def test_local_stack_differs_from_dev_only_where_listed(
    synth_dir: Path, local_synth_dir: Path, stack: str
) -> None:
    dev, local = _stack(synth_dir, stack), _stack(local_synth_dir, stack)
    assert local["resource"] == dev["resource"], "the local target must deploy exactly dev's resources"
    assert local.get("data") == dev.get("data")
    assert local.get("output") == dev.get("output")
    dev_provider, local_provider = dev["provider"]["aws"][0], local["provider"]["aws"][0]
    keys = {*dev_provider, *local_provider}
    changed = {key for key in keys if dev_provider.get(key) != local_provider.get(key)}
    assert changed == {key for keys in PROVIDER_SETTINGS.values() for key in keys}
    assert local["variable"] == {local_target.EMULATOR_URL_VARIABLE: local["variable"]["emulator_url"]}
    assert local["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}
    assert {key: value for key, value in local["terraform"].items() if key != "backend"} == {
        key: value for key, value in dev["terraform"].items() if key != "backend"
    }


def test_local_provider_only_reaches_the_emulator(local_synth_dir: Path) -> None:
    for stack in ("dev", "account-baseline"):
        provider = _stack(local_synth_dir, stack)["provider"]["aws"][0]
        emulator = "${var.emulator_url}"
        assert set(provider["endpoints"][0].values()) == {emulator}
        assert provider["http_proxy"] == provider["https_proxy"] == emulator
        assert provider["allowed_account_ids"] == [local_target.EMULATOR_ACCOUNT_ID]
