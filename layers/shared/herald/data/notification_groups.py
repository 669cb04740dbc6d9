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
from botocore.exceptions import ClientError
from pydantic import BaseModel

from herald import clock, ids
from herald.data import keys, limits
from herald.data.table import cancellation_reasons, client, is_conditional_failure, table

MAX_TRANSACTION_ITEMS = 100
DEFAULT_GROUP_NAME = "Default"
INCIDENT_TTL_SECONDS = 30 * 24 * 3600
CHANNELS_COUNTER = "MACKEREL_CHANNELS"
GROUPS_COUNTER = "MACKEREL_GROUPS"


class StaleConfiguration(Exception):
    """The org's configuration changed after it was read."""


class ChannelRecord(BaseModel):
    """`url_mask` is what the API shows of a Slack/webhook URL; the URL itself is only in `sealed`
    (`webhookUrl` for Slack, `url` for webhooks: the names the adapters read)."""

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

    def to_item(self) -> dict[str, Any]:
        return {
            **keys.mackerel_channel(self.org_id, self.id),
            "type": "mackerelChannel",
            "orgId": self.org_id,
            "id": self.id,
            "name": self.name,
            "channelType": self.channel_type,
            "events": self.events,
            "emails": self.emails,
            "userIds": self.user_ids,
            "mentions": self.mentions,
            "enabledGraphImage": self.enabled_graph_image,
            "urlMask": self.url_mask,
            "sealed": self.sealed,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ChannelRecord:
        return cls(
            org_id=str(item["orgId"]),
            id=str(item["id"]),
            name=str(item["name"]),
            channel_type=str(item["channelType"]),
            events=[str(e) for e in item.get("events") or []],
            emails=[str(e) for e in item.get("emails") or []],
            user_ids=[str(u) for u in item.get("userIds") or []],
            mentions={str(k): str(v) for k, v in (item.get("mentions") or {}).items()},
            enabled_graph_image=bool(item.get("enabledGraphImage", False)),
            url_mask=str(item.get("urlMask", "")),
            sealed={str(k): str(v) for k, v in (item.get("sealed") or {}).items()},
            created_at=str(item["createdAt"]),
            updated_at=str(item["updatedAt"]),
        )


class MonitorRule(BaseModel):
    id: str
    skip_default: bool = False


class GroupRecord(BaseModel):
    org_id: str
    id: str
    group_type: str  # "group" | "group-default"
    name: str
    notification_level: str  # "all" | "critical"
    child_group_ids: list[str] = []
    child_channel_ids: list[str] = []
    monitors: list[MonitorRule] = []
    services: list[str] = []
    created_at: str
    updated_at: str

    @property
    def is_default(self) -> bool:
        return self.group_type == "group-default"

    def to_item(self) -> dict[str, Any]:
        return {
            **keys.mackerel_group(self.org_id, self.id),
            "type": "mackerelGroup",
            "orgId": self.org_id,
            "id": self.id,
            "groupType": self.group_type,
            "name": self.name,
            "notificationLevel": self.notification_level,
            "childNotificationGroupIds": self.child_group_ids,
            "childChannelIds": self.child_channel_ids,
            "monitors": [{"id": m.id, "skipDefault": m.skip_default} for m in self.monitors],
            "services": self.services,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> GroupRecord:
        return cls(
            org_id=str(item["orgId"]),
            id=str(item["id"]),
            group_type=str(item["groupType"]),
            name=str(item["name"]),
            notification_level=str(item["notificationLevel"]),
            child_group_ids=[str(i) for i in item.get("childNotificationGroupIds") or []],
            child_channel_ids=[str(i) for i in item.get("childChannelIds") or []],
            monitors=[
                MonitorRule(id=str(m["id"]), skip_default=bool(m.get("skipDefault", False)))
                for m in item.get("monitors") or []
            ],
            services=[str(s) for s in item.get("services") or []],
            created_at=str(item["createdAt"]),
            updated_at=str(item["updatedAt"]),
        )


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
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("pk").eq(keys.org(org_id)["pk"]) & Key("sk").begins_with(keys.MACKEREL_PREFIX),
        "ConsistentRead": True,
    }
    while True:
        page = table().query(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    config = Configuration(org_id=org_id, version=0)
    channels, groups = [], []
    for item in items:
        kind = item.get("type")
        if kind == "mackerelChannel":
            channels.append(ChannelRecord.from_item(item))
        elif kind == "mackerelGroup":
            groups.append(GroupRecord.from_item(item))
        elif item["sk"] == keys.mackerel_version(org_id)["sk"]:
            config.version = int(item.get("version", 0))
    config.channels = {c.id: c for c in sorted(channels, key=lambda c: (c.created_at, c.id))}
    config.groups = {g.id: g for g in sorted(groups, key=lambda g: (not g.is_default, g.created_at, g.id))}
    return config


def commit(
    config: Configuration,
    puts: list[ChannelRecord | GroupRecord],
    deletes: list[keys.Key] | None = None,
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
    put = {"Put": {"Item": record.to_item(), "ConditionExpression": "attribute_not_exists(pk)"}}
    _transact(org_id, None, [put], [], counter)


def _transact(
    org_id: str,
    version: int | None,
    puts: list[dict[str, Any]],
    deletes: list[keys.Key] | None = None,
    counter: limits.Taken | dict[str, Any] | None = None,
) -> None:
    """One transaction: the org's version + 1 (checked against `version` unless None), the writes, and the
    counter item last: a Taken refuses the write past its cap, a plain item (a give-back) always applies."""
    deletes = deletes or []
    if 2 + len(puts) + len(deletes) > MAX_TRANSACTION_ITEMS:
        raise ValueError("too many items for one transaction")
    table_name = table().name
    update: dict[str, Any] = {
        "TableName": table_name,
        "Key": keys.mackerel_version(org_id),
        "UpdateExpression": "ADD #v :one SET #type = :type",
        "ExpressionAttributeNames": {"#v": "version", "#type": "type"},
        "ExpressionAttributeValues": {":one": 1, ":type": "counter"},
    }
    if version:
        update["ConditionExpression"] = "#v = :expected"
        update["ExpressionAttributeValues"][":expected"] = version
    elif version is not None:
        update["ConditionExpression"] = "attribute_not_exists(#v)"
    items: list[dict[str, Any]] = [{"Update": update}]
    items += [{"Put": {"TableName": table_name, **put["Put"]}} for put in puts]
    items += [{"Delete": {"TableName": table_name, "Key": key}} for key in deletes]
    if counter is not None:
        items.append(counter.item if isinstance(counter, limits.Taken) else counter)
    try:
        client().transact_write_items(TransactItems=items)
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if isinstance(counter, limits.Taken):
            counter.check(reasons, len(items) - 1)
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise StaleConfiguration(org_id) from None
        if reasons and "TransactionConflict" in reasons:
            raise StaleConfiguration(org_id) from None
        raise


def default_group_put(org_id: str) -> dict[str, Any]:
    """A conditional Put of the default group (for a transaction, or alone): only when it is absent."""
    return {
        "TableName": table().name,
        "Item": default_group(org_id).to_item(),
        "ConditionExpression": "attribute_not_exists(pk)",
    }


def ensure_default_group(org_id: str) -> bool:
    """Idempotent (the default group's id derives from the org): True when it was created now."""
    put = default_group_put(org_id)
    try:
        table().put_item(Item=put["Item"], ConditionExpression=put["ConditionExpression"])
        return True
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise


# --- open critical incidents (notificationLevel "critical" passes their recoveries) --------------------


def open_critical(org_id: str, incident_key: str, event_id: str, now: float) -> None:
    """A critical trigger opens (or re-opens) the incident; replays write the same thing."""
    table().put_item(
        Item={
            **keys.mackerel_incident(org_id, incident_key),
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
    try:
        table().update_item(
            Key=keys.mackerel_incident(org_id, incident_key),
            UpdateExpression="SET closedBy = :event",
            ConditionExpression="attribute_exists(openedBy) AND (attribute_not_exists(closedBy) OR closedBy = :event)",
            ExpressionAttributeValues={":event": event_id},
        )
        return True
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise
