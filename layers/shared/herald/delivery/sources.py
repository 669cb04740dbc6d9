"""Where a delivery finds what it sends: the event (stored once) and its destination (in the event's plan).

Both never change once written, so a container reads each event and each plan chunk once: a batch of
deliveries of one event costs one GetItem for the event and one per plan chunk, not one per message.
Records written before plans carry both themselves.
"""

from __future__ import annotations

import functools
from typing import Any

from herald.data import events as events_repo
from herald.data import plans
from herald.data.deliveries import DeliveryRecord
from herald.events import StoredEvent
from herald.settings import get_settings


def planned_record(event_id: str, ref: str, delivery_id: str) -> DeliveryRecord | None:
    """The record a planned delivery creates when it claims its first attempt; None when the plan does
    not list it."""
    chunk = plans.cached(event_id, ref)
    entry = chunk.entry(delivery_id) if chunk else None
    if chunk is None or entry is None:
        return None
    return plans.record_of(chunk, entry)


def destination(record: DeliveryRecord) -> tuple[dict[str, str], dict[str, str]]:
    """The destination's settings and sealed secrets."""
    if record.plan is None:
        return record.config, record.sealed
    chunk = plans.cached(record.event_id, record.plan)
    entry = chunk.entry(record.id) if chunk else None
    if entry is None:
        raise LookupError(f"plan chunk {record.plan} of event {record.event_id} does not list {record.id}")
    return entry.config, entry.sealed


def snapshot(record: DeliveryRecord) -> dict[str, Any]:
    """The event as it is rendered."""
    if record.message is not None:
        return record.message
    return dict(_snapshot(get_settings().table_name, record.event_id))


@functools.lru_cache(maxsize=256)
def _snapshot(table_name: str, event_id: str) -> dict[str, Any]:
    item = events_repo.get(event_id)
    if item is None:
        raise LookupError(f"event {event_id} not found")
    shown: dict[str, Any] = StoredEvent.from_item(item).snapshot
    return shown


def clear_cache() -> None:
    _snapshot.cache_clear()
    plans.clear_cache()


def as_sent(item: dict[str, Any]) -> dict[str, Any]:
    """A delivery record's item with what it sends, for operators' printouts: its destination's settings and
    sealed secrets and the event's snapshot, read from the plan and the event when the record refers to them."""
    if not item.get("plan"):
        return item
    record = DeliveryRecord.from_item(item)
    config, sealed = destination(record)
    return {**item, "config": config, "sealed": sealed, "message": item.get("message") or snapshot(record)}
