"""pytest fixtures for the local AWS emulator.

A conftest makes them available by importing them under their own name (the `as` marks a re-export):
`from harness.emulator.pytest_fixtures import aws_emulator as aws_emulator`.
"""

from collections.abc import Iterator

import pytest

from harness.emulator.server import EmulatorServer


@pytest.fixture(scope="session")
def aws_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    """One emulator process for the whole session; its output goes to <pytest tmp>/aws-emulator*/emulator.log.

    State persists across tests: call `aws_emulator.reset()` where a test needs an empty account.
    """
    log_path = tmp_path_factory.mktemp("aws-emulator") / "emulator.log"
    with EmulatorServer(log_path=log_path) as emulator:
        yield emulator
