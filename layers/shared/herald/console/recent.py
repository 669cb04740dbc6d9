"""The org's deliveries of the last 24 hours (at most MAX_EVENTS events), read once per console request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from herald import clock
from herald.data import events as events_repo

WINDOW = timedelta(hours=24)
MAX_EVENTS = 300


@dataclass(frozen=True)
class RecentDelivery:
    event_id: str
    family: str
    destination_id: str
    status: str
    created_at: str
    updated_at: str


def recent_deliveries(org_id: str) -> list[RecentDelivery]:
    now = clock.now()
    until, since = clock.iso(now), clock.iso(now - WINDOW)
    events = events_repo.between(org_id, since, until)[-MAX_EVENTS:]
    found: list[RecentDelivery] = []
    for event in events:
        _, records = events_repo.get_with_deliveries(str(event["id"]))
        found.extend(_delivery(str(event["id"]), record) for record in records)
    return found


def _delivery(event_id: str, record: dict[str, Any]) -> RecentDelivery:
    return RecentDelivery(
        event_id=event_id,
        family=str(record.get("family", "")),
        destination_id=str(record.get("destinationId", "")),
        status=str(record.get("status", "pending")),
        created_at=str(record.get("createdAt", "")),
        updated_at=str(record.get("updatedAt", "")),
    )
