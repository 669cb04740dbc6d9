"""Every destination of the org with its health: breaker state, last delivery, failure rate over 24 h."""

from __future__ import annotations

from typing import Any

from herald import clock, secrets
from herald.console.recent import RecentDelivery
from herald.data import destinations as destination_state
from herald.domain import destination_refs, pacing
from herald.domain.destination_names import record_match
from herald.observability import logger


def breaker_state(org_id: str, destination: destination_refs.Destination) -> str:
    """`closed`, `open` or `recovering` (failures seen, not open); `unknown` for an OnCall user, whose
    contacts each have their own breaker."""
    if destination.family == "oncall":
        return "unknown"
    try:
        unsealed = secrets.unseal(org_id, destination.sealed) if destination.sealed else {}
        key = pacing.destination_key(org_id, destination.kind, destination.config, unsealed)
        item = destination_state.read(key).breaker
    except Exception:
        logger.warning("breaker state unavailable", extra={"ref": destination.ref})
        return "unknown"
    if item is None:
        return "closed"
    open_until = item.get("openUntil")
    if open_until is not None and float(open_until) > clock.epoch():
        return "open"
    return "recovering"


def destinations_with_health(org_id: str, deliveries: list[RecentDelivery]) -> list[dict[str, Any]]:
    by_destination: dict[str, list[RecentDelivery]] = {}
    for delivery in deliveries:
        by_destination.setdefault(record_match(delivery.family, delivery.destination_id), []).append(delivery)
    listed = []
    for destination in destination_refs.list_all(org_id):
        own = by_destination.get(destination.match, [])
        finished = [d for d in own if d.status in ("delivered", "failed")]
        failed = sum(1 for d in finished if d.status == "failed")
        last = max(own, key=lambda d: d.updated_at, default=None)
        listed.append(
            {
                "ref": destination.ref,
                "family": destination.family,
                "kind": destination.kind,
                "name": destination.name,
                "breaker": breaker_state(org_id, destination),
                "lastDelivery": {"status": last.status, "at": last.updated_at, "eventId": last.event_id}
                if last
                else None,
                "deliveries24h": len(own),
                "failureRate24h": round(failed / len(finished), 3) if finished else None,
            }
        )
    return listed
