"""Grafana legacy notification channels in the org's partition.

Ids come from a per-org counter that the create transaction advances (conditionally on the value it
read, so two concurrent creates cannot take the same id); uid and name are kept unique by guard items
written in the same TransactWriteItems as the channel. Ids are never reused: the counter only grows.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key
from pydantic import Field

from herald.data import limits, table_keys
from herald.data.concurrency import WriteConflict
from herald.data.record import Record
from herald.data.table import TransactionCanceled, query_all, table
from herald.data.unique import RECORD, Guard, GuardFailed, put_unique, transact, unique
from herald.errors import Conflict, NotFound

CONFLICT_MESSAGE = "Failed to create alert notification"
CREATE_ATTEMPTS = 5
CHANNELS_COUNTER = "GRAFANA_CHANNELS"


class ChannelRecord(Record):
    """Storage model. `settings` are the plain settings (returned by the API); `sealed` the KMS-encrypted
    values keyed by the channel adapter's secret names (the encryption context); `secure_keys` the Grafana
    secure setting names that are stored (shown as `secureFields`)."""

    ITEM_TYPE = "grafana_channel"
    # JSON text: settings are arbitrary JSON (floats included), which DynamoDB maps cannot hold as is.
    JSON_TEXT = frozenset({"settings"})

    org_id: str
    id: int
    uid: str
    name: str
    type: str = Field(validation_alias="notifierType", serialization_alias="notifierType")
    is_default: bool = False
    send_reminder: bool = False
    frequency_seconds: int = 0
    disable_resolve_message: bool = False
    settings: dict[str, Any] = {}
    secure_keys: list[str] = []
    sealed: dict[str, str] = {}
    shown_keys: list[str] = []  # secret-capable settings sent in `settings`: sealed, returned on read
    created: str
    updated: str
    version: int = 1

    def item_key(self) -> table_keys.Key:
        return table_keys.grafana_channel(self.org_id, self.id)


def _guard(org_id: str, key: table_keys.Key, channel_id: int, kind: str) -> Guard:
    return unique(kind, key, type=f"grafana_channel_{kind}", orgId=org_id, channelId=channel_id)


def _delete(key: table_keys.Key) -> dict[str, Any]:
    return {"Delete": {"Key": key}}


def last_id(org_id: str) -> int:
    item = table().get_item(Key=table_keys.grafana_channel_counter(org_id), ConsistentRead=True).get("Item")
    return int(item["last"]) if item else 0


def create(record: ChannelRecord) -> None:
    """Counter, channel, uid guard and name guard in one transaction. `record.id` must be last_id + 1."""
    previous = record.id - 1
    counter = Guard(
        "counter",
        {
            "Update": {
                "Key": table_keys.grafana_channel_counter(record.org_id),
                "UpdateExpression": "SET #last = :next, #type = :type",
                "ConditionExpression": "attribute_not_exists(#last) OR #last = :previous"
                if previous == 0
                else "#last = :previous",
                "ExpressionAttributeNames": {"#last": "last", "#type": "type"},
                "ExpressionAttributeValues": {":next": record.id, ":previous": previous, ":type": "counter"},
            }
        },
    )
    org_id = record.org_id
    taken = limits.take_destination(org_id, CHANNELS_COUNTER, "alert notification channels")
    guards = [
        counter,  # first: a lost counter race reads again (a real duplicate is then reported on its own)
        taken.guard,  # then the destinations cap (CapReached), before a duplicate uid or name
        _guard(org_id, table_keys.grafana_channel_uid(org_id, record.uid), record.id, "uid"),
        _guard(org_id, table_keys.grafana_channel_name(org_id, record.name), record.id, "name"),
    ]
    try:
        put_unique(record, guards)
    except GuardFailed as failed:
        if failed.guard in ("counter", RECORD):
            raise WriteConflict() from None
        if failed.guard == taken.name:
            raise taken.refused() from None
        raise Conflict(CONFLICT_MESSAGE) from None


def get(org_id: str, channel_id: int, message: str) -> ChannelRecord:
    item = table().get_item(Key=table_keys.grafana_channel(org_id, channel_id), ConsistentRead=True).get("Item")
    if not item:
        raise NotFound(message)
    return ChannelRecord.from_item(item)


def id_for_uid(org_id: str, uid: str, message: str) -> int:
    item = table().get_item(Key=table_keys.grafana_channel_uid(org_id, uid), ConsistentRead=True).get("Item")
    if not item:
        raise NotFound(message)
    return int(item["channelId"])


def get_by_uid(org_id: str, uid: str, message: str) -> ChannelRecord:
    record = get(org_id, id_for_uid(org_id, uid, message), message)
    if record.uid != uid:  # renamed between the two reads
        raise NotFound(message)
    return record


def list_for_org(org_id: str) -> list[ChannelRecord]:
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.org(org_id)["pk"])
        & Key("sk").begins_with(table_keys.GRAFANA_CHANNEL_PREFIX),
        ConsistentRead=True,
    )
    return [ChannelRecord.from_item(item) for item in items]


def replace(current: ChannelRecord, updated: ChannelRecord) -> None:
    """Puts the new version only over the version that was read; moves the uid and name guards in the
    same transaction when they change."""
    org_id = current.org_id
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "Item": {**updated.to_item(), "version": current.version + 1},
                "ConditionExpression": "attribute_exists(pk) AND #version = :version",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":version": current.version},
            }
        }
    ]
    if updated.uid != current.uid:
        items.append(_guard(org_id, table_keys.grafana_channel_uid(org_id, updated.uid), updated.id, "uid").write)
        items.append(_delete(table_keys.grafana_channel_uid(org_id, current.uid)))
    if updated.name != current.name:
        items.append(_guard(org_id, table_keys.grafana_channel_name(org_id, updated.name), updated.id, "name").write)
        items.append(_delete(table_keys.grafana_channel_name(org_id, current.name)))
    try:
        transact(items)
    except TransactionCanceled as canceled:
        if canceled.failed(0) or canceled.conflicting:
            raise WriteConflict() from None
        if "ConditionalCheckFailed" in canceled.reasons[1:]:
            raise Conflict(CONFLICT_MESSAGE) from None
        raise
    updated.version = current.version + 1


def delete(record: ChannelRecord) -> None:
    """Deletes the version that was read, with its guards; WriteConflict when it changed or went."""
    org_id = record.org_id
    try:
        transact(
            [
                {
                    "Delete": {
                        "Key": table_keys.grafana_channel(org_id, record.id),
                        "ConditionExpression": "attribute_exists(pk) AND #version = :version",
                        "ExpressionAttributeNames": {"#version": "version"},
                        "ExpressionAttributeValues": {":version": record.version},
                    }
                },
                _delete(table_keys.grafana_channel_uid(org_id, record.uid)),
                _delete(table_keys.grafana_channel_name(org_id, record.name)),
                limits.give_back(org_id, CHANNELS_COUNTER),
            ]
        )
    except TransactionCanceled as canceled:
        if canceled.failed(0) or canceled.conflicting:
            raise WriteConflict() from None
        raise
