"""The data lake: raw, curated and Athena-results buckets, plus the bucket their access logs go to."""

from dataclasses import dataclass

from constructs import Construct

from modules.core.context import AccountContext
from modules.keys.encryption_key import EncryptionKey
from modules.storage.secure_bucket import ExpirationRule, SecureBucket, SecureBucketProps


@dataclass(frozen=True, kw_only=True)
class DataLakeProps:
    """Settings of the DataLake."""

    retain_data_on_destroy: bool = True
    """Default true: buckets holding objects are never deleted by `terraform destroy` (no force_destroy)."""
    athena_results_expiration_days: int = 30
    """Default 30. Query results are disposable; they expire after this many days."""
    access_log_expiration_days: int = 365
    """Default 365. Server access logs are kept a year."""


class DataLake(Construct):
    """Buckets: `raw` (landing zone, triggers ingest), `curated` (Glue output, queried by Athena),
    `athena_results`, and `access_logs` (SSE-S3, as S3 server access logging requires)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        key: EncryptionKey,
        props: DataLakeProps = DataLakeProps(),
    ) -> None:
        super().__init__(scope, construct_id)
        force_destroy = not props.retain_data_on_destroy

        def bucket_name(purpose: str) -> str:
            return f"{context.name(purpose)}-{context.account_id}"

        self.access_logs = SecureBucket(
            self,
            "access-logs",
            context=context,
            props=SecureBucketProps(
                name=bucket_name("access-logs"),
                encryption="s3-managed",
                receives_access_logs=True,
                force_destroy=force_destroy,
                expirations=(ExpirationRule(prefix="", days=props.access_log_expiration_days),),
            ),
        )

        def data_bucket(purpose: str, expirations: tuple[ExpirationRule, ...] = ()) -> SecureBucket:
            return SecureBucket(
                self,
                purpose,
                context=context,
                encryption_key=key,
                props=SecureBucketProps(
                    name=bucket_name(purpose),
                    access_log_bucket=self.access_logs,
                    force_destroy=force_destroy,
                    expirations=expirations,
                ),
            )

        self.raw = data_bucket("raw")
        self.curated = data_bucket("curated")
        self.athena_results = data_bucket(
            "athena-results", (ExpirationRule(prefix="", days=props.athena_results_expiration_days),)
        )

    @property
    def data_buckets(self) -> tuple[SecureBucket, ...]:
        """The buckets that hold platform data (every one but the access-log bucket)."""
        return (self.raw, self.curated, self.athena_results)
