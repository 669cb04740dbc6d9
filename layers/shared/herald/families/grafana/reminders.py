"""Grafana reminders: while an incident (org, dedupKey) stays triggered, every channel with `sendReminder`
gets the event again every `frequency`; a recovery (or a newer triggered event, which starts its own
reminders) ends the chain. Each round is its own delivery record, queued like any other send."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from herald import clock
from herald.delivery.enqueue import enqueue
from herald.domain import scheduler
from herald.errors import NotFound
from herald.events import StoredEvent
from herald.families.grafana import incidents
from herald.families.grafana import routing as grafana
from herald.families.grafana import store as channels_repo
from herald.observability import logger

# The job's clock; tests replace it to drive reminders through time.
CLOCK: Callable[[], float] = clock.epoch


@scheduler.register(grafana.REMINDER_KIND)
def reminder_job(payload: dict[str, Any]) -> None:
    outcome = run_reminder(payload, CLOCK())
    logger.info("grafana reminder", extra={"outcome": outcome, "event_id": payload.get("eventId")})


def run_reminder(payload: dict[str, Any], now: float) -> str:
    """Returns what happened: sent, closed, superseded, channel-gone, reminders-off, event-gone."""
    org_id = str(payload["orgId"])
    dedup_key = str(payload["dedupKey"])
    event_id = str(payload["eventId"])
    channel_id = int(payload["channelId"])
    round_number = int(payload.get("round", 1))

    incident = incidents.get(org_id, dedup_key)
    if incident is None or not incident.get("isOpen"):
        return "closed"
    if incident.get("eventId") != event_id:
        return "superseded"
    try:
        channel = channels_repo.get(org_id, channel_id, "channel gone")
    except NotFound:
        return "channel-gone"
    if not channel.send_reminder or channel.frequency_seconds <= 0:
        return "reminders-off"
    item = incidents.event_item(event_id)
    if item is None or item.get("orgId") != org_id:
        return "event-gone"
    event = StoredEvent.from_item(item)

    enqueue(event, [grafana.planned(channel, round_number)])  # raises when not queued: the timer runs again
    grafana.schedule_reminder(org_id, dedup_key, event_id, channel, round_number + 1, now)
    return "sent"
