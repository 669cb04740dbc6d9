"""Cooldown windows per (alert, monitor), claimed with one conditional write so racing events cannot
both pass."""

from __future__ import annotations

from decimal import Decimal

from herald.data import table_keys
from herald.data.table import ConditionFailed, table


def try_claim(alert_id: str, scope: str, event_id: str, now: float, minutes: int) -> bool:
    """True when this event may notify: no window open at `now` (the event's time), or the window was
    opened by this same event (a replayed stream record must reach the same decision). A window only ever
    moves forward: an event older than the open window's end neither passes nor moves it."""
    until = now + minutes * 60
    try:
        table().put_item(
            Item={
                **table_keys.cooldown(alert_id, scope),
                "type": "cooldown",
                "eventId": event_id,
                "until": Decimal(str(round(until, 3))),
                "ttl": int(until) + 3600,
            },
            ConditionExpression="attribute_not_exists(pk) OR #until <= :now",
            ExpressionAttributeNames={"#until": "until"},
            ExpressionAttributeValues={":now": Decimal(str(round(now, 3)))},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return True
    except ConditionFailed as failed:
        # An open window: this event passes only if it opened it (a replay), and the window is kept as
        # it was, not stretched from the replay's time.
        return bool((failed.item or {}).get("eventId") == event_id)
