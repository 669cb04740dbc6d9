"""Timers: work due at a time (OnCall wait steps, Grafana reminders), indexed by the hour they fall due."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from herald.data import keys
from herald.data.table import is_conditional_failure, table


def schedule(timer_id: str, kind: str, due: float, payload: dict[str, Any]) -> None:
    table().put_item(
        Item={
            **keys.timer(timer_id),
            "type": "timer",
            "kind": kind,
            "due": Decimal(str(round(due, 3))),
            "payload": payload,
            "gsi1pk": keys.due_bucket(due),
            "gsi1sk": f"{due:017.3f}#{timer_id}",
        }
    )


def due(now: float, lookback_hours: int = 2) -> list[dict[str, Any]]:
    """Timers due by `now` in this hour's bucket and the few before it (one Query per bucket)."""
    found: list[dict[str, Any]] = []
    for hours_back in range(lookback_hours, -1, -1):
        bucket = keys.due_bucket(now - hours_back * 3600)
        response = table().query(
            IndexName="gsi1",
            KeyConditionExpression=Key("gsi1pk").eq(bucket) & Key("gsi1sk").lte(f"{now:017.3f}#~"),
        )
        found.extend(response.get("Items", []))
    return found


def claim(timer_id: str, now: float, lease_seconds: float = 300) -> bool:
    """Leases the timer; True only for the one caller that got it. A job that fails keeps the timer,
    which runs again once the lease ends."""
    try:
        table().update_item(
            Key=keys.timer(timer_id),
            UpdateExpression="SET claimedUntil = :until",
            ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)",
            ExpressionAttributeValues={
                ":until": Decimal(str(round(now + lease_seconds, 3))),
                ":now": Decimal(str(round(now, 3))),
            },
        )
        return True
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise


def done(timer_id: str) -> None:
    table().delete_item(Key=keys.timer(timer_id))
