"""Glue job scripts uploaded to S3, each under a key that carries its content hash.

A changed script gets a new key, so a job definition can never run stale code cached under an unchanged
key, and an old job version keeps reading the exact code it was created with. Objects are encrypted with
the bucket's key.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cdktf import AssetType, TerraformAsset
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.s3_object import S3Object
from constructs import Construct

from modules.core.validation import raise_if_problems
from modules.storage.secure_bucket import SecureBucket

HASH_CHARACTERS = 16


@dataclass(frozen=True, kw_only=True)
class GlueScriptBundleProps:
    """Settings of a GlueScriptBundle."""

    source_dir: Path
    """Required. Folder holding the scripts (glue_scripts/)."""
    entry_points: tuple[str, ...]
    """Required. File names of the job scripts, e.g. ("rds_to_curated.py",)."""
    libraries: tuple[str, ...] = ()
    """Default none. File names of modules the entry points import, shipped with --extra-py-files."""
    key_prefix: str = "glue-scripts/"
    """Default "glue-scripts/". Key prefix of the objects; ends with "/"."""


class GlueScriptBundle(Construct):
    """`self.objects` and `self.object_keys` by file name; `script_location(entry_point)`, `extra_py_files`
    and `grant_read`."""

    def __init__(
        self, scope: Construct, construct_id: str, *, bucket: SecureBucket, props: GlueScriptBundleProps
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        files = props.entry_points + props.libraries
        problems += [
            f"{name}: not found in {props.source_dir}"
            for name in files
            if not (props.source_dir / name).is_file()
        ]
        problems += [f"{name}: not a Python file" for name in files if not name.endswith(".py")]
        if len(set(files)) != len(files):
            problems.append("entry_points and libraries name the same file twice")
        if not props.key_prefix.endswith("/") or props.key_prefix.startswith("/"):
            problems.append(f"key_prefix: {props.key_prefix!r} must end with '/' and not start with '/'")
        if bucket.key is None:
            problems.append("bucket: must be KMS-encrypted (SSE-KMS with our key)")
        raise_if_problems(self, problems)
        assert bucket.key is not None

        self.bucket = bucket
        self.key_prefix = props.key_prefix
        self.entry_points = props.entry_points
        self.objects: dict[str, S3Object] = {}
        self.object_keys: dict[str, str] = {}
        for name in files:
            path = props.source_dir / name
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_CHARACTERS]
            self.object_keys[name] = f"{props.key_prefix}{path.stem}-{digest}.py"
            asset = TerraformAsset(self, f"asset-{path.stem}", path=str(path), type=AssetType.FILE)
            self.objects[name] = S3Object(
                self,
                f"object-{path.stem}",
                bucket=bucket.bucket.id,
                key=self.object_keys[name],
                source=asset.path,
                content_type="text/x-python",
                server_side_encryption="aws:kms",
                kms_key_id=bucket.key.arn,
            )
        self.libraries = props.libraries

    def _uri(self, name: str) -> str:
        return f"s3://{self.bucket.bucket.bucket}/{self.object_keys[name]}"

    def script_location(self, entry_point: str) -> str:
        """The S3 URI of `entry_point`'s current version."""
        if entry_point not in self.entry_points:
            raise_if_problems(self, [f"script_location: {entry_point!r} is not an entry point"])
        return self._uri(entry_point)

    @property
    def extra_py_files(self) -> str:
        """The libraries' S3 URIs, comma-separated, for the --extra-py-files job argument."""
        return ",".join(self._uri(name) for name in self.libraries)

    def grant_read(self, role: IamRole) -> None:
        """Let `role` (a job) read the scripts."""
        self.bucket.grant_read(role, prefix=self.key_prefix)
