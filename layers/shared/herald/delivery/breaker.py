"""Circuit breaker per destination.

- After `HERALD_BREAKER_THRESHOLD` (default 5) consecutive transient failures (timeouts, connection
  errors, 5xx, 408, 429 without Retry-After) the breaker opens: the destination's deliveries are held on
  their queues (not dropped, no attempt counted) and listed in data/held.py.
- It opens for `HERALD_BREAKER_PROBE_SECONDS` (default 5). Then one delivery takes the probe lease (a
  conditional write) and is sent. Each failed probe reopens it for twice as long as the last time, up to
  `HERALD_BREAKER_COOLOFF_SECONDS` (default 60).
- The probe is cleared on any outcome: a success, or a permanent failure (the destination answers),
  closes the breaker and makes every held delivery visible at once; an answer with its own Retry-After
  leaves the breaker half-open for the next sender after the pause.
- Answers that carry a Retry-After never count towards opening: that is pacing (pacing.py), not breakage.
  Permanent failures (4xx) say nothing about the destination's health and leave a closed breaker alone.

Every delivery reads the breaker item once, in the same Query as its pacing record (data/destinations.py);
closed breakers with no recent failures have no item at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.aws import client
from herald.data import breaker as repo
from herald.data import held
from herald.data.destinations import DestinationState
from herald.observability import logger
from herald.senders.base import Outcome
from herald.settings import get_settings

PROBE_LEASE_SECONDS = 60.0
HALF_OPEN_WAIT_SECONDS = 5


@dataclass(frozen=True)
class Gate:
    hold: int  # 0: send now
    tracked: bool  # the destination has a breaker item (recent failures) to clear on success
    probe: bool = False  # this send is the half-open probe


def check(destination_key: str, now: float, state: DestinationState | None = None) -> Gate:
    """state is the destination's state when the caller has just read it (else the item is read here)."""
    item = state.breaker if state is not None else repo.get(destination_key)
    if item is None:
        return Gate(0, False)
    if item.get("openUntil") is None:
        return Gate(0, True)
    open_until = float(item["openUntil"])
    if open_until > now:
        return Gate(max(1, int(open_until - now + 0.999)), True)
    if repo.claim_probe(destination_key, now, PROBE_LEASE_SECONDS):
        return Gate(0, True, probe=True)
    return Gate(HALF_OPEN_WAIT_SECONDS, True)


def after_send(destination_key: str, gate: Gate, outcome: Outcome, now: float) -> bool:
    """Feeds one send's outcome to the breaker; True when this outcome opened (or reopened) it."""
    if outcome.result == "delivered" or (outcome.result == "failed" and gate.probe):
        if gate.tracked:
            repo.record_success(destination_key)
            release_held(destination_key)
        return False
    if outcome.result == "failed":
        return False
    if outcome.retry_after is not None:
        if gate.probe:
            repo.clear_probe(destination_key)
        return False
    settings = get_settings()
    return repo.record_failure(
        destination_key,
        now,
        settings.breaker_threshold,
        settings.breaker_probe_seconds,
        settings.breaker_cooloff_seconds,
        probe=gate.probe,
    )


def release_held(destination_key: str) -> int:
    """The breaker closed: every delivery it held becomes visible on its queue now."""
    released = 0
    for message in held.take_all(destination_key):
        try:
            client("sqs").change_message_visibility(
                QueueUrl=message.queue_url, ReceiptHandle=message.receipt_handle, VisibilityTimeout=0
            )
            released += 1
        except Exception:  # received again meanwhile (a new receipt handle): it is on its way anyway
            logger.info("held delivery already moved on", extra={"delivery_id": message.delivery_id})
    return released
