"""Wake-ups from the emulator to the pollers: a write to the table wakes the stream poller, a message sent
to a queue wakes that queue's poller, so they react at once instead of on their next idle tick.

A poller clears its event before it polls and waits on it after an empty poll: a notice that arrives
while it polls keeps the event set, and the next wait returns at once.
"""

from __future__ import annotations

import threading


class Wakeups:
    def __init__(self) -> None:
        self._events: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def event(self, key: str) -> threading.Event:
        with self._lock:
            return self._events.setdefault(key, threading.Event())

    def notify(self, key: str) -> None:
        with self._lock:
            event = self._events.get(key)
        if event is not None:
            event.set()


def queue_key(queue_url_or_arn: str) -> str:
    """The same key for a queue's URL (…/123456789012/name) and its ARN (…:123456789012:name)."""
    return "sqs:" + queue_url_or_arn.rstrip("/").replace(":", "/").rsplit("/", 1)[-1]
