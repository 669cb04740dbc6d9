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
from herald.data import limits, table_keys
from herald.data.table import ConditionFailed, query_all, table, written
from herald.data.unique import GuardFailed, put_unique

TIMER_TTL_SECONDS = 7 * 24 * 3600
# Where the first run (no checkpoint yet) starts reading: as far back as a timer can live.
FIRST_LOOKBACK_HOURS = TIMER_TTL_SECONDS // 3600
TIMERS_COUNTER = "TIMERS"
COUNTED = "countedOrg"  # on a timer that counts against its org's timers cap


def schedule(timer_id: str, kind: str, due: float, payload: dict[str, Any], org_id: str | None = None) -> None:
    """Writes the timer (again, for the same id). With `org_id` a new timer counts against the org's
    timers cap in the same transaction, and past it raises CapReached with nothing written."""
    item = {
        **table_keys.timer(timer_id),
        "type": "timer",
        "kind": kind,
        "due": _number(due),
        "payload": payload,
        "gsi1pk": table_keys.due_bucket(due),
        "gsi1sk": f"{due:017.3f}#{timer_id}",
        "ttl": int(due) + TIMER_TTL_SECONDS,
    }
    if org_id is None or not _counted_put(org_id, item):
        table().put_item(Item=item)
    if table_keys.due_hour(due) < table_keys.due_hour(clock.epoch()):
        lower_checkpoint(table_keys.due_hour(due))


def _counted_put(org_id: str, item: dict[str, Any]) -> bool:
    """Puts a new timer with the org's counter one up; False when the timer exists already (rewritten by
    the caller as it stands, its count kept)."""
    taken = limits.take_capped(org_id, TIMERS_COUNTER, "timers", "timers cap reached: at most {cap} per org")
    try:
        put_unique({**item, COUNTED: org_id}, [taken.guard])
    except GuardFailed as failed:
        if failed.guard == taken.name:
            raise taken.refused() from None
        item[COUNTED] = org_id  # the timer exists already (GuardFailed(RECORD))
        return False
    return True


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
    again for later keeps the new one). A counted timer gives its place back to its org (a crash between
    the two leaves the count one high; a timer that expires unrun, by TTL, is not given back either)."""
    condition: dict[str, Any] = {}
    if due is not None:
        condition = {
            "ConditionExpression": "#due = :due",
            "ExpressionAttributeNames": {"#due": "due"},
            "ExpressionAttributeValues": {":due": due if isinstance(due, Decimal) else _number(due)},
        }
    try:
        old = table().delete_item(Key=table_keys.timer(timer_id), ReturnValues="ALL_OLD", **condition).get("Attributes")
    except ConditionFailed:
        return
    if old and old.get(COUNTED):
        limits.give_back_now(str(old[COUNTED]), TIMERS_COUNTER)
