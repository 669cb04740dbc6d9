"""OnCall storage: users, rule chains (one item per (user, important) chain), rule pointers, escalations.

A chain item holds its rules in order (the position of a rule is its index) and a version; every change
is a write conditioned on the version it was computed from, retried on conflict, so concurrent inserts,
moves and deletes can never leave a gap or a duplicate position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key

from herald.data import table_keys
from herald.data.concurrency import WriteConflict, optimistic, versioned_put
from herald.data.record import Record
from herald.data.record import plain as plain
from herald.data.table import (
    TransactionCanceled,
    query_all,
    table,
    written,
)
from herald.data.unique import ABSENT, PRESENT, GuardFailed, exists, put_unique, unique
from herald.data.unique import transact as write_all
from herald.errors import Conflict

MAX_RETRIES = 50


def retrying[T](attempt: Callable[[], T]) -> T:
    return optimistic(attempt, Conflict("Too many concurrent changes, try again"), MAX_RETRIES)


# ---------------------------------------------------------------- users


class UserRecord(Record):
    ITEM_TYPE = "oncall_user"

    org_id: str
    id: str
    grafana_id: int
    email: str
    username: str
    role: str = "editor"
    timezone: str = "UTC"
    created_at: str
    config: dict[str, str] = {}  # phoneNumber, telegramChatId, pushEndpointArn
    sealed: dict[str, str] = {}  # slackWebhookUrl, teamsUrl, webhookUrl, telegramToken

    def item_key(self) -> table_keys.Key:
        return table_keys.oncall_user(self.org_id, self.id)


def next_grafana_id(org_id: str) -> int:
    result = table().update_item(
        Key=table_keys.oncall_user_counter(org_id),
        UpdateExpression="ADD #count :one SET #type = :type",
        ExpressionAttributeNames={"#count": "count", "#type": "type"},
        ExpressionAttributeValues={":one": 1, ":type": "counter"},
        ReturnValues="UPDATED_NEW",
    )
    return int(result["Attributes"]["count"])


def create_user(record: UserRecord) -> None:
    """The user and its email guard in one transaction: one user per email in an org."""
    email = table_keys.oncall_user_email(record.org_id, record.email)
    try:
        put_unique(record, [unique("email", email, type="oncall_user_email", userId=record.id)])
    except GuardFailed:
        raise Conflict(f"a user with email {record.email} already exists") from None


def get_user(org_id: str, user_id: str) -> UserRecord | None:
    item = table().get_item(Key=table_keys.oncall_user(org_id, user_id), ConsistentRead=True).get("Item")
    return UserRecord.from_item(item) if item else None


def list_users(org_id: str) -> list[UserRecord]:
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.org(org_id)["pk"])
        & Key("sk").begins_with(table_keys.USER_PREFIX),
        ConsistentRead=True,
    )
    return sorted((UserRecord.from_item(i) for i in items), key=lambda u: u.grafana_id)


# ---------------------------------------------------------------- rule chains


@dataclass
class Chain:
    org_id: str
    user_id: str
    important: bool
    version: int
    rules: list[dict[str, Any]]  # {"id", "type", "duration"?} in position order

    def item(self, rules: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            **table_keys.oncall_chain(self.org_id, self.user_id, self.important),
            "type": "oncall_chain",
            "orgId": self.org_id,
            "userId": self.user_id,
            "important": self.important,
            "rules": rules,
        }

    def put(self, rules: list[dict[str, Any]]) -> dict[str, Any]:
        """The chain's Put of a transaction, conditioned on the version it was read at."""
        return {"Put": versioned_put(self.item(rules), self.version)}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Chain:
        return cls(
            org_id=str(item["orgId"]),
            user_id=str(item["userId"]),
            important=bool(item["important"]),
            version=int(item["version"]),
            rules=[plain(r) for r in item.get("rules", [])],
        )


def get_chain(org_id: str, user_id: str, important: bool) -> Chain:
    item = table().get_item(Key=table_keys.oncall_chain(org_id, user_id, important), ConsistentRead=True).get("Item")
    return Chain.from_item(item) if item else Chain(org_id, user_id, important, 0, [])


def list_chains(org_id: str, user_id: str | None = None) -> list[Chain]:
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.org(org_id)["pk"])
        & Key("sk").begins_with(table_keys.oncall_chain_prefix(user_id)),
        ConsistentRead=True,
    )
    return [Chain.from_item(i) for i in items]


def pointer(org_id: str, rule_id: str) -> dict[str, Any] | None:
    item = table().get_item(Key=table_keys.oncall_rule(org_id, rule_id), ConsistentRead=True).get("Item")
    return dict(item) if item else None


