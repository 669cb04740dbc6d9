"""Uptime alerts in the org's partition, with a per-org counter that enforces the limit of 10."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from herald.data import keys
from herald.data.table import cancellation_reasons, client, is_conditional_failure, table
from herald.errors import LimitExceeded, NotFound

MAX_ALERTS_PER_ORG = 10


class AlertRecord(BaseModel):
    """Storage model. `config` holds plain settings (email, subjectPrefix, channel); `sealed` the
    KMS-encrypted secrets (url, webhookUrl, secret)."""

    org_id: str
    id: str
    name: str
    strategy: str
    notify_on_recovery: bool
    cooldown_minutes: int
    monitor_id: str | None
    config: dict[str, str]
    sealed: dict[str, str]
    created_at: str
    updated_at: str

    def to_item(self) -> dict[str, Any]:
        return {
            **keys.alert(self.org_id, self.id),
            "type": "alert",
            "orgId": self.org_id,
            "id": self.id,
            "name": self.name,
            "strategy": self.strategy,
            "notifyOnRecovery": self.notify_on_recovery,
            "cooldownMinutes": self.cooldown_minutes,
            "monitorId": self.monitor_id,
            "config": self.config,
            "sealed": self.sealed,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> AlertRecord:
        return cls(
            org_id=item["orgId"],
            id=item["id"],
            name=item["name"],
            strategy=item["strategy"],
            notify_on_recovery=bool(item["notifyOnRecovery"]),
            cooldown_minutes=int(item["cooldownMinutes"]),
            monitor_id=item.get("monitorId"),
            config={str(k): str(v) for k, v in (item.get("config") or {}).items()},
            sealed={str(k): str(v) for k, v in (item.get("sealed") or {}).items()},
            created_at=item["createdAt"],
            updated_at=item["updatedAt"],
        )


def create(record: AlertRecord) -> None:
    """One transaction: bump the org's counter only while it is below the limit, and put the alert."""
    table_name = table().name
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table_name,
                        "Key": keys.alert_counter(record.org_id),
                        "UpdateExpression": "ADD #count :one SET #type = :type",
                        "ConditionExpression": "attribute_not_exists(#count) OR #count < :limit",
                        "ExpressionAttributeNames": {"#count": "count", "#type": "type"},
                        "ExpressionAttributeValues": {
                            ":one": 1,
                            ":limit": MAX_ALERTS_PER_ORG,
                            ":type": "counter",
                        },
                    }
                },
                {
                    "Put": {
                        "TableName": table_name,
                        "Item": record.to_item(),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise LimitExceeded(f"Team already has {MAX_ALERTS_PER_ORG} alerts") from None
        raise


def get(org_id: str, alert_id: str) -> AlertRecord:
    item = table().get_item(Key=keys.alert(org_id, alert_id), ConsistentRead=True).get("Item")
    if not item:
        raise NotFound("Alert not found")
    return AlertRecord.from_item(item)


def list_for_org(org_id: str) -> list[AlertRecord]:
    """At most ten alerts live in an org, so one Query page holds them all."""
    from boto3.dynamodb.conditions import Key

    response = table().query(
        KeyConditionExpression=Key("pk").eq(keys.org(org_id)["pk"]) & Key("sk").begins_with(keys.ALERT_PREFIX),
        ConsistentRead=True,
    )
    records = [AlertRecord.from_item(item) for item in response.get("Items", [])]
    return sorted(records, key=lambda r: (r.created_at, r.id))


def replace(record: AlertRecord) -> None:
    try:
        table().put_item(Item=record.to_item(), ConditionExpression="attribute_exists(pk)")
    except ClientError as error:
        if is_conditional_failure(error):
            raise NotFound("Alert not found") from None
        raise


def delete(org_id: str, alert_id: str) -> None:
    table_name = table().name
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "Delete": {
                        "TableName": table_name,
                        "Key": keys.alert(org_id, alert_id),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": table_name,
                        "Key": keys.alert_counter(org_id),
                        "UpdateExpression": "ADD #count :minus",
                        "ExpressionAttributeNames": {"#count": "count"},
                        "ExpressionAttributeValues": {":minus": -1},
                    }
                },
            ]
        )
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise NotFound("Alert not found") from None
        raise
