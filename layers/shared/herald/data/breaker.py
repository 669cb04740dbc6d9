"""Circuit breaker records: one per destination (consecutive transient failures, cool-off, probe lease)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from herald.data import table_keys
from herald.data.table import table, written

TTL_SECONDS = 86400


def _number(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


def get(destination_key: str) -> dict[str, Any] | None:
    item = table().get_item(Key=table_keys.breaker(destination_key), ConsistentRead=True).get("Item")
    return dict(item) if item else None


def claim_probe(destination_key: str, now: float, lease_seconds: float) -> bool:
    """Half-open: only one sender gets the probe (conditional write on the probe lease)."""
    return written(
        table().update_item,
        Key=table_keys.breaker(destination_key),
        UpdateExpression="SET probeUntil = :until",
        ConditionExpression="attribute_exists(openUntil) AND openUntil <= :now AND "
        "(attribute_not_exists(probeUntil) OR probeUntil < :now)",
        ExpressionAttributeValues={":until": _number(now + lease_seconds), ":now": _number(now)},
    )


def record_failure(destination_key: str, now: float, threshold: int, first: float, cap: float, probe: bool) -> bool:
    """Counts one more consecutive transient failure. At the threshold the breaker opens for `first`
    seconds; each failed probe reopens it for twice as long as the last time, up to `cap`. A failure of a
    send that started before the breaker opened changes nothing more. True when this failure (re)opened it."""
    result = table().update_item(
        Key=table_keys.breaker(destination_key),
        UpdateExpression="SET #ttl = :ttl ADD failures :one",
        ExpressionAttributeNames={"#ttl": "ttl"},
        ExpressionAttributeValues={":one": 1, ":ttl": int(now) + TTL_SECONDS},
        ReturnValues="ALL_NEW",
    )
    item = result["Attributes"]
    if not probe and (int(item.get("failures", 0)) < threshold or item.get("openUntil") is not None):
        return False
    opens = int(item.get("opens", 0))
    cool_off = min(first * (2**opens), cap)
    table().update_item(
        Key=table_keys.breaker(destination_key),
        UpdateExpression="SET openUntil = :until, opens = :opens, #ttl = :ttl REMOVE probeUntil",
        ExpressionAttributeNames={"#ttl": "ttl"},
        ExpressionAttributeValues={
            ":until": _number(now + cool_off),
            ":opens": opens + 1,
            ":ttl": int(now + cool_off) + TTL_SECONDS,
        },
    )
    return True


def clear_probe(destination_key: str) -> None:
    """The probe ended without a verdict (the destination asked for a pause): the next sender probes."""
    written(
        table().update_item,
        Key=table_keys.breaker(destination_key),
        UpdateExpression="REMOVE probeUntil",
        ConditionExpression="attribute_exists(pk)",
    )


def record_success(destination_key: str) -> None:
    """Closes the breaker. A plain delete: cheap, and idempotent."""
    table().delete_item(Key=table_keys.breaker(destination_key))
