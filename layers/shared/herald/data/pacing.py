"""Pacing records: one per destination, `nextAllowedAt` claimed with conditional writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from herald.data import table_keys
from herald.data.table import ConditionFailed, table, written

TTL_SECONDS = 86400
_ROUNDS = 8


def _number(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


def next_allowed(destination_key: str) -> float:
    item = table().get_item(Key=table_keys.pacing(destination_key), ConsistentRead=True).get("Item")
    return float(item["nextAllowedAt"]) if item and item.get("nextAllowedAt") is not None else 0.0


def reserve(destination_key: str, now: float, interval: float, seen: float | None = None) -> float:
    """Reserves the destination's next send slot: the earliest of now and `nextAllowedAt`, and moves
    `nextAllowedAt` one interval past it. Returns the slot (== now: send at once). Each write is
    conditional on the value read (`seen`, when the caller has just read it), so two racing senders never
    get the same slot."""
    if seen is None:
        seen = next_allowed(destination_key)
    for _ in range(_ROUNDS):
        slot = max(now, seen)
        if interval <= 0:
            return slot  # header-paced only: nothing to reserve
        condition = "attribute_not_exists(nextAllowedAt)" if seen == 0.0 else "nextAllowedAt = :seen"
        values: dict[str, Any] = {
            ":next": _number(slot + interval),
            ":ttl": int(slot + interval) + TTL_SECONDS,
        }
        if seen != 0.0:
            values[":seen"] = _number(seen)
        try:
            table().update_item(
                Key=table_keys.pacing(destination_key),
                UpdateExpression="SET nextAllowedAt = :next, #ttl = :ttl",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#ttl": "ttl"},
                ExpressionAttributeValues=values,
            )
            return slot
        except ConditionFailed:
            pass  # another sender took the slot: read again
        seen = next_allowed(destination_key)
    # Heavy contention: wait a full interval past the latest value rather than risk a burst.
    return max(now, seen) + interval


def push_back(destination_key: str, until: float) -> None:
    """The provider asked for a pause (Retry-After / retry_after): nobody sends before `until`."""
    written(
        table().update_item,
        Key=table_keys.pacing(destination_key),
        UpdateExpression="SET nextAllowedAt = :until, #ttl = :ttl",
        ConditionExpression="attribute_not_exists(nextAllowedAt) OR nextAllowedAt < :until",
        ExpressionAttributeNames={"#ttl": "ttl"},
        ExpressionAttributeValues={":until": _number(until), ":ttl": int(until) + TTL_SECONDS},
    )
