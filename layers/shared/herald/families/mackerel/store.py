"""Mackerel channels and notification groups, all in the org's partition (`MKR#…` sort keys).

One Query loads an org's whole configuration (channels, groups and its version counter). Every write is
one TransactWriteItems that bumps the version counter on the condition that it still holds the value
read, so a write validated against a snapshot (child ids exist, no cycle, default group untouched)
cannot commit if anything changed in between; the domain re-reads and retries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Key
from pydantic import Field

from herald import clock, ids
from herald.data import limits, table_keys
from herald.data.concurrency import WriteConflict
from herald.data.record import Record, StoredPart
from herald.data.table import (
    TransactionCanceled,
    query_all,
    table,
    written,
)
from herald.data.unique import ABSENT, Guard, transact

MAX_TRANSACTION_ITEMS = 100
DEFAULT_GROUP_NAME = "Default"
INCIDENT_TTL_SECONDS = 30 * 24 * 3600
CHANNELS_COUNTER = "MACKEREL_CHANNELS"
GROUPS_COUNTER = "MACKEREL_GROUPS"


class ChannelRecord(Record):
    """`url_mask` is what the API shows of a Slack/webhook URL; the URL itself is only in `sealed`
    (`webhookUrl` for Slack, `url` for webhooks: the names the adapters read)."""

    ITEM_TYPE = "mackerelChannel"

    org_id: str
    id: str
    name: str
    channel_type: str
    events: list[str]
    emails: list[str] = []
    user_ids: list[str] = []
    mentions: dict[str, str] = {}
    enabled_graph_image: bool = False
    url_mask: str = ""
    sealed: dict[str, str] = {}
    created_at: str
    updated_at: str

    def item_key(self) -> table_keys.Key:
        return table_keys.mackerel_channel(self.org_id, self.id)


class MonitorRule(StoredPart):
    id: str
    skip_default: bool = False


class GroupRecord(Record):
    ITEM_TYPE = "mackerelGroup"

    org_id: str
    id: str
    group_type: str  # "group" | "group-default"
    name: str
    notification_level: str  # "all" | "critical"
    child_group_ids: list[str] = Field(
        default=[], validation_alias="childNotificationGroupIds", serialization_alias="childNotificationGroupIds"
    )
    child_channel_ids: list[str] = []
    monitors: list[MonitorRule] = []
    services: list[str] = []
    created_at: str
    updated_at: str

    @property
    def is_default(self) -> bool:
        return self.group_type == "group-default"

    def item_key(self) -> table_keys.Key:
        return table_keys.mackerel_group(self.org_id, self.id)


def default_group(org_id: str) -> GroupRecord:
    now = clock.iso()
    return GroupRecord(
        org_id=org_id,
        id=ids.mackerel_default_group_id(org_id),
        group_type="group-default",
        name=DEFAULT_GROUP_NAME,
        notification_level="all",
        created_at=now,
        updated_at=now,
    )


@dataclass
class Configuration:
    """An org's channels and groups as read by one Query, in creation order (default group first)."""

    org_id: str
    version: int
    channels: dict[str, ChannelRecord] = field(default_factory=dict)
    groups: dict[str, GroupRecord] = field(default_factory=dict)

    @property
    def default_group(self) -> GroupRecord | None:
        return next((g for g in self.groups.values() if g.is_default), None)


def load(org_id: str) -> Configuration:
    """One Query (paged when large) over the org partition's `MKR#` items."""
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.org(org_id)["pk"])
        & Key("sk").begins_with(table_keys.MACKEREL_PREFIX),
        ConsistentRead=True,
    )
    config = Configuration(org_id=org_id, version=0)
    channels, groups = [], []
    for item in items:
        kind = item.get("type")
        if kind == "mackerelChannel":
            channels.append(ChannelRecord.from_item(item))
        elif kind == "mackerelGroup":
            groups.append(GroupRecord.from_item(item))
        elif item["sk"] == table_keys.mackerel_version(org_id)["sk"]:
            config.version = int(item.get("version", 0))
    config.channels = {c.id: c for c in sorted(channels, key=lambda c: (c.created_at, c.id))}
    config.groups = {g.id: g for g in sorted(groups, key=lambda g: (not g.is_default, g.created_at, g.id))}
    return config


