"""Open incidents per (org, dedupKey), for Grafana reminders: a triggered event opens one, a recovery closes it.

Events of one dedupKey can reach the fan-out out of order (they live on different partitions), so each
write applies only when it is not older than the state it replaces (compared by event creation time).
"""

from __future__ import annotations

from typing import Any

from herald.data import table_keys
from herald.data.table import table, written

RETENTION_SECONDS = 30 * 86400


def _write(org_id: str, dedup_key: str, is_open: bool, event_id: str, at: str, now: float) -> bool:
    return written(
        table().update_item,
        Key=table_keys.grafana_incident(org_id, dedup_key),
        UpdateExpression="SET #type = :type, orgId = :org, dedupKey = :dedup, isOpen = :open, "
        "eventId = :event, #at = :at, #ttl = :ttl",
        ConditionExpression="attribute_not_exists(pk) OR #at <= :at",
        ExpressionAttributeNames={"#type": "type", "#at": "at", "#ttl": "ttl"},
        ExpressionAttributeValues={
            ":type": "grafana_incident",
            ":org": org_id,
            ":dedup": dedup_key,
            ":open": is_open,
            ":event": event_id,
            ":at": at,
            ":ttl": int(now) + RETENTION_SECONDS,
        },
    )


def open_incident(org_id: str, dedup_key: str, event_id: str, at: str, now: float) -> bool:
    """The triggered event `event_id` is now the incident's latest notification; False when a newer
    event of the same dedupKey was already recorded."""
    return _write(org_id, dedup_key, True, event_id, at, now)


def close_incident(org_id: str, dedup_key: str, event_id: str, at: str, now: float) -> bool:
    return _write(org_id, dedup_key, False, event_id, at, now)


def get(org_id: str, dedup_key: str) -> dict[str, Any] | None:
    item = table().get_item(Key=table_keys.grafana_incident(org_id, dedup_key), ConsistentRead=True).get("Item")
    return dict(item) if item else None


def event_item(event_id: str) -> dict[str, Any] | None:
    """The stored event a reminder repeats (gone once its retention ends)."""
    item = table().get_item(Key=table_keys.event(event_id), ConsistentRead=True).get("Item")
    return dict(item) if item else None
