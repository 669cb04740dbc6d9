"""Timers: work due at a time (OnCall wait steps, Grafana reminders, scheduled replays), indexed by the
hour they fall due in.

The scheduler reads from a checkpoint, the oldest hour that may still hold a timer not yet run, forward
to now, page by page: a timer is found however late the scheduler is (an outage, a bad deploy). A run
timer is deleted; one that keeps failing expires with its TTL a week after it fell due.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key

from herald import clock
from herald.data import table_keys
from herald.data.table import query_all, table, written

TIMER_TTL_SECONDS = 7 * 24 * 3600
# Where the first run (no checkpoint yet) starts reading: as far back as a timer can live.
FIRST_LOOKBACK_HOURS = TIMER_TTL_SECONDS // 3600


def schedule(timer_id: str, kind: str, due: float, payload: dict[str, Any]) -> None:
    table().put_item(
        Item={
            **table_keys.timer(timer_id),
            "type": "timer",
            "kind": kind,
            "due": _number(due),
            "payload": payload,
            "gsi1pk": table_keys.due_bucket(due),
            "gsi1sk": f"{due:017.3f}#{timer_id}",
            "ttl": int(due) + TIMER_TTL_SECONDS,
        }
    )
    if table_keys.due_hour(due) < table_keys.due_hour(clock.epoch()):
        lower_checkpoint(table_keys.due_hour(due))


def _number(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


def checkpoint(now: float) -> int:
    item = table().get_item(Key=table_keys.timers_checkpoint(), ConsistentRead=True).get("Item")
    return int(item["hour"]) if item else table_keys.due_hour(now) - FIRST_LOOKBACK_HOURS


def move_checkpoint(hour: int) -> None:
    table().put_item(Item={**table_keys.timers_checkpoint(), "type": "timers_checkpoint", "hour": hour})


def lower_checkpoint(hour: int) -> None:
    """A timer scheduled into an hour the scheduler has already passed: read from there again."""
    written(
        table().update_item,
        Key=table_keys.timers_checkpoint(),
        UpdateExpression="SET #hour = :hour",
        ConditionExpression="attribute_exists(#hour) AND #hour > :hour",
        ExpressionAttributeNames={"#hour": "hour"},
        ExpressionAttributeValues={":hour": hour},
    )


def due(now: float, since_hour: int | None = None, limit: int = 5000) -> list[dict[str, Any]]:
    """Timers due by `now`, oldest hour first, from `since_hour` (default: the checkpoint) to now's hour,
    every page of each. Reading stops after the hour in which `limit` was reached."""
    start = checkpoint(now) if since_hour is None else since_hour
    found: list[dict[str, Any]] = []
    for hour in range(start, table_keys.due_hour(now) + 1):
        found.extend(
            query_all(
                IndexName="gsi1",
                KeyConditionExpression=Key("gsi1pk").eq(table_keys.hour_bucket(hour))
                & Key("gsi1sk").lte(f"{now:017.3f}#~"),
            )
        )
        if len(found) >= limit:
            break
    return found


def hour_of(item: dict[str, Any]) -> int:
    return table_keys.due_hour(float(item["due"]))


def claim(timer_id: str, now: float, lease_seconds: float = 300) -> bool:
    """Leases the timer; True only for the one caller that got it. A job that fails keeps the timer,
    which runs again once the lease ends."""
    return written(
        table().update_item,
        Key=table_keys.timer(timer_id),
        UpdateExpression="SET claimedUntil = :until",
        ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)",
        ExpressionAttributeValues={":until": _number(now + lease_seconds), ":now": _number(now)},
    )


def done(timer_id: str, due: Decimal | float | None = None) -> None:
    """Deletes the timer; with `due`, only if it still falls due then (a job that scheduled the same timer
    again for later keeps the new one)."""
    if due is None:
        table().delete_item(Key=table_keys.timer(timer_id))
        return
    written(
        table().delete_item,
        Key=table_keys.timer(timer_id),
        ConditionExpression="#due = :due",
        ExpressionAttributeNames={"#due": "due"},
        ExpressionAttributeValues={":due": due if isinstance(due, Decimal) else _number(due)},
    )
