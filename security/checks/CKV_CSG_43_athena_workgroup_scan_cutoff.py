"""CKV_CSG_43: an Athena workgroup enforces its configuration and cancels queries over a scan cutoff.

Passes when `configuration.enforce_workgroup_configuration` is true (or unset: the provider's default is
true) and `configuration.bytes_scanned_cutoff_per_query` is set. Stock CKV_AWS_82 checks enforcement only;
no stock check requires the cutoff, the guard against a runaway (or hostile) query scanning the whole lake.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _scalar(value: Any) -> Any:
    """checkov wraps each attribute value in a one-element list; unwrap it."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


class AthenaWorkgroupScanCutoff(BaseResourceCheck):  # type: ignore[misc]  # checkov is untyped here
    def __init__(self) -> None:
        super().__init__(
            name="Ensure an Athena workgroup enforces its configuration and has a per-query bytes-scanned "
            "cutoff",
            id="CKV_CSG_43",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=("aws_athena_workgroup",),
            guideline="security/checks/DATA_SERVICES.md#ckv_csg_43",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = [
            "configuration/[0]/enforce_workgroup_configuration",
            "configuration/[0]/bytes_scanned_cutoff_per_query",
        ]
        configuration = _scalar(conf.get("configuration"))
        if not isinstance(configuration, dict):
            return CheckResult.FAILED
        enforced = _scalar(configuration.get("enforce_workgroup_configuration", True))
        if enforced is False or str(enforced).lower() == "false":
            return CheckResult.FAILED
        cutoff = _scalar(configuration.get("bytes_scanned_cutoff_per_query"))
        if cutoff is None or isinstance(cutoff, bool):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = AthenaWorkgroupScanCutoff()
