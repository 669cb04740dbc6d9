"""A thread-safe memo with single flight: among threads asking for the same missing key at once, one
loads it and the others wait for its value. Used for decrypted secrets (per container, 5 minutes) and
for destinations' state (per delivery batch)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable


class Memo[V]:
    def __init__(self, ttl_seconds: float | None = None, max_entries: int = 4096) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._values: dict[Hashable, tuple[float, V]] = {}
        self._loading: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def _fresh(self, key: Hashable) -> tuple[bool, V | None]:
        hit = self._values.get(key)
        if hit is None or hit[0] <= time.monotonic():
            return False, None
        return True, hit[1]

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        with self._lock:
            found, value = self._fresh(key)
            if found:
                return value  # type: ignore[return-value]
            flight = self._loading.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                found, value = self._fresh(key)
            if found:
                return value  # type: ignore[return-value]
            try:
                loaded = load()
                expires = time.monotonic() + self.ttl_seconds if self.ttl_seconds is not None else float("inf")
                with self._lock:
                    if len(self._values) >= self.max_entries:
                        self._values.clear()
                    self._values[key] = (expires, loaded)
                return loaded
            finally:
                with self._lock:
                    self._loading.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    @property
    def loading(self) -> int:
        """Keys being loaded right now (0 when idle)."""
        with self._lock:
            return len(self._loading)