def write(items: list[dict[str, Any]]) -> None:
    """One transaction; a failed condition or a transaction conflict (a concurrent writer) raises
    WriteConflict, so that the caller reads again and retries."""
    reasons = transact(items)
    if reasons:
        raise WriteConflict(", ".join(reasons))


def pointer_put(chain: Chain, rule_id: str) -> dict[str, Any]:
    key = table_keys.oncall_rule(chain.org_id, rule_id)
    return unique(
        "rule", key, type="oncall_rule", ruleId=rule_id, userId=chain.user_id, important=chain.important
    ).write


def pointer_delete(org_id: str, rule_id: str) -> dict[str, Any]:
    return {"Delete": {"Key": table_keys.oncall_rule(org_id, rule_id), "ConditionExpression": PRESENT}}


def user_exists_check(org_id: str, user_id: str) -> dict[str, Any]:
    return exists("user", table_keys.oncall_user(org_id, user_id)).write


# ---------------------------------------------------------------- escalations


def get_escalation(event_id: str, user_id: str) -> dict[str, Any] | None:
    item = table().get_item(Key=table_keys.escalation(event_id, user_id), ConsistentRead=True).get("Item")
    return plain(item) if item else None


def list_escalations(event_id: str) -> list[dict[str, Any]]:
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.event_partition(event_id))
        & Key("sk").begins_with(table_keys.ESCALATION_PREFIX),
        ConsistentRead=True,
    )
    return [plain(i) for i in items]


def escalation_put(item: dict[str, Any], version: int) -> dict[str, Any]:
    """Put of an escalation item at version+1, conditioned on `version` (0: must not exist)."""
    return {"Put": versioned_put(item, version)}


def save_escalation(item: dict[str, Any], version: int) -> None:
    if not written(table().put_item, **versioned_put(item, version)):
        raise WriteConflict()


def stop_event(event_id: str, field_name: str, at: str) -> bool:
    """Marks the event stopped (acknowledged or resolved) once; False when it was stopped already or
    does not exist."""
    return written(
        table().update_item,
        Key=table_keys.event(event_id),
        UpdateExpression="SET #f = :at, stoppedAt = :at",
        ConditionExpression="attribute_exists(pk) AND attribute_not_exists(stoppedAt)",
        ExpressionAttributeNames={"#f": field_name},
        ExpressionAttributeValues={":at": at},
    )


def event_not_stopped_check(event_id: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "Key": table_keys.event(event_id),
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(stoppedAt)",
        }
    }


def not_resolved_since_check(org_id: str, dedup_key: str, created_at: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "Key": table_keys.dedup_resolved(org_id, dedup_key),
            "ConditionExpression": "attribute_not_exists(pk) OR resolvedAt < :created",
            "ExpressionAttributeValues": {":created": created_at},
        }
    }


def dedup_event_put(org_id: str, dedup_key: str, event_id: str, created_at: str, ttl: int | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        **table_keys.dedup_event(org_id, dedup_key, event_id),
        "type": "oncall_dedup_event",
        "eventId": event_id,
        "createdAt": created_at,
    }
    if ttl:
        item["ttl"] = ttl
    return {"Put": {"Item": item}}


def mark_resolved(org_id: str, dedup_key: str, resolved_at: str) -> None:
    """Moves the dedupKey's resolution time forward (never back)."""
    written(
        table().update_item,
        Key=table_keys.dedup_resolved(org_id, dedup_key),
        UpdateExpression="SET resolvedAt = :at, #type = :type",
        ConditionExpression="attribute_not_exists(resolvedAt) OR resolvedAt < :at",
        ExpressionAttributeNames={"#type": "type"},
        ExpressionAttributeValues={":at": resolved_at, ":type": "oncall_dedup_resolved"},
    )


def dedup_events(org_id: str, dedup_key: str) -> list[dict[str, Any]]:
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.dedup_partition(org_id, dedup_key))
        & Key("sk").begins_with("EVENT#"),
        ConsistentRead=True,
    )
    return [plain(i) for i in items]


def transact(items: list[dict[str, Any]]) -> list[str]:
    """One transaction; [] when written, else the cancellation reason of each item."""
    try:
        write_all(items)
        return []
    except TransactionCanceled as canceled:
        return canceled.reasons


def delivery_put(item: dict[str, Any]) -> dict[str, Any]:
    """A step's delivery record, written in the same transaction as the step's decision."""
    return {"Put": {"Item": item, "ConditionExpression": ABSENT}}
