"""The fault self-test's deployment: the one the e2e flow hands over, or a local deployment of its own.

`python -m harness.local e2e` runs this folder against its deployment (CSG_E2E_DEPLOYMENT_ROOT and
CSG_E2E_EMULATOR_URL name it), after the post-deploy suite passed on it. Run alone (`pytest tests/e2e`), the
self-test deploys the local target on an emulator of its own and throws both away afterwards.
"""

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.emulator.server import EmulatorEndpoint, EmulatorServer
from harness.local import DEPLOYMENT_ROOT_VARIABLE, EMULATOR_URL_VARIABLE
from harness.local_deployment import DEFAULT_ROOT, LocalDeployment
from harness.verify import LOCAL_ENVIRONMENT_SOURCE, suite_outputs


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """A deployed local target the self-test may break."""

    deployment: LocalDeployment
    """Where it is (outputs, Terraform folders) and the emulator it runs on."""
    outputs_file: Path
    """The post-deploy suite's outputs file for it."""
    handed_over: bool
    """True when the e2e flow deployed it and already ran the suite on it intact."""


@pytest.fixture(scope="session")
def local_deployment() -> Iterator[Deployment]:
    root, url = os.environ.get(DEPLOYMENT_ROOT_VARIABLE), os.environ.get(EMULATOR_URL_VARIABLE)
    if root and url:
        deployment = LocalDeployment(endpoint=EmulatorEndpoint(url=url), root=Path(root))
        yield Deployment(
            deployment=deployment, outputs_file=Path(root) / "suite-outputs.json", handed_over=True
        )
        return
    DEFAULT_ROOT.mkdir(exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="fault-selftest-", dir=DEFAULT_ROOT) as folder,
        EmulatorServer(log_path=Path(folder) / "emulator.log") as emulator,
    ):
        deployment = LocalDeployment(endpoint=emulator.endpoint, root=Path(folder))
        deployment.synthesize()
        deployment.init()
        deployment.apply()
        outputs_file = Path(folder) / "suite-outputs.json"
        outputs_file.write_text(json.dumps(suite_outputs(LOCAL_ENVIRONMENT_SOURCE, deployment.outputs())))
        yield Deployment(deployment=deployment, outputs_file=outputs_file, handed_over=False)
