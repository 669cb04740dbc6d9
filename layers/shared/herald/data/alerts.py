"""Uptime alerts in the org's partition, with a per-org counter that enforces the limit of 10."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from herald.data import table_keys
from herald.data.table import (
    cancellation_reasons,
    client,
    is_conditional_failure,
    item_on_failure,
    query_all,
    table,
)
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
            **table_keys.alert(self.org_id, self.id),
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
                        "Key": table_keys.alert_counter(record.org_id),
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
    item = table().get_item(Key=table_keys.alert(org_id, alert_id), ConsistentRead=True).get("Item")
    if not item:
        raise NotFound("Alert not found")
    return AlertRecord.from_item(item)


def list_for_org(org_id: str) -> list[AlertRecord]:
    """Every alert of the org (as many as its cap), oldest first."""
    from boto3.dynamodb.conditions import Key

    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.org(org_id)["pk"])
        & Key("sk").begins_with(table_keys.ALERT_PREFIX),
        ConsistentRead=True,
    )
    records = [AlertRecord.from_item(item) for item in items]
    return sorted(records, key=lambda r: (r.created_at, r.id))


class StrategyMismatch(Exception):
    """The update names settings of another strategy; carries the alert as stored, for the message."""

    def __init__(self, current: AlertRecord) -> None:
        super().__init__(current.strategy)
        self.current = current


def update(
    org_id: str,
    alert_id: str,
    fields: dict[str, Any],
    config: dict[str, str],
    sealed: dict[str, str],
    strategies: list[str] | None,
    dropped: tuple[str, ...] = (),
    expected: dict[str, str] | None = None,
) -> AlertRecord:
    """A partial update in one conditional UpdateItem: top-level `fields`, and single keys of the `config`
    and `sealed` maps (`dropped`: sealed keys removed), only while the alert exists, (when `strategies`
    is given) its strategy is one of them and its `config` holds the `expected` values. Returns the alert
    as updated. A failed condition returns the stored alert in the same call: none is NotFound, else
    StrategyMismatch."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    assignments = []
    for i, (name, value) in enumerate(fields.items()):
        names[f"#f{i}"], values[f":f{i}"] = name, value
        assignments.append(f"#f{i} = :f{i}")
    for attribute, entries in (("config", config), ("sealed", sealed)):
        for i, (key, value) in enumerate(entries.items()):
            names[f"#{attribute}"], names[f"#{attribute}{i}"], values[f":{attribute}{i}"] = attribute, key, value
            assignments.append(f"#{attribute}.#{attribute}{i} = :{attribute}{i}")
    removals = []
    for i, key in enumerate(dropped):
        names["#sealed"], names[f"#drop{i}"] = "sealed", key
        removals.append(f"#sealed.#drop{i}")
    condition = "attribute_exists(pk)"
    for i, (key, value) in enumerate((expected or {}).items()):
        names["#config"], names[f"#expect{i}"], values[f":expect{i}"] = "config", key, value
        condition += f" AND #config.#expect{i} = :expect{i}"
    if strategies:
        names["#strategy"] = "strategy"
        allowed = [f":s{i}" for i in range(len(strategies))]
        values.update(zip(allowed, strategies, strict=True))
        condition += f" AND #strategy IN ({', '.join(allowed)})"
    elif strategies is not None:
        # no strategy has every setting sent: fail for any stored alert (and learn its strategy)
        condition += " AND attribute_not_exists(pk)"
    try:
        result = table().update_item(
            Key=table_keys.alert(org_id, alert_id),
            UpdateExpression="SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else ""),
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if not is_conditional_failure(error):
            raise
        stored = item_on_failure(error)
        if stored is None:
            raise NotFound("Alert not found") from None
        raise StrategyMismatch(AlertRecord.from_item(stored)) from None
    return AlertRecord.from_item(result["Attributes"])


def delete(org_id: str, alert_id: str) -> None:
    table_name = table().name
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "Delete": {
                        "TableName": table_name,
                        "Key": table_keys.alert(org_id, alert_id),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": table_name,
                        "Key": table_keys.alert_counter(org_id),
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
