"""Fixtures for the Lambda function tests: Lambda's import layout and the local AWS emulator.

The emulator is shared by the whole session and not reset between tests: a reset makes moto reload its
~1,000 AWS-managed IAM policies on the next request, which costs seconds. Tests name their resources
uniquely instead.
"""

import sys
from pathlib import Path

from harness.emulator.pytest_fixtures import aws_emulator as aws_emulator

INGEST_FUNCTION_DIR = Path(__file__).resolve().parents[2] / "functions" / "ingest"

# Lambda puts the deployment package's root on sys.path and imports the handler module top-level; the
# tests import each function the same way.
if str(INGEST_FUNCTION_DIR) not in sys.path:
    sys.path.insert(0, str(INGEST_FUNCTION_DIR))
