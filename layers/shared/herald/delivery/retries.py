"""The retry policy, read once from the settings, and the backoff it implies.

- HERALD_MAX_ATTEMPTS (default 5): sends per queued message. When they are spent and the horizon is not
  reached, the delivery is not dead-lettered but scheduled again (a timer), and a fresh message carries on.
- HERALD_RETRY_BASE_SECONDS (30) and HERALD_RETRY_CAP_SECONDS (900): the n-th retry waits between half
  and all of base x 2^(n-1), capped; a provider's Retry-After is honoured instead.
- HERALD_RETRY_HORIZON_SECONDS (86400): no retry starts later than this after the first attempt; a
  delivery still failing then ends `failed` with its last error.
- HERALD_MAX_RECEIVES (100): the queue's maxReceiveCount. Holds and crashes use receives, not attempts; a
  message close to the limit is replaced by a fresh one instead of being left to SQS's dead-letter move.
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.settings import Settings, get_settings

MAX_VISIBILITY_SECONDS = 43200  # SQS's limit for ChangeMessageVisibility
MAX_DELAY_SECONDS = 900  # SQS's limit for DelaySeconds


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_seconds: float = 30.0
    cap_seconds: float = 900.0
    horizon_seconds: float = 86400.0
    max_receives: int = 100

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> RetryPolicy:
        s = settings or get_settings()
        return cls(s.max_attempts, s.retry_base_seconds, s.retry_cap_seconds, s.retry_horizon_seconds, s.max_receives)

    def backoff(self, attempt: int, retry_after: float | None, jitter: float) -> int:
        """Seconds before the next attempt; jitter in [0, 1] picks within the "equal jitter" window (never
        zero, never a storm of synchronised retries)."""
        if retry_after is not None:
            delay = retry_after
        else:
            full = self.base_seconds * (2 ** max(0, attempt - 1))
            delay = full / 2 + (full / 2) * min(max(jitter, 0.0), 1.0)
        return int(min(max(delay, 0.0), self.cap_seconds, MAX_VISIBILITY_SECONDS) + 0.999)

    def attempts_spent_in_message(self, attempts: int) -> bool:
        """Each queued message carries at most max_attempts sends (attempts count every send so far)."""
        return attempts > 0 and attempts % self.max_attempts == 0

    def receives_nearly_spent(self, receives: int) -> bool:
        return receives >= self.max_receives - 1
