"""What follows a send: a pure decision from the outcome, the attempts, the receives and the time spent.

No AWS, no clock: the delivery step (step.py) gathers the facts and carries out the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from herald.delivery.retries import RetryPolicy
from herald.senders.base import Outcome

Action = Literal["delivered", "failed", "retry", "reschedule", "give_up"]


@dataclass(frozen=True)
class Step:
    """delivered / failed (permanent, reason) / retry (same message, visible again in `delay` s) /
    reschedule (a timer re-queues it in `delay` s; the message is done) / give_up (the retry horizon has
    passed: failed with the last error, and the message goes to the dead-letter queue)."""

    action: Action
    delay: int = 0
    reason: str = ""


def next_step(
    outcome: Outcome, attempts: int, receives: int, elapsed: float, policy: RetryPolicy, jitter: float
) -> Step:
    """attempts: sends so far, this one included; receives: this message's receive count; elapsed: seconds
    since the delivery's first attempt."""
    if outcome.result == "delivered":
        return Step("delivered", reason=outcome.detail)
    if outcome.result == "failed":
        return Step("failed", reason=outcome.detail)
    remaining = policy.horizon_seconds - elapsed
    if remaining <= 0:
        return Step("give_up", reason=f"gave up after {attempts} attempts over {_span(elapsed)}: {outcome.detail}")
    # the last attempt lands on the horizon rather than past it
    delay = max(1, min(policy.backoff(attempts, outcome.retry_after, jitter), int(remaining + 0.999)))
    if policy.attempts_spent_in_message(attempts) or policy.receives_nearly_spent(receives):
        return Step("reschedule", delay, outcome.detail)
    return Step("retry", delay, outcome.detail)


def hold_step(seconds: float, receives: int, policy: RetryPolicy) -> Step:
    """A hold (pacing, open breaker, leased elsewhere) spends no attempt. Near the receive limit it moves
    to a fresh message instead, so holds can never push a delivery into the dead-letter queue."""
    delay = max(1, int(seconds + 0.999))
    if policy.receives_nearly_spent(receives):
        return Step("reschedule", delay, "held")
    return Step("retry", delay, "held")


def _span(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"
