"""Cooldown windows per (alert, monitor), claimed with one conditional write so racing events cannot
both pass."""

from __future__ import annotations

from decimal import Decimal

from botocore.exceptions import ClientError

from herald.data import keys
from herald.data.table import is_conditional_failure, table


def try_claim(alert_id: str, scope: str, event_id: str, now: float, minutes: int) -> bool:
    """True when this event may notify: no open window, or the window was opened by this same event
    (a replayed stream record must reach the same decision)."""
    until = now + minutes * 60
    try:
        table().put_item(
            Item={
                **keys.cooldown(alert_id, scope),
                "type": "cooldown",
                "eventId": event_id,
                "until": Decimal(str(round(until, 3))),
                "ttl": int(until) + 3600,
            },
            ConditionExpression="attribute_not_exists(pk) OR #until <= :now OR eventId = :event",
            ExpressionAttributeNames={"#until": "until"},
            ExpressionAttributeValues={":now": Decimal(str(round(now, 3))), ":event": event_id},
        )
        return True
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise
