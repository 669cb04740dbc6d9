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
from botocore.exceptions import ClientError

from herald import clock
from herald.data import keys, limits
from herald.data.table import cancellation_reasons, client, is_conditional_failure, query_all, table

TIMER_TTL_SECONDS = 7 * 24 * 3600
# Where the first run (no checkpoint yet) starts reading: as far back as a timer can live.
FIRST_LOOKBACK_HOURS = TIMER_TTL_SECONDS // 3600
TIMERS_COUNTER = "TIMERS"
COUNTED = "countedOrg"  # on a timer that counts against its org's timers cap


def schedule(timer_id: str, kind: str, due: float, payload: dict[str, Any], org_id: str | None = None) -> None:
    """Writes the timer (again, for the same id). With `org_id` a new timer counts against the org's
    timers cap in the same transaction, and past it raises CapReached with nothing written."""
    item = {
        **keys.timer(timer_id),
        "type": "timer",
        "kind": kind,
        "due": _number(due),
        "payload": payload,
        "gsi1pk": keys.due_bucket(due),
        "gsi1sk": f"{due:017.3f}#{timer_id}",
        "ttl": int(due) + TIMER_TTL_SECONDS,
    }
    if org_id is None or not _counted_put(org_id, item):
        table().put_item(Item=item)
    if keys.due_hour(due) < keys.due_hour(clock.epoch()):
        lower_checkpoint(keys.due_hour(due))


def _counted_put(org_id: str, item: dict[str, Any]) -> bool:
    """Puts a new timer with the org's counter one up; False when the timer exists already (rewritten by
    the caller as it stands, its count kept)."""
    cap = limits.limit(org_id, "timers")
    taken = limits.Taken(limits.take(org_id, TIMERS_COUNTER, cap), f"timers cap reached: at most {cap} per org")
    put = {
        "TableName": table().name,
        "Item": {**item, COUNTED: org_id},
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    try:
        client().transact_write_items(TransactItems=[taken.item, {"Put": put}])
    except ClientError as error:
        reasons = cancellation_reasons(error)
        taken.check(reasons, 0)
        if reasons[1:2] == ["ConditionalCheckFailed"]:
            item[COUNTED] = org_id
            return False
        raise
    return True


def _number(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


def checkpoint(now: float) -> int:
    item = table().get_item(Key=keys.timers_checkpoint(), ConsistentRead=True).get("Item")
    return int(item["hour"]) if item else keys.due_hour(now) - FIRST_LOOKBACK_HOURS


def move_checkpoint(hour: int) -> None:
    table().put_item(Item={**keys.timers_checkpoint(), "type": "timers_checkpoint", "hour": hour})


def lower_checkpoint(hour: int) -> None:
    """A timer scheduled into an hour the scheduler has already passed: read from there again."""
    try:
        table().update_item(
            Key=keys.timers_checkpoint(),
            UpdateExpression="SET #hour = :hour",
            ConditionExpression="attribute_exists(#hour) AND #hour > :hour",
            ExpressionAttributeNames={"#hour": "hour"},
            ExpressionAttributeValues={":hour": hour},
        )
    except ClientError as error:
        if not is_conditional_failure(error):
            raise


def due(now: float, since_hour: int | None = None, limit: int = 5000) -> list[dict[str, Any]]:
    """Timers due by `now`, oldest hour first, from `since_hour` (default: the checkpoint) to now's hour,
    every page of each. Reading stops after the hour in which `limit` was reached."""
    start = checkpoint(now) if since_hour is None else since_hour
    found: list[dict[str, Any]] = []
    for hour in range(start, keys.due_hour(now) + 1):
        found.extend(
            query_all(
                IndexName="gsi1",
                KeyConditionExpression=Key("gsi1pk").eq(keys.hour_bucket(hour)) & Key("gsi1sk").lte(f"{now:017.3f}#~"),
            )
        )
        if len(found) >= limit:
            break
    return found


def hour_of(item: dict[str, Any]) -> int:
    return keys.due_hour(float(item["due"]))


def claim(timer_id: str, now: float, lease_seconds: float = 300) -> bool:
    """Leases the timer; True only for the one caller that got it. A job that fails keeps the timer,
    which runs again once the lease ends."""
    try:
        table().update_item(
            Key=keys.timer(timer_id),
            UpdateExpression="SET claimedUntil = :until",
            ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)",
            ExpressionAttributeValues={":until": _number(now + lease_seconds), ":now": _number(now)},
        )
        return True
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise


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
        old = table().delete_item(Key=keys.timer(timer_id), ReturnValues="ALL_OLD", **condition).get("Attributes")
    except ClientError as error:
        if not is_conditional_failure(error):
            raise
        return
    if old and old.get(COUNTED):
        limits.give_back_now(str(old[COUNTED]), TIMERS_COUNTER)
