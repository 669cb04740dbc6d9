"""GET /v1/events: an org's events, newest first, each with its incident state and delivery counts."""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from herald import clock, incidents
from herald.data import events as repo
from herald.data import incidents as incidents_repo
from herald.data import table_keys
from herald.errors import ValidationFailed
from herald.events import StoredEvent
from herald.models.events import DeliveryCounts, EventListItem, EventPage

EARLIEST = "0000"
LATEST = "9999"


def list_events(
    org_id: str,
    *,
    limit: int = 50,
    cursor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    filters: repo.EventFilter | None = None,
) -> EventPage:
    start = decode_cursor(org_id, cursor) if cursor else None
    items, after = repo.page(
        org_id,
        clock.iso(as_utc(since)) if since else EARLIEST,
        clock.iso(as_utc(until)) if until else LATEST,
        filters or repo.EventFilter(),
        limit,
        start,
    )
    current = incidents_repo.get_many(org_id, {str(i["dedupKey"]) for i in items if i.get("incidentId")})
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda item: repo.delivery_statuses(str(item["id"])), items))
    listed = [
        EventListItem(
            **StoredEvent.from_item(item).to_event().model_dump(),
            incident=incidents.view(item, current.get(str(item.get("dedupKey")))),
            deliveries=DeliveryCounts(**Counter(s for s in found if s in DeliveryCounts.model_fields)),
        )
        for item, found in zip(items, statuses, strict=True)
    ]
    return EventPage(events=listed, cursor=encode_cursor(after) if after else None)


def encode_cursor(key: dict[str, Any]) -> str:
    raw = json.dumps({k: str(v) for k, v in key.items()}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(org_id: str, cursor: str) -> dict[str, str]:
    """The key a cursor stands for; anything not made by this org's listing is refused."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed("cursor: invalid cursor") from None
    names = {"pk", "sk", "gsi1pk", "gsi1sk"}
    if (
        not isinstance(key, dict)
        or set(key) != names
        or not all(isinstance(v, str) and v for v in key.values())
        or key["gsi1pk"] != table_keys.org_events_gsi(org_id)
    ):
        raise ValidationFailed("cursor: invalid cursor")
    return {k: str(v) for k, v in key.items()}


def as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
