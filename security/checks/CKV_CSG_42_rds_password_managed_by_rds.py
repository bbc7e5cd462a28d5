"""CKV_CSG_42: an RDS instance's master password is generated and kept by RDS in Secrets Manager.

Passes when `manage_master_user_password` is true and neither `password` nor `password_wo` is set.
A password in the configuration is in the synthesized JSON, in the repository that produced it and in
the Terraform state; stock checkov checks neither (CKV_AWS_161 is IAM authentication, not this).
Replicas and restores (`replicate_source_db`, `snapshot_identifier`) inherit the source's credentials
and are out of scope.
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


class RdsPasswordManagedByRds(BaseResourceCheck):  # type: ignore[misc]  # checkov is untyped here
    def __init__(self) -> None:
        super().__init__(
            name="Ensure an RDS instance's master password is managed by RDS in Secrets Manager "
            "(manage_master_user_password = true, no password in the configuration)",
            id="CKV_CSG_42",
            categories=(CheckCategories.SECRETS,),
            supported_resources=("aws_db_instance",),
            guideline="security/checks/DATA_SERVICES.md#ckv_csg_42",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["manage_master_user_password", "password", "password_wo"]
        if _scalar(conf.get("replicate_source_db")) or _scalar(conf.get("snapshot_identifier")):
            return CheckResult.UNKNOWN
        if _scalar(conf.get("password")) or _scalar(conf.get("password_wo")):
            return CheckResult.FAILED
        managed = _scalar(conf.get("manage_master_user_password"))
        return CheckResult.PASSED if managed is True or str(managed).lower() == "true" else CheckResult.FAILED


check = RdsPasswordManagedByRds()
