"""What routing works on (a stored event) and what it produces (planned deliveries)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class StoredEvent:
    id: str
    org_id: str
    status: str
    monitor_id: str | None
    service: str | None
    snapshot: dict[str, Any]
    expires_at: int | None
    # The event's explicit destinations (endpointIDs, notificationUids, userIds, important), as stored.
    targets: dict[str, Any] = field(default_factory=dict)

    def created_epoch(self, default: float) -> float:
        """The event's own time (its createdAt), else `default`."""
        try:
            return datetime.fromisoformat(str(self.snapshot["createdAt"])).timestamp()
        except (KeyError, ValueError):
            return default

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredEvent:
        snapshot = {
            k: item[k]
            for k in (
                "id",
                "monitorId",
                "service",
                "status",
                "severity",
                "title",
                "message",
                "url",
                "dedupKey",
                "labels",
                "createdAt",
            )
            if item.get(k) is not None
        }
        return cls(
            id=str(item["id"]),
            org_id=str(item["orgId"]),
            status=str(item["status"]),
            monitor_id=item.get("monitorId"),
            service=item.get("service"),
            snapshot=snapshot,
            expires_at=int(item["ttl"]) if item.get("ttl") is not None else None,
            targets=dict(item.get("targets") or {}),
        )


@dataclass(frozen=True)
class PlannedDelivery:
    kind: str
    family: str
    destination_id: str
    destination_name: str
    config: dict[str, str] = field(default_factory=dict)
    sealed: dict[str, str] = field(default_factory=dict)
    alert_id: str | None = None
    # Set when the destination is deliberately not sent to (an inactive InfluxDB endpoint): the record is
    # written with status "skipped" and this reason as lastError, and nothing is queued.
    skip_reason: str | None = None

    @property
    def destination_key(self) -> str:
        return f"{self.family}:{self.destination_id}"


def capped(planned: list[PlannedDelivery], cap: int) -> list[PlannedDelivery]:
    """The first `cap` deliveries to send go as planned; those past the org's deliveries-per-event cap are
    recorded skipped with the reason, and nothing is queued for them. Deliveries already skipped (with
    their own reason) do not count."""
    reason = f"deliveries-per-event cap reached ({cap})"
    kept: list[PlannedDelivery] = []
    sending = 0
    for delivery in planned:
        if delivery.skip_reason is None:
            sending += 1
            if sending > cap:
                delivery = replace(delivery, skip_reason=reason)
        kept.append(delivery)
    return kept
