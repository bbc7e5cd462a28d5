"""CKV_CSG_4: EC2 instances and launch templates set the IMDS response hop limit to exactly 1.

Loaded by checkov (--external-checks-dir), so it runs in the checkov venv; the main venv has no checkov.
IMDSv2 itself (http_tokens = "required") is stock CKV_AWS_79 and is not repeated here. Stock CKV_AWS_341
checks the hop limit only on launch templates/configurations and passes when it is unset; an unset
limit takes the AMI's default, which is 2 on Amazon Linux 2023, so this check requires it explicitly.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

REQUIRED_HOP_LIMIT = 1


def _scalar(value: Any) -> Any:
    """checkov wraps each attribute value in a one-element list; unwrap it."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


class ImdsHopLimitOne(BaseResourceCheck):  # type: ignore[misc]  # checkov is untyped in the main venv
    def __init__(self) -> None:
        super().__init__(
            name="Ensure EC2 instance metadata responses are limited to one network hop "
            "(metadata_options.http_put_response_hop_limit = 1)",
            id="CKV_CSG_4",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=("aws_instance", "aws_launch_template", "aws_launch_configuration"),
            guideline="security/checks/README.md#ckv_csg_4",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["metadata_options/[0]/http_put_response_hop_limit"]
        metadata_options = _scalar(conf.get("metadata_options"))
        if not isinstance(metadata_options, dict):
            return CheckResult.FAILED
        if _scalar(metadata_options.get("http_endpoint")) == "disabled":
            # No metadata service at all, so nothing can be relayed.
            return CheckResult.PASSED
        hop_limit = _scalar(metadata_options.get("http_put_response_hop_limit"))
        if isinstance(hop_limit, str) and hop_limit.isdigit():
            hop_limit = int(hop_limit)
        if hop_limit == REQUIRED_HOP_LIMIT and not isinstance(hop_limit, bool):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = ImdsHopLimitOne()
