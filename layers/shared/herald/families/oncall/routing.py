"""OnCall routing: a triggered event pages the users it names (their rule chains run step by step through
herald.families.oncall.escalations, not as immediate deliveries); a recovered event stops the escalations of the
events triggered before it with the same dedupKey."""

from __future__ import annotations

from herald.events import StoredEvent
from herald.families.oncall import escalations
from herald.routing.plan import PlannedDelivery


def route(event: StoredEvent, now: float) -> list[PlannedDelivery]:
    escalations.resolve(event)
    escalations.start(event)
    return []
