"""What routing produces (planned deliveries); what it works on is the one event, `herald.events.StoredEvent`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


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
