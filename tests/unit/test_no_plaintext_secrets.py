"""No plaintext secret in any synthesized JSON: every file of every stack (the real synthesis, shared by the
session) is scanned for credential-named fields holding literal values and for well-known secret formats.

The scanner is tested on its own first (each rule catches a planted secret, and Terraform references or
non-secret metadata are not flagged), so a clean result on the real output means something.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# A field whose name says it holds a credential...
CREDENTIAL_NAME = re.compile(
    r"(^|[_-])(pass(word|wd|phrase)?|pwd|secret(_string|_binary|_key|_value)?|private_key|api_?key|"
    r"access_key|secret_access_key|auth_token|token|credentials?)$",
    re.IGNORECASE,
)
# ...unless the name says it holds a reference to one, or a setting about one.
METADATA_NAME = re.compile(
    r"(_arn|_arns|_id|_ids|_name|_names|_version|_versions|_kms_key_id|_length|_policy|_enabled|_required|"
    r"_prefix|_wo_version|manage_master_user_password)$",
    re.IGNORECASE,
)
# Values that are secrets whatever the field is called.
SECRET_VALUES = (
    ("AWS access key ID", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("credentials in a URL", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@$]+@")),
    ("password parameter", re.compile(r"(?i)[?&;](password|pwd)=[^&;\s$]")),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b")),
)
REFERENCE = re.compile(r"^\$\{.*\}$", re.DOTALL)


def _walk(node: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) for every mapping entry, recursively."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, str(key), value
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}[{index}]")


def _strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _strings(item, f"{path}[{index}]")


def plaintext_secrets(document: Any, source: str) -> list[str]:
    """Every place in `document` that holds a literal secret, as "<source>:<path>: <why>"."""
    found = []
    for path, key, value in _walk(document, ""):
        if not CREDENTIAL_NAME.search(key) or METADATA_NAME.search(key):
            continue
        if isinstance(value, str) and value and not REFERENCE.match(value):
            found.append(f"{source}:{path}.{key}: literal value in a credential field")
    for path, text in _strings(document, ""):
        for why, pattern in SECRET_VALUES:
            if pattern.search(text):
                found.append(f"{source}:{path}: {why}")
    return found


def test_scanner_finds_each_kind_of_planted_secret() -> None:
    planted = {
        "resource": {
            "aws_db_instance": {"db": {"password": "hunter2hunter2", "username": "admin"}},
            "aws_glue_connection": {"c": {"connection_properties": {"PASSWORD": "Sup3rSecret!"}}},
            "aws_lambda_function": {
                "f": {
                    "environment": {"variables": {"API_KEY": "abc123", "KEY_ID": "AKIA" + "ABCDEFGHIJKLMNOP"}}
                }
            },
            "aws_secretsmanager_secret_version": {"v": {"secret_string": '{"password":"x"}'}},
            "aws_instance": {
                "i": {
                    "user_data": "-----BEGIN RSA " + "PRIVATE KEY-----\nMII...",
                    "tags": {"url": "postgres://etl:pw@db.internal:5432/platform"},
                }
            },
        },
        "provider": {"aws": [{"secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}]},
        "data": {"x": {"y": {"jdbc": "jdbc:postgresql://db:5432/p?user=etl&password=pw"}}},
    }
    findings = plaintext_secrets(planted, "planted")
    for expected in (
        ".password:",
        ".PASSWORD:",
        ".API_KEY:",
        "AWS access key ID",
        ".secret_string:",
        "private key",
        "credentials in a URL",
        ".secret_key:",
        "password parameter",
    ):
        assert any(expected in finding for finding in findings), expected


def test_scanner_ignores_references_and_metadata_about_secrets() -> None:
    clean = {
        "resource": {
            "aws_db_instance": {
                "db": {
                    "manage_master_user_password": True,
                    "master_user_secret_kms_key_id": "${aws_kms_key.k.arn}",
                }
            },
            "aws_glue_connection": {
                "c": {
                    "connection_properties": {
                        "SECRET_ID": "${aws_secretsmanager_secret.s.name}",
                        "JDBC_CONNECTION_URL": "jdbc:postgresql://${aws_db_instance.db.address}:5432/platform",
                    }
                }
            },
            "aws_secretsmanager_secret_rotation": {"r": {"secret_id": "${aws_secretsmanager_secret.s.id}"}},
            "aws_secretsmanager_secret": {
                "s": {"name": "csg-dev/database/csg_etl", "recovery_window_in_days": 30}
            },
            "aws_lambda_function": {"f": {"environment": {"variables": {"SECRET_ARN": "${x.arn}"}}}},
        },
    }
    assert plaintext_secrets(clean, "clean") == []


def _synthesized_json_files(synth_dir: Path) -> list[Path]:
    return sorted(synth_dir.rglob("*.json"))


def test_no_synthesized_json_holds_a_plaintext_secret(synth_dir: Path) -> None:
    files = _synthesized_json_files(synth_dir)
    stacks = {path.parent.name for path in files if path.name == "cdk.tf.json"}
    assert {"dev", "staging", "prod", "account-baseline"} <= stacks
    findings = []
    for path in files:
        findings += plaintext_secrets(json.loads(path.read_text()), str(path.relative_to(synth_dir)))
    assert findings == []


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_the_credentials_the_platform_needs_exist_without_values(synth_dir: Path, stack: str) -> None:
    """What the scan relies on: the credentials exist as secrets and references, never as values."""
    synthesized = json.loads((synth_dir / "stacks" / stack / "cdk.tf.json").read_text())
    resources = synthesized["resource"]
    assert "aws_secretsmanager_secret_version" not in resources
    (database,) = resources["aws_db_instance"].values()
    assert database["manage_master_user_password"] is True
    (connection,) = resources["aws_glue_connection"].values()
    assert REFERENCE.match(connection["connection_properties"]["SECRET_ID"])
