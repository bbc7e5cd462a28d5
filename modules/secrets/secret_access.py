"""Who may read one secret: a resource policy that denies everyone else, plus the grant that admits a role.

The resource policy is the guard that IAM alone can't give: a same-account principal with a broad identity
policy (e.g. an administrator) could otherwise read the secret. Each `grant_read` adds the role both to
IAM (an identity policy, via `attach_grant`) and to the policy's list of allowed principals, which is
rendered lazily at synth, so grants made after construction are included.
"""

from dataclasses import dataclass

import jsii
from cdktf import IListProducer, IResolveContext, Lazy
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.secretsmanager_secret_policy import SecretsmanagerSecretPolicy
from constructs import Construct

from modules.access.policy import Condition, Principal, Statement, attach_grant, policy_document
from modules.keys.encryption_key import EncryptionKey

READ_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
GUARDED_ACTIONS = ("secretsmanager:GetSecretValue",)


@jsii.implements(IListProducer)
class _PrincipalArns:
    """The allowed principals' ARNs, produced when the policy is synthesized (after every grant)."""

    def __init__(self) -> None:
        self.arns: list[str] = []

    def produce(self, context: IResolveContext) -> list[str]:
        return list(self.arns)


@dataclass(frozen=True, kw_only=True)
class SecretAccessProps:
    """Settings of a SecretAccess."""

    service_managers: tuple[str, ...] = ()
    """Default none. ARNs of service-linked roles that manage the secret (e.g. RDS's, for a secret RDS
    rotates); they are never denied. AWS service principals themselves are always exempt."""


class SecretAccess(Construct):
    """The resource policy (`self.policy`) of the secret `secret_arn`, and `grant_read`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        secret_arn: str,
        key: EncryptionKey,
        region: str,
        props: SecretAccessProps = SecretAccessProps(),
    ) -> None:
        super().__init__(scope, construct_id)
        self.secret_arn = secret_arn
        self.key = key
        self._region = region
        self._readers = _PrincipalArns()
        self._readers.arns.extend(props.service_managers)
        everyone = (Principal(kind="AWS", identifiers=("*",)),)
        document = policy_document(
            self,
            "document",
            (
                Statement(
                    sid="DenyReadingToAllButGrantedRoles",
                    effect="Deny",
                    actions=GUARDED_ACTIONS,
                    resources=("*",),
                    principals=everyone,
                    conditions=(
                        Condition(
                            test="StringNotEquals",
                            variable="aws:PrincipalArn",
                            values=tuple(Lazy.list_value(self._readers)),
                        ),
                        # AWS services acting on their own behalf (not through a role) are not blocked.
                        Condition(
                            test="BoolIfExists", variable="aws:PrincipalIsAWSService", values=("false",)
                        ),
                    ),
                ),
            ),
        )
        self.policy = SecretsmanagerSecretPolicy(
            self, "policy", secret_arn=secret_arn, policy=document.json, block_public_policy=True
        )

    def grant_read(self, role: IamRole) -> None:
        """Let `role` read the secret's value: IAM permission, key use through Secrets Manager, and an
        exception in the resource policy's deny."""
        attach_grant(
            self,
            role,
            (Statement(sid="ReadSecret", actions=READ_ACTIONS, resources=(self.secret_arn,)),),
        )
        self.key.grant_decrypt(role, via_service=f"secretsmanager.{self._region}.amazonaws.com")
        self._readers.arns.append(role.arn)

    def admit(self, role: IamRole) -> None:
        """Exempt `role` from the resource policy's deny without an IAM grant (the caller grants exactly
        what it needs, e.g. a rotation function that also writes the secret)."""
        self._readers.arns.append(role.arn)
