"""Circuit breaker per destination.

After `HERALD_BREAKER_THRESHOLD` (default 5) consecutive transient failures (timeouts, connection
errors, 5xx, 408, 429) the destination's breaker opens: its deliveries are held on their queues (not
dropped, not counted as attempts) for `HERALD_BREAKER_COOLOFF_SECONDS` (default 60). Then one delivery
takes the probe lease (a conditional write) and is sent; its success closes the breaker, its failure
reopens it for another cool-off. Permanent failures (4xx) say nothing about the destination's health and
leave the breaker alone. Every delivery reads the breaker item once, in the same Query as its pacing
record (data/destinations.py); closed breakers have no item at all.
"""

from __future__ import annotations

from herald.data import breaker as repo
from herald.data.destinations import DestinationState
from herald.settings import get_settings

PROBE_LEASE_SECONDS = 60.0
HALF_OPEN_WAIT_SECONDS = 5


def check(destination_key: str, now: float, state: DestinationState | None = None) -> tuple[int, bool]:
    """(hold, tracked): hold is 0 to send now (closed, or this caller holds the probe), else how long to
    hold the message; tracked says the destination has a breaker item (recent failures) to clear. state is
    the destination's state when the caller has just read it (else the breaker item is read here)."""
    item = state.breaker if state is not None else repo.get(destination_key)
    if item is None:
        return 0, False
    if item.get("openUntil") is None:
        return 0, True
    open_until = float(item["openUntil"])
    if open_until > now:
        return max(1, int(open_until - now + 0.999)), True
    if repo.claim_probe(destination_key, now, PROBE_LEASE_SECONDS):
        return 0, True
    return HALF_OPEN_WAIT_SECONDS, True


def failed(destination_key: str, now: float) -> bool:
    settings = get_settings()
    return repo.record_failure(destination_key, now, settings.breaker_threshold, settings.breaker_cooloff_seconds)


def succeeded(destination_key: str, tracked: bool) -> None:
    """Closes the breaker; a destination without recent failures costs no write."""
    if tracked:
        repo.record_success(destination_key)
