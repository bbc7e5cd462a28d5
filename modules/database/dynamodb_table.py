"""A DynamoDB table: SSE with our key, point-in-time recovery, deletion protection, on-demand billing."""

import re
from dataclasses import dataclass
from typing import Literal

from cdktf_cdktf_provider_aws.dynamodb_table import (
    DynamodbTable,
    DynamodbTableAttribute,
    DynamodbTablePointInTimeRecovery,
    DynamodbTableServerSideEncryption,
    DynamodbTableTtl,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from constructs import Construct

from modules.access.policy import Statement, attach_grant
from modules.core.context import AccountContext
from modules.core.defaults import report_weakened_default
from modules.core.validation import raise_if_problems
from modules.keys.encryption_key import EncryptionKey

READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
                "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable")  # fmt: skip
WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                 "dynamodb:DescribeTable")  # fmt: skip
TABLE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
AttributeType = Literal["S", "N", "B"]


@dataclass(frozen=True, kw_only=True)
class KeyAttribute:
    """A key attribute: `name` and its DynamoDB `type` (S, N or B)."""

    name: str
    type: AttributeType = "S"


@dataclass(frozen=True, kw_only=True)
class SecureTableProps:
    """Settings of a SecureTable."""

    name: str
    """Required. Table name."""
    partition_key: KeyAttribute
    """Required."""
    sort_key: KeyAttribute | None = None
    """Default none."""
    billing_mode: Literal["PAY_PER_REQUEST", "PROVISIONED"] = "PAY_PER_REQUEST"
    """Default "PAY_PER_REQUEST" (on demand): no capacity to size, no throttling from a forgotten limit."""
    read_capacity: int | None = None
    """Default none. Required (and only allowed) with PROVISIONED billing."""
    write_capacity: int | None = None
    """Default none. Required (and only allowed) with PROVISIONED billing."""
    point_in_time_recovery: bool = True
    """Default true (35 days of continuous backups). Reported when off."""
    deletion_protection: bool = True
    """Default true. Reported when off; refused when `production`."""
    production: bool = False
    """Default false. True for prod: deletion protection and point-in-time recovery become mandatory."""
    ttl_attribute: str | None = None
    """Default none. Attribute holding an expiry epoch, for items that should age out."""


class SecureTable(Construct):
    """`self.table`, encrypted with `key`; grant methods give roles item access plus the key, via DynamoDB."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        context: AccountContext,
        key: EncryptionKey,
        props: SecureTableProps,
    ) -> None:
        super().__init__(scope, construct_id)
        self._check(props)
        self.context = context
        self.key = key
        keys = [props.partition_key] + ([props.sort_key] if props.sort_key else [])
        self.table = DynamodbTable(
            self,
            "table",
            name=props.name,
            billing_mode=props.billing_mode,
            read_capacity=props.read_capacity,
            write_capacity=props.write_capacity,
            hash_key=props.partition_key.name,
            range_key=props.sort_key.name if props.sort_key else None,
            attribute=[DynamodbTableAttribute(name=k.name, type=k.type) for k in keys],
            server_side_encryption=DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=key.arn),
            point_in_time_recovery=DynamodbTablePointInTimeRecovery(enabled=props.point_in_time_recovery),
            deletion_protection_enabled=props.deletion_protection,
            ttl=DynamodbTableTtl(enabled=True, attribute_name=props.ttl_attribute)
            if props.ttl_attribute
            else None,
        )

    def _check(self, props: SecureTableProps) -> None:
        problems = []
        if not TABLE_NAME_PATTERN.fullmatch(props.name):
            problems.append(f"name: {props.name!r} must be 3-255 of A-Z a-z 0-9 _ . -")
        if props.sort_key is not None and props.sort_key.name == props.partition_key.name:
            problems.append("sort_key: must differ from the partition key")
        capacities = (props.read_capacity, props.write_capacity)
        if props.billing_mode == "PROVISIONED" and None in capacities:
            problems.append("read_capacity, write_capacity: required with PROVISIONED billing")
        if props.billing_mode == "PAY_PER_REQUEST" and capacities != (None, None):
            problems.append("read_capacity, write_capacity: only allowed with PROVISIONED billing")
        if props.production:
            if not props.deletion_protection:
                problems.append("deletion_protection: must be true in production")
            if not props.point_in_time_recovery:
                problems.append("point_in_time_recovery: must be true in production")
        raise_if_problems(self, problems)
        if not props.deletion_protection:
            report_weakened_default(self, "deletion_protection", True, False)
        if not props.point_in_time_recovery:
            report_weakened_default(self, "point_in_time_recovery", True, False)

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def arn(self) -> str:
        return self.table.arn

    def _grant(self, verb: str, role: IamRole, actions: tuple[str, ...]) -> None:
        attach_grant(
            self,
            role,
            (
                Statement(
                    sid=f"Table{verb.title().replace('-', '')}",
                    actions=actions,
                    resources=(self.table.arn, f"{self.table.arn}/index/*"),
                ),
            ),
        )

    def _via_dynamodb(self) -> str:
        return f"dynamodb.{self.context.region}.amazonaws.com"

    def grant_read(self, role: IamRole) -> None:
        """Let `role` read items (get, query, scan) and describe the table."""
        self._grant("read", role, READ_ACTIONS)
        self.key.grant_decrypt(role, via_service=self._via_dynamodb())

    def grant_write(self, role: IamRole) -> None:
        """Let `role` put, update and delete items."""
        self._grant("write", role, WRITE_ACTIONS)
        self.key.grant_encrypt_decrypt(role, via_service=self._via_dynamodb())

    def grant_read_write(self, role: IamRole) -> None:
        """Read and write items, as one grant."""
        self._grant("read-write", role, tuple(dict.fromkeys(READ_ACTIONS + WRITE_ACTIONS)))
        self.key.grant_encrypt_decrypt(role, via_service=self._via_dynamodb())
