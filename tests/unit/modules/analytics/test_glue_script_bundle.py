"""GlueScriptBundle: each script's key carries its content hash, so a changed script gets a new key and
an unchanged one keeps it; objects are SSE-KMS with the bucket's key."""

from pathlib import Path

import pytest

from modules.analytics.glue_script_bundle import GlueScriptBundle, GlueScriptBundleProps
from modules.core.validation import PropsError
from modules.storage.secure_bucket import SecureBucket, SecureBucketProps
from tests.unit.modules.data_services_support import (
    Synthesized,
    key,
    logical_id,
    reference,
    stack_json,
    throwaway_stack,
    under,
)


def _bundle(source_dir: Path, *, encryption: str = "kms") -> GlueScriptBundle:
    stack, context = throwaway_stack()
    if encryption == "kms":
        bucket = SecureBucket(
            stack,
            "assets",
            context=context,
            encryption_key=key(stack, context, "data"),
            props=SecureBucketProps(name="csg-test-assets"),
        )
    else:
        bucket = SecureBucket(
            stack,
            "assets",
            context=context,
            props=SecureBucketProps(name="csg-test-assets", encryption="s3-managed"),
        )
    return GlueScriptBundle(
        stack,
        "scripts",
        bucket=bucket,
        props=GlueScriptBundleProps(source_dir=source_dir, entry_points=("job.py",), libraries=("lib.py",)),
    )


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    (tmp_path / "job.py").write_text("import lib\n")
    (tmp_path / "lib.py").write_text("VALUE = 1\n")
    return tmp_path


def test_a_changed_script_gets_a_new_key_and_the_others_keep_theirs(scripts: Path) -> None:
    before = _bundle(scripts).object_keys
    assert _bundle(scripts).object_keys == before
    (scripts / "lib.py").write_text("VALUE = 2\n")
    after = _bundle(scripts).object_keys
    assert after["lib.py"] != before["lib.py"]
    assert after["job.py"] == before["job.py"]
    assert after["lib.py"].startswith("glue-scripts/lib-") and after["lib.py"].endswith(".py")


def test_extra_py_files_lists_the_libraries(scripts: Path) -> None:
    bundle = _bundle(scripts)
    assert bundle.extra_py_files.count(",") == 0 and bundle.extra_py_files.endswith(
        bundle.object_keys["lib.py"]
    )
    assert bundle.script_location("job.py").endswith(bundle.object_keys["job.py"])
    with pytest.raises(PropsError, match="not an entry point"):
        bundle.script_location("lib.py")


def test_objects_are_encrypted_with_the_bucket_key(synth_dir: Path) -> None:
    dev: Synthesized = stack_json(synth_dir, "dev")
    data_key = reference("aws_kms_key", logical_id(dev, "aws_kms_key", "keys/data-lake/"), "arn")
    objects = under(dev, "aws_s3_object", "data-services/glue-scripts/").values()
    assert len(objects) == 5
    assert all(o["server_side_encryption"] == "aws:kms" and o["kms_key_id"] == data_key for o in objects)


def test_missing_files_and_a_bucket_without_our_key_are_rejected(scripts: Path, tmp_path: Path) -> None:
    with pytest.raises(PropsError) as error:
        _bundle(tmp_path / "nowhere", encryption="s3-managed")
    problems = error.value.problems
    assert any("job.py: not found" in p for p in problems) and any(
        "must be KMS-encrypted" in p for p in problems
    )
