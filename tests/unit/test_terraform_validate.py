"""Every synthesized stack is valid Terraform for the pinned aws provider (real CLI, offline mirror)."""

from pathlib import Path

from harness.validate import validate_stack


def test_every_stack_passes_terraform_validate(stack_dirs: list[Path]) -> None:
    names = {stack.name for stack in stack_dirs}
    assert {"dev", "staging", "prod", "account-baseline"} <= names
    results = {stack.name: validate_stack(stack) for stack in stack_dirs}
    invalid = {name: output for name, (valid, output) in results.items() if not valid}
    assert invalid == {}


def test_validate_rejects_a_broken_stack(tmp_path: Path) -> None:
    stack = tmp_path / "broken"
    stack.mkdir()
    (stack / "cdk.tf.json").write_text(
        '{"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}},'
        ' "resource": {"aws_s3_bucket": {"b": {"no_such_argument": true}}}}'
    )
    valid, output = validate_stack(stack)
    assert not valid
    assert "no_such_argument" in output
