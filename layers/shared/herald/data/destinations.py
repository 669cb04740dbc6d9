"""A destination's delivery state, read once per delivery: its pacing record and its circuit-breaker
record live in one partition (keys.destination_partition), so one Query (one read unit) returns both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key

from herald.data import keys
from herald.data.table import table


@dataclass(frozen=True)
class DestinationState:
    next_allowed: float  # epoch seconds; 0 when the destination has no pacing record
    breaker: dict[str, Any] | None  # None: closed and no recent failures


def read(destination_key: str) -> DestinationState:
    items = table().query(
        KeyConditionExpression=Key("pk").eq(keys.destination_partition(destination_key)), ConsistentRead=True
    )["Items"]
    by_sort_key = {str(item["sk"]): dict(item) for item in items}
    pace = by_sort_key.get(keys.pacing(destination_key)["sk"]) or {}
    next_allowed = float(pace["nextAllowedAt"]) if pace.get("nextAllowedAt") is not None else 0.0
    return DestinationState(next_allowed, by_sort_key.get(keys.breaker(destination_key)["sk"]))
