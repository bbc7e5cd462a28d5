"""Terraform outputs with stable names, wherever in the construct tree they are declared.

The post-deploy suite and operators read outputs by name (see README, "Outputs"), so an output's name must
not depend on where its construct sits: the logical ID is overridden to the plain name.
"""

from cdktf import TerraformOutput
from constructs import Construct


def stable_output(scope: Construct, name: str, value: object, description: str) -> TerraformOutput:
    """A TerraformOutput called exactly `name` in the synthesized stack."""
    output = TerraformOutput(scope, f"output-{name}", value=value, description=description)
    output.override_logical_id(name)
    return output
