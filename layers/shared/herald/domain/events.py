"""Event intake and read-back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from herald import clock, ids, incidents
from herald.data import events as repo
from herald.data import table_keys
from herald.data.deliveries import DeliveryRecord
from herald.errors import NotFound
from herald.events import StoredEvent
from herald.families.oncall import escalations
from herald.models.events import (
    Delivery,
    Destination,
    Event,
    EventIn,
    EventSource,
    EventWithDeliveries,
    Link,
)
from herald.settings import get_settings


@dataclass(frozen=True)
class Accepted:
    """What an intake answers: the event stored, or (`deduplicated`) the one the incident rule joined it to."""

    event: Event
    deduplicated: bool


def submit_event(org_id: str, body: EventIn) -> Event:
    return accept(org_id, body).event


def accept(
    org_id: str, body: EventIn, source: EventSource = "api", links: list[Link] | None = None, event_id: str = ""
) -> Accepted:
    """Stores an event from any intake, under the incident rule (herald/incidents.py)."""
    event = Event(
        id=event_id or ids.event_id(),
        createdAt=clock.iso(),
        **body.model_dump(exclude={"targets"}),
        targets=body.targets,
        source=source,
        links=links or [],
    )
    item: dict[str, Any] = {
        **table_keys.event(event.id),
        "type": "event",
        "orgId": org_id,
        **event.model_dump(exclude_none=True),
        "ttl": int(clock.epoch()) + get_settings().event_retention_days * 86400,
        # the org's events by time: `herald events replay --since/--until` and GET /v1/events
        "gsi1pk": table_keys.org_events_gsi(org_id),
        "gsi1sk": table_keys.org_events_sort(event.createdAt, event.id),
    }
    if not item["links"]:
        del item["links"]
    admitted = incidents.admit(item)
    if admitted.created:
        return Accepted(event, deduplicated=False)
    existing = repo.get(admitted.event_id)
    return Accepted(
        StoredEvent.from_item(existing).to_event() if existing else event.model_copy(update={"id": admitted.event_id}),
        True,
    )


def get_event(org_id: str, event_id: str) -> EventWithDeliveries:
    """The event with its deliveries and escalations: one Query of its partition."""
    return view(org_id, repo.read_partition(event_id))


def acknowledge_event(org_id: str, event_id: str) -> EventWithDeliveries:
    """Stops every pending escalation step of the event, and marks its incident acknowledged; answers the
    event as it now is."""
    partition = escalations.acknowledge(org_id, event_id)
    if partition.event is not None and partition.event.get("orgId") == org_id:
        incidents.acknowledged(partition.event)
    return view(org_id, partition)


def _next_retry(record: DeliveryRecord) -> str | None:
    if record.status != "pending" or record.quiet_until is None or record.quiet_until <= clock.epoch():
        return None
    return clock.iso(datetime.fromtimestamp(record.quiet_until, UTC))


def view(org_id: str, partition: repo.EventPartition) -> EventWithDeliveries:
    item = partition.event
    if item is None or item.get("orgId") != org_id:
        raise NotFound("Event not found")
    deliveries = [DeliveryRecord.from_item(d) for d in partition.deliveries]
    return EventWithDeliveries(
        **StoredEvent.from_item(item).to_event().model_dump(),
        deliveries=[
            Delivery(
                id=d.id,
                destination=Destination(family=d.family, kind=d.kind, id=d.destination_id, name=d.destination_name),
                status=d.status,  # type: ignore[arg-type]
                attempts=d.attempts,
                lastError=d.last_error,
                createdAt=d.created_at,
                updatedAt=d.updated_at,
                deliveredAt=d.delivered_at,
                nextRetryAt=_next_retry(d),
            )
            for d in sorted(deliveries, key=lambda d: (d.created_at, d.id))
        ],
        escalations=escalations.views(partition.escalations),
    )


def find_event(org_id: str, event_id: str) -> Event | None:
    item = repo.get(event_id)
    return StoredEvent.from_item(item).to_event() if item and item.get("orgId") == org_id else None