def commit(
    config: Configuration,
    puts: list[ChannelRecord | GroupRecord],
    deletes: list[table_keys.Key] | None = None,
    counter: limits.Taken | dict[str, Any] | None = None,
) -> None:
    """Writes `puts` and `deletes` only while the org's version is still the one `config` was read at;
    `counter` (a cap's counter item, herald.data.limits) moves in the same transaction."""
    puts_items = [{"Put": {"Item": r.to_item()}} for r in puts]
    _transact(config.org_id, config.version, puts_items, deletes or [], counter)


def add_new(org_id: str, record: ChannelRecord, counter: limits.Taken | None = None) -> None:
    """A new item that nothing in the configuration refers to yet needs no read: it is written with the
    org's version moved on (unconditionally), so a concurrent write validated against the configuration
    without it fails its own version check and reads again."""
    _transact(org_id, None, [{"Put": {"Item": record.to_item(), "ConditionExpression": ABSENT}}], [], counter)


def _transact(
    org_id: str,
    version: int | None,
    puts: list[dict[str, Any]],
    deletes: list[table_keys.Key] | None = None,
    counter: limits.Taken | dict[str, Any] | None = None,
) -> None:
    """One transaction: the org's version + 1 (checked against `version` unless None), the writes, and the
    counter item last: a Taken refuses the write past its cap (CapReached), a plain item (a give-back)
    always applies; WriteConflict when the version moved on (or a concurrent transaction got in the way)."""
    deletes = deletes or []
    if 2 + len(puts) + len(deletes) > MAX_TRANSACTION_ITEMS:
        raise ValueError("too many items for one transaction")
    update: dict[str, Any] = {
        "Key": table_keys.mackerel_version(org_id),
        "UpdateExpression": "ADD #v :one SET #type = :type",
        "ExpressionAttributeNames": {"#v": "version", "#type": "type"},
        "ExpressionAttributeValues": {":one": 1, ":type": "counter"},
    }
    if version:
        update["ConditionExpression"] = "#v = :expected"
        update["ExpressionAttributeValues"][":expected"] = version
    elif version is not None:
        update["ConditionExpression"] = "attribute_not_exists(#v)"
    writes: list[dict[str, Any]] = [{"Update": update}, *puts, *({"Delete": {"Key": key}} for key in deletes)]
    if counter is not None:
        writes.append(counter.item if isinstance(counter, limits.Taken) else counter)
    try:
        transact(writes)
    except TransactionCanceled as canceled:
        if isinstance(counter, limits.Taken):
            counter.check(canceled.reasons, len(writes) - 1)
        if canceled.failed(0) or canceled.conflicting:
            raise WriteConflict(org_id) from None
        raise


def default_group_guard(org_id: str) -> Guard:
    """The default group as a guard of another new item (the org's): written only when absent."""
    return Guard(DEFAULT_GROUP_NAME, {"Put": {"Item": default_group(org_id).to_item(), "ConditionExpression": ABSENT}})


def ensure_default_group(org_id: str) -> bool:
    """Idempotent (the default group's id derives from the org): True when it was created now."""
    return written(table().put_item, Item=default_group(org_id).to_item(), ConditionExpression=ABSENT)


# --- open critical incidents (notificationLevel "critical" passes their recoveries) --------------------


def open_critical(org_id: str, incident_key: str, event_id: str, now: float) -> None:
    """A critical trigger opens (or re-opens) the incident; replays write the same thing."""
    table().put_item(
        Item={
            **table_keys.mackerel_incident(org_id, incident_key),
            "type": "mackerelIncident",
            "orgId": org_id,
            "openedBy": event_id,
            "openedAt": clock.iso(),
            "ttl": int(now) + INCIDENT_TTL_SECONDS,
        }
    )


def close_critical(org_id: str, incident_key: str, event_id: str) -> bool:
    """True when this recovery closes an open critical incident (or already did: a replayed record
    reaches the same decision); False when there was none or another recovery closed it."""
    return written(
        table().update_item,
        Key=table_keys.mackerel_incident(org_id, incident_key),
        UpdateExpression="SET closedBy = :event",
        ConditionExpression="attribute_exists(openedBy) AND (attribute_not_exists(closedBy) OR closedBy = :event)",
        ExpressionAttributeValues={":event": event_id},
    )
