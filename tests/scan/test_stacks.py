"""Stack discovery and the line -> Terraform address index the gate uses to name checkov's results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from security.stacks import Stack, SynthLayoutError, discover_stacks

# Pretty-printed like cdktf, with every kind of addressable block.
STACK_TEXT = """{
  "data": {
    "aws_iam_policy_document": {
      "bucket_policy-document_0A1B2C3D": {
        "statement": [{"effect": "Deny"}]
      }
    }
  },
  "module": {
    "vpc": {
      "source": "./vpc"
    }
  },
  "provider": {
    "aws": [
      {
        "region": "eu-west-1"
      },
      {
        "alias": "us",
        "region": "us-east-1"
      }
    ]
  },
  "resource": {
    "aws_s3_bucket": {
      "bucket_bucket_1A2B3C4D": {
        "//": {"metadata": {"path": "s/bucket/bucket"}},
        "bucket_prefix": "b-"
      }
    },
    "aws_s3_bucket_policy": {
      "bucket_policy_2B3C4D5E": {
        "bucket": "${aws_s3_bucket.bucket_bucket_1A2B3C4D.id}"
      }
    }
  }
}
"""


def _line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return lines[occurrence - 1]


def test_index_maps_each_opening_brace_line_to_its_address(tmp_path: Path) -> None:
    stack_file = tmp_path / "cdk.tf.json"
    stack_file.write_text(STACK_TEXT, encoding="utf-8")
    stack = Stack.load("dev", stack_file)
    provider_lines = [n for n, line in enumerate(STACK_TEXT.splitlines(), start=1) if line.strip() == "{"]
    assert stack.address_by_line == {
        _line_of(STACK_TEXT, '"bucket_policy-document_0A1B2C3D": {'): (
            "data.aws_iam_policy_document.bucket_policy-document_0A1B2C3D"
        ),
        _line_of(STACK_TEXT, '"vpc": {'): "module.vpc",
        provider_lines[1]: "provider.aws",
        provider_lines[2]: "provider.aws.us",
        _line_of(STACK_TEXT, '"bucket_bucket_1A2B3C4D": {'): "aws_s3_bucket.bucket_bucket_1A2B3C4D",
        _line_of(STACK_TEXT, '"bucket_policy_2B3C4D5E": {'): "aws_s3_bucket_policy.bucket_policy_2B3C4D5E",
    }
    assert stack.resource_count == 2


def test_stacks_are_found_by_folder_and_checked_against_the_manifest(tmp_path: Path) -> None:
    for name in ("dev", "prod"):
        (tmp_path / "stacks" / name).mkdir(parents=True)
        (tmp_path / "stacks" / name / "cdk.tf.json").write_text(STACK_TEXT, encoding="utf-8")
    assert [stack.name for stack in discover_stacks(tmp_path)] == ["dev", "prod"]

    listed = ("dev", "prod", "staging")
    manifest = {"stacks": {name: {"synthesizedStackPath": f"stacks/{name}/cdk.tf.json"} for name in listed}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "stacks" / "prod" / "cdk.tf.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(SynthLayoutError) as raised:
        discover_stacks(tmp_path)
    problems = raised.value.problems
    assert len(problems) == 2
    assert "stack 'staging' is listed" in problems[0]
    assert problems[1].startswith(f"{tmp_path / 'stacks' / 'prod' / 'cdk.tf.json'}: cannot be read")
