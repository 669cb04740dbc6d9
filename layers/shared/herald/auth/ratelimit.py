"""Per-key rate limiting: a token bucket per API key, kept per container.

API Gateway's stage throttling (template.yaml) is the global ceiling; this bucket stops one key from
using all of it. Buckets live in the container's memory, so a key served by N warm containers can reach
N times its rate: the price of not spending a DynamoDB write on every request.
"""

from __future__ import annotations

import math
import threading
import time

from herald.errors import RateLimited
from herald.settings import get_settings

_buckets: dict[str, tuple[float, float]] = {}
_lock = threading.Lock()


def take(key_id: str, now: float | None = None) -> None:
    """Spends one token of the key's bucket, or raises RateLimited with the seconds until the next one."""
    settings = get_settings()
    rate, burst = settings.rate_limit_per_second, float(settings.rate_limit_burst)
    now = time.monotonic() if now is None else now
    with _lock:
        tokens, last = _buckets.get(key_id, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens < 1.0:
            _buckets[key_id] = (tokens, now)
            wait = math.ceil((1.0 - tokens) / rate)
            raise RateLimited("Too many requests", retry_after=max(1, wait))
        _buckets[key_id] = (tokens - 1.0, now)


def reset() -> None:
    with _lock:
        _buckets.clear()
