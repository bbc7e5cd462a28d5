"""CKV_CSG_41: a Glue JDBC connection enforces TLS and takes its credentials from Secrets Manager.

Passes when `connection_properties` has JDBC_ENFORCE_SSL = "true", names a SECRET_ID, and holds no
PASSWORD (or USERNAME: it comes from the secret too). Stock checkov has no Glue connection check; a
password in a connection sits in the Terraform state and, without catalog password encryption, in
plain text in the Data Catalog. Only JDBC connections are in scope (other types have no such settings).
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


class GlueJdbcConnectionTlsAndSecret(BaseResourceCheck):  # type: ignore[misc]  # checkov is untyped here
    def __init__(self) -> None:
        super().__init__(
            name="Ensure a Glue JDBC connection enforces TLS and reads its credentials from Secrets Manager "
            "(JDBC_ENFORCE_SSL = true, SECRET_ID set, no PASSWORD)",
            id="CKV_CSG_41",
            categories=(CheckCategories.ENCRYPTION,),
            supported_resources=("aws_glue_connection",),
            guideline="security/checks/DATA_SERVICES.md#ckv_csg_41",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["connection_type", "connection_properties"]
        connection_type = _scalar(conf.get("connection_type")) or "JDBC"  # the provider's default
        if str(connection_type).upper() != "JDBC":
            return CheckResult.UNKNOWN
        properties = _scalar(conf.get("connection_properties"))
        if not isinstance(properties, dict):
            return CheckResult.FAILED
        values = {str(key).upper(): _scalar(value) for key, value in properties.items()}
        if str(values.get("JDBC_ENFORCE_SSL", "")).lower() != "true":
            return CheckResult.FAILED
        if not values.get("SECRET_ID"):
            return CheckResult.FAILED
        if values.get("PASSWORD") or values.get("USERNAME"):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = GlueJdbcConnectionTlsAndSecret()
