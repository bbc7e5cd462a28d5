"""EC2 GetEbsDefaultKmsKeyId and ResetEbsDefaultKmsKeyId, which moto 5.2.5 does not implement.

Why the platform needs it: the account baseline sets our customer-managed key as the default key for new EBS
volumes (`aws_ebs_default_kms_key`); Terraform reads the setting back with GetEbsDefaultKmsKeyId after every
change and on every plan, and resets it on destroy. moto implements only ModifyEbsDefaultKmsKeyId, so reads
answered 500 and the resource could not be created. The answers follow AWS: while no key was chosen, the
default is the AWS-managed key alias/aws/ebs (created on first use, as AWS does).
"""

from moto.core.responses import ActionResult
from moto.ec2.responses.elastic_block_store import ElasticBlockStore


def _get_ebs_default_kms_key_id(self: ElasticBlockStore) -> ActionResult:
    self.error_on_dryrun()
    backend = self.ec2_backend
    key_arn = backend.default_kms_key_id or backend.modify_ebs_default_kms_key_id("")
    return ActionResult({"KmsKeyId": key_arn})


def _reset_ebs_default_kms_key_id(self: ElasticBlockStore) -> ActionResult:
    self.error_on_dryrun()
    # An empty key ID selects the AWS-managed key, which is what a reset returns to.
    return ActionResult({"KmsKeyId": self.ec2_backend.modify_ebs_default_kms_key_id("")})


def apply() -> None:
    """Add both actions to moto's EC2 responses (dispatch looks actions up by method name)."""
    ElasticBlockStore.get_ebs_default_kms_key_id = _get_ebs_default_kms_key_id  # type: ignore[attr-defined]
    ElasticBlockStore.reset_ebs_default_kms_key_id = _reset_ebs_default_kms_key_id  # type: ignore[attr-defined]
