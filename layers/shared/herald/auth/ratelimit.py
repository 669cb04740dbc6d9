"""Per-key rate limiting that holds across containers: GCRA (a token bucket kept as one timestamp) in DynamoDB.

Each key has one item holding its theoretical arrival time (`tat`). A request is allowed while
`tat <= now + (burst - 1) * interval`, and moves `tat` one interval on (from `now` when the key was idle). The
decision is one conditional UpdateItem, so every container of every function sees the same budget: a key served
by N warm containers still gets `HERALD_RATE_LIMIT_PER_SECOND` with bursts of `HERALD_RATE_LIMIT_BURST`. API
Gateway's stage throttling stays the global ceiling.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from typing import Any

from herald.data import table, table_keys
from herald.errors import RateLimited
from herald.settings import get_settings

IDLE_TTL_SECONDS = 3600


def take(key_id: str, now: float | None = None) -> None:
    """Spends one request of the key's budget, or raises RateLimited with the seconds until the next one."""
    settings = get_settings()
    interval = 1.0 / settings.rate_limit_per_second
    tolerance = (settings.rate_limit_burst - 1) * interval
    now = time.time() if now is None else now
    # Idle key (or first use): the budget restarts from now. Busy key: one interval on from its tat.
    tat = _advance(key_id, now, interval, busy=False)
    if tat is None:
        return
    if tat <= now + tolerance:
        refused = _advance(key_id, now, interval, busy=True, ceiling=now + tolerance)
        if refused is None:
            return
        tat = refused
    raise RateLimited("Too many requests", retry_after=max(1, math.ceil(tat - now - tolerance)))


def _advance(key_id: str, now: float, interval: float, busy: bool, ceiling: float = 0.0) -> float | None:
    """None when the request was counted; else the `tat` that refused it."""
    values: dict[str, Any] = {":now": _number(now), ":ttl": int(now) + IDLE_TTL_SECONDS}
    if busy:
        update, condition = "SET tat = tat + :interval, #ttl = :ttl", "tat >= :now AND tat <= :ceiling"
        values.update({":ceiling": _number(ceiling), ":interval": _number(interval)})
    else:
        update, condition = "SET tat = :next, #ttl = :ttl", "attribute_not_exists(tat) OR tat < :now"
        values[":next"] = _number(now + interval)
    try:
        table.table().update_item(
            Key=table_keys.rate_limit(key_id),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames={"#ttl": "ttl"},
            ExpressionAttributeValues=values,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return None
    except table.ConditionFailed as failed:
        found = failed.item or {}
        return float(found.get("tat", now))


def _number(value: float) -> Decimal:
    return Decimal(str(round(value, 4)))


def reset() -> None:
    """Nothing is kept per container any more; kept so every per-container cache has one reset."""
