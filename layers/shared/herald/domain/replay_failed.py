"""`POST /v1/events/{id}/replay`: the console's "replay failed deliveries" button."""

from __future__ import annotations

from herald.delivery import replay
from herald.domain import events
from herald.errors import NotFound
from herald.models.events import EventWithDeliveries


def replay_failed(org_id: str, event_id: str) -> EventWithDeliveries:
    items = replay.events_by_id([event_id], org_id)
    if not items:
        raise NotFound("Event not found")
    replay.replay_events(items, resend_failed=True)
    return events.get_event(org_id, event_id)
