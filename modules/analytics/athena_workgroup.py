"""An Athena workgroup that enforces its configuration: engine v3, SSE-KMS results in the results bucket,
a per-query scan cutoff and CloudWatch metrics; plus named queries."""

import re
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.athena_named_query import AthenaNamedQuery
from cdktf_cdktf_provider_aws.athena_workgroup import (
    AthenaWorkgroup as AthenaWorkgroupResource,
)
from cdktf_cdktf_provider_aws.athena_workgroup import (
    AthenaWorkgroupConfiguration,
    AthenaWorkgroupConfigurationEngineVersion,
    AthenaWorkgroupConfigurationResultConfiguration,
    AthenaWorkgroupConfigurationResultConfigurationAclConfiguration,
    AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.analytics.glue_database import GlueDatabase
from modules.core.context import AccountContext
from modules.core.defaults import report_weakened_default
from modules.core.validation import raise_if_problems
from modules.storage.secure_bucket import SecureBucket

NAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
MIN_CUTOFF_BYTES = 10 * 1024**2  # Athena's minimum
QUERY_ACTIONS = ("athena:StartQueryExecution", "athena:StopQueryExecution", "athena:GetQueryExecution",
                 "athena:GetQueryResults", "athena:GetWorkGroup", "athena:GetNamedQuery",
                 "athena:ListNamedQueries", "athena:BatchGetNamedQuery")  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class AthenaWorkgroupProps:
    """Settings of an AthenaWorkgroup."""

    name: str
    """Required. Workgroup name, e.g. "csg-dev-analytics"."""
    bytes_scanned_cutoff: int = 10 * 1024**3
    """Default 10 GiB. A query scanning more is cancelled (cost and runaway-query guard); at least 10 MiB."""
    results_prefix: str = "results/"
    """Default "results/". Key prefix of query results in the results bucket."""
    force_destroy: bool = False
    """Default false: `terraform destroy` fails while named queries or history exist. Reported when true."""


class AthenaWorkgroup(Construct):
    """`self.workgroup` and `self.named_queries` (by name)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        results_bucket: SecureBucket,
        props: AthenaWorkgroupProps,
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not NAME_PATTERN.fullmatch(props.name):
            problems.append(f"name: {props.name!r} must be 1-128 of A-Z a-z 0-9 . _ -")
        if props.bytes_scanned_cutoff < MIN_CUTOFF_BYTES:
            problems.append(
                f"bytes_scanned_cutoff: {props.bytes_scanned_cutoff} is below Athena's minimum "
                f"of {MIN_CUTOFF_BYTES}"
            )
        if not props.results_prefix.endswith("/") or props.results_prefix.startswith("/"):
            problems.append(
                f"results_prefix: {props.results_prefix!r} must end with '/' and not start with '/'"
            )
        if results_bucket.key is None:
            problems.append("results_bucket: must be KMS-encrypted (results are encrypted with its key)")
        raise_if_problems(self, problems)
        assert results_bucket.key is not None
        if props.force_destroy:
            report_weakened_default(self, "force_destroy", False, True)

        self.context = context
        self.results_bucket = results_bucket
        self.results_prefix = props.results_prefix
        self.workgroup = AthenaWorkgroupResource(
            self,
            "workgroup",
            name=props.name,
            description="Platform analytics: enforced engine v3, encrypted results, scan cutoff",
            state="ENABLED",
            force_destroy=props.force_destroy,
            configuration=AthenaWorkgroupConfiguration(
                enforce_workgroup_configuration=True,
                publish_cloudwatch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=props.bytes_scanned_cutoff,
                requester_pays_enabled=False,
                engine_version=AthenaWorkgroupConfigurationEngineVersion(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=AthenaWorkgroupConfigurationResultConfiguration(
                    output_location=f"s3://{results_bucket.bucket.bucket}/{props.results_prefix}",
                    expected_bucket_owner=context.account_id,
                    encryption_configuration=AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration(
                        encryption_option="SSE_KMS", kms_key_arn=results_bucket.key.arn
                    ),
                    acl_configuration=AthenaWorkgroupConfigurationResultConfigurationAclConfiguration(
                        s3_acl_option="BUCKET_OWNER_FULL_CONTROL"
                    ),
                ),
            ),
        )
        self.named_queries: dict[str, AthenaNamedQuery] = {}

    @property
    def name(self) -> str:
        return self.workgroup.name

    def add_named_query(
        self, name: str, *, database: GlueDatabase, query: str, description: str
    ) -> AthenaNamedQuery:
        """Save `query` (run against `database`) in this workgroup under `name`."""
        if name in self.named_queries:
            raise_if_problems(self, [f"add_named_query: {name!r} already exists"])
        named_query = AthenaNamedQuery(
            self,
            f"query-{re.sub(r'[^A-Za-z0-9-]', '-', name)}",
            name=name,
            description=description,
            workgroup=self.workgroup.name,
            database=database.name,
            query=query,
        )
        self.named_queries[name] = named_query
        return named_query

    def grant_query(self, role: IamRole, databases: tuple[GlueDatabase, ...]) -> None:
        """Let `role` run queries in this workgroup over `databases` and read their results (the data read
        still needs the source buckets' grant_read)."""
        attach_grant(
            self,
            role,
            (
                Statement(
                    sid="QueryInWorkgroup",
                    actions=QUERY_ACTIONS,
                    resources=(self.context.arn("athena", f"workgroup/{self.workgroup.name}"),),
                ),
            ),
        )
        self.results_bucket.grant_read_write(role, prefix=self.results_prefix)
        for database in databases:
            database.grant_read(role)
