"""Why a delivery must not be sent any more, asked when it is planned and again just before each send:

- an OnCall step whose event was acknowledged or resolved meanwhile (an SMS in backoff stays quiet);
- a trigger older than a recovery of the same dedupKey already queued to the same destination (sending it
  would reopen an incident the receiver has closed, e.g. in PagerDuty).
"""

from __future__ import annotations

from herald.data import events as events_repo
from herald.data import recoveries
from herald.data.deliveries import DeliveryRecord

ONCALL_FAMILY = "oncall"


def stale_trigger(record: DeliveryRecord) -> str | None:
    if record.event_status != "triggered" or recoveries.dedup_key(record) is None:
        return None
    recovery = recoveries.latest(record)
    if recovery is None or recovery["createdAt"] < record.created_at:
        return None
    return (
        f"stale trigger: the recovery of dedupKey {recoveries.dedup_key(record)!r} "
        f"(event {recovery['eventId']}, {recovery['createdAt']}) was already sent to this destination"
    )


def oncall_stopped(record: DeliveryRecord) -> str | None:
    if record.family != ONCALL_FAMILY:
        return None
    event = events_repo.get(record.event_id)
    if event is None or not event.get("stoppedAt"):
        return None
    if event.get("acknowledgedAt"):
        return f"the event was acknowledged at {event['acknowledgedAt']}"
    return f"the event was resolved at {event.get('resolvedAt') or event['stoppedAt']}"


def is_stopped(record: DeliveryRecord) -> str | None:
    """The reason this record must be skipped instead of sent, or None to send it."""
    return oncall_stopped(record) or stale_trigger(record)
