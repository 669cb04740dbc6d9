"""Event intake and read-back."""

from __future__ import annotations

from typing import Any

from herald import clock, ids
from herald.data import events as repo
from herald.data import keys
from herald.data.deliveries import DeliveryRecord
from herald.domain import escalations
from herald.errors import NotFound
from herald.models.events import Delivery, Destination, Event, EventIn, EventWithDeliveries, Targets
from herald.settings import get_settings


def submit_event(org_id: str, body: EventIn) -> Event:
    event = Event(
        id=ids.event_id(),
        createdAt=clock.iso(),
        **body.model_dump(exclude={"targets"}),
        targets=body.targets,
    )
    item: dict[str, Any] = {
        **keys.event(event.id),
        "type": "event",
        "orgId": org_id,
        **event.model_dump(exclude_none=True),
        "ttl": int(clock.epoch()) + get_settings().event_retention_days * 86400,
        # the org's events by time, for `herald events replay --since/--until`
        "gsi1pk": keys.org_events_gsi(org_id),
        "gsi1sk": keys.org_events_sort(event.createdAt, event.id),
    }
    repo.put(item)
    return event


def event_from_item(item: dict[str, Any]) -> Event:
    targets = item.get("targets")
    return Event(
        id=item["id"],
        monitorId=item.get("monitorId"),
        service=item.get("service"),
        status=item["status"],
        severity=item["severity"],
        title=item["title"],
        message=item.get("message"),
        url=item.get("url"),
        dedupKey=item.get("dedupKey"),
        labels={str(k): str(v) for k, v in (item.get("labels") or {}).items()},
        targets=Targets.model_validate(_plain_targets(targets)) if targets else None,
        createdAt=item["createdAt"],
    )


def _plain_targets(targets: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in targets.items()}


def get_event(org_id: str, event_id: str) -> EventWithDeliveries:
    """The event with its deliveries and escalations: one Query of its partition."""
    return view(org_id, repo.read_partition(event_id))


def acknowledge_event(org_id: str, event_id: str) -> EventWithDeliveries:
    """Stops every pending escalation step of the event; answers the event as it now is."""
    return view(org_id, escalations.acknowledge(org_id, event_id))


def view(org_id: str, partition: repo.EventPartition) -> EventWithDeliveries:
    item = partition.event
    if item is None or item.get("orgId") != org_id:
        raise NotFound("Event not found")
    deliveries = [DeliveryRecord.from_item(d) for d in partition.deliveries]
    return EventWithDeliveries(
        **event_from_item(item).model_dump(),
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
            )
            for d in sorted(deliveries, key=lambda d: (d.created_at, d.id))
        ],
        escalations=escalations.views(partition.escalations),
    )
