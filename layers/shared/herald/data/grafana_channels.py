"""Grafana legacy notification channels in the org's partition.

Ids come from a per-org counter that the create transaction advances (conditionally on the value it
read, so two concurrent creates cannot take the same id); uid and name are kept unique by guard items
written in the same TransactWriteItems as the channel. Ids are never reused: the counter only grows.
"""

from __future__ import annotations

import json
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import BaseModel

from herald.data import keys, limits
from herald.data.table import cancellation_reasons, client, table
from herald.errors import Conflict, NotFound

CONFLICT_MESSAGE = "Failed to create alert notification"
CREATE_ATTEMPTS = 5
CHANNELS_COUNTER = "GRAFANA_CHANNELS"


class RetryableConflict(Exception):
    """Someone else moved the counter or the channel between our read and our write: read again."""


class ChannelRecord(BaseModel):
    """Storage model. `settings` are the plain settings (returned by the API); `sealed` the KMS-encrypted
    values keyed by the channel adapter's secret names (the encryption context); `secure_keys` the Grafana
    secure setting names that are stored (shown as `secureFields`)."""

    org_id: str
    id: int
    uid: str
    name: str
    type: str
    is_default: bool
    send_reminder: bool
    frequency_seconds: int
    disable_resolve_message: bool
    settings: dict[str, Any]
    secure_keys: list[str]
    sealed: dict[str, str]
    shown_keys: list[str] = []  # secret-capable settings sent in `settings`: sealed, returned on read
    created: str
    updated: str
    version: int = 1

    def to_item(self) -> dict[str, Any]:
        return {
            **keys.grafana_channel(self.org_id, self.id),
            "type": "grafana_channel",
            "orgId": self.org_id,
            "id": self.id,
            "uid": self.uid,
            "name": self.name,
            "notifierType": self.type,
            "isDefault": self.is_default,
            "sendReminder": self.send_reminder,
            "frequencySeconds": self.frequency_seconds,
            "disableResolveMessage": self.disable_resolve_message,
            # JSON text: settings are arbitrary JSON (floats included), which DynamoDB maps cannot hold as is.
            "settings": json.dumps(self.settings, separators=(",", ":")),
            "secureKeys": self.secure_keys,
            "shownKeys": self.shown_keys,
            "sealed": self.sealed,
            "created": self.created,
            "updated": self.updated,
            "version": self.version,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ChannelRecord:
        return cls(
            org_id=item["orgId"],
            id=int(item["id"]),
            uid=item["uid"],
            name=item["name"],
            type=item["notifierType"],
            is_default=bool(item.get("isDefault")),
            send_reminder=bool(item.get("sendReminder")),
            frequency_seconds=int(item.get("frequencySeconds", 0)),
            disable_resolve_message=bool(item.get("disableResolveMessage")),
            settings=json.loads(item.get("settings") or "{}"),
            secure_keys=[str(k) for k in item.get("secureKeys") or []],
            shown_keys=[str(k) for k in item.get("shownKeys") or []],
            sealed={str(k): str(v) for k, v in (item.get("sealed") or {}).items()},
            created=item["created"],
            updated=item["updated"],
            version=int(item.get("version", 1)),
        )


def _guard(org_id: str, key: keys.Key, channel_id: int, kind: str) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table().name,
            "Item": {**key, "type": f"grafana_channel_{kind}", "orgId": org_id, "channelId": channel_id},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _delete(key: keys.Key) -> dict[str, Any]:
    return {"Delete": {"TableName": table().name, "Key": key}}


def last_id(org_id: str) -> int:
    item = table().get_item(Key=keys.grafana_channel_counter(org_id), ConsistentRead=True).get("Item")
    return int(item["last"]) if item else 0


def create(record: ChannelRecord) -> None:
    """Counter, channel, uid guard and name guard in one transaction. `record.id` must be last_id + 1."""
    previous = record.id - 1
    taken = limits.take_destination(record.org_id, CHANNELS_COUNTER, "alert notification channels")
    counter: dict[str, Any] = {
        "Update": {
            "TableName": table().name,
            "Key": keys.grafana_channel_counter(record.org_id),
            "UpdateExpression": "SET #last = :next, #type = :type",
            "ConditionExpression": "attribute_not_exists(#last) OR #last = :previous"
            if previous == 0
            else "#last = :previous",
            "ExpressionAttributeNames": {"#last": "last", "#type": "type"},
            "ExpressionAttributeValues": {":next": record.id, ":previous": previous, ":type": "counter"},
        }
    }
    try:
        client().transact_write_items(
            TransactItems=[
                counter,
                {
                    "Put": {
                        "TableName": table().name,
                        "Item": record.to_item(),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                _guard(record.org_id, keys.grafana_channel_uid(record.org_id, record.uid), record.id, "uid"),
                _guard(record.org_id, keys.grafana_channel_name(record.org_id, record.name), record.id, "name"),
                taken.item,
            ]
        )
    except ClientError as error:
        reasons = cancellation_reasons(error)
        # A lost counter race comes first: read again (a real duplicate is then reported on its own).
        if reasons and "ConditionalCheckFailed" in reasons[:2]:
            raise RetryableConflict() from None
        taken.check(reasons, 4)
        if "ConditionalCheckFailed" in reasons[2:4]:
            raise Conflict(CONFLICT_MESSAGE) from None
        raise


def get(org_id: str, channel_id: int, message: str) -> ChannelRecord:
    item = table().get_item(Key=keys.grafana_channel(org_id, channel_id), ConsistentRead=True).get("Item")
    if not item:
        raise NotFound(message)
    return ChannelRecord.from_item(item)


def id_for_uid(org_id: str, uid: str, message: str) -> int:
    item = table().get_item(Key=keys.grafana_channel_uid(org_id, uid), ConsistentRead=True).get("Item")
    if not item:
        raise NotFound(message)
    return int(item["channelId"])


def get_by_uid(org_id: str, uid: str, message: str) -> ChannelRecord:
    record = get(org_id, id_for_uid(org_id, uid, message), message)
    if record.uid != uid:  # renamed between the two reads
        raise NotFound(message)
    return record


def list_for_org(org_id: str) -> list[ChannelRecord]:
    records: list[ChannelRecord] = []
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("pk").eq(keys.org(org_id)["pk"])
        & Key("sk").begins_with(keys.GRAFANA_CHANNEL_PREFIX),
        "ConsistentRead": True,
    }
    while True:
        page = table().query(**kwargs)
        records.extend(ChannelRecord.from_item(item) for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return records
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def replace(current: ChannelRecord, updated: ChannelRecord) -> None:
    """Puts the new version only over the version that was read; moves the uid and name guards in the
    same transaction when they change."""
    org_id = current.org_id
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table().name,
                "Item": {**updated.to_item(), "version": current.version + 1},
                "ConditionExpression": "attribute_exists(pk) AND #version = :version",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":version": current.version},
            }
        }
    ]
    if updated.uid != current.uid:
        items.append(_guard(org_id, keys.grafana_channel_uid(org_id, updated.uid), updated.id, "uid"))
        items.append(_delete(keys.grafana_channel_uid(org_id, current.uid)))
    if updated.name != current.name:
        items.append(_guard(org_id, keys.grafana_channel_name(org_id, updated.name), updated.id, "name"))
        items.append(_delete(keys.grafana_channel_name(org_id, current.name)))
    try:
        client().transact_write_items(TransactItems=items)
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise RetryableConflict() from None
        if "ConditionalCheckFailed" in reasons[1:]:
            raise Conflict(CONFLICT_MESSAGE) from None
        raise
    updated.version = current.version + 1


def delete(record: ChannelRecord) -> None:
    """Deletes the version that was read, with its guards; RetryableConflict when it changed or went."""
    org_id = record.org_id
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "Delete": {
                        "TableName": table().name,
                        "Key": keys.grafana_channel(org_id, record.id),
                        "ConditionExpression": "attribute_exists(pk) AND #version = :version",
                        "ExpressionAttributeNames": {"#version": "version"},
                        "ExpressionAttributeValues": {":version": record.version},
                    }
                },
                _delete(keys.grafana_channel_uid(org_id, record.uid)),
                _delete(keys.grafana_channel_name(org_id, record.name)),
                limits.give_back(org_id, CHANNELS_COUNTER),
            ]
        )
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise RetryableConflict() from None
        raise
