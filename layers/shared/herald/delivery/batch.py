"""The delivery function's batch loop: one SQS batch's messages sent at once, shared fairly between orgs.

- Each message runs the delivery step (step.py) on one of `HERALD_DELIVERY_CONCURRENCY` threads
  (default 10, the delivery queues' batch size): with the default, no message of a batch waits
  for another's send. The threads run in a copy of the batch's context, so the batch's one read per
  destination (data/destinations.py) is shared.
- Fewer threads than messages are shared max-min fairly: the next free thread goes to the org with the
  fewest sends in flight, so one org's backlog of slow sends cannot take the threads another org's
  messages are waiting for. An org uses more than an equal split only while no other org is waiting.
- A message that had to wait for a thread and still waits when the invocation has less than a send
  deadline (plus the time to record it) left is not started: it is reported failed and comes back after
  its visibility timeout, rather than be cut off by the function's timeout mid-send.
- Every message that must come back (a retry, a hold, an unreadable body, a step that raised) is reported
  as a batch item failure (SQS partial batch response); the others are deleted by the poller.

Across containers, each message carries its org as the SQS MessageGroupId (enqueue.py): the delivery
queues are standard queues, which SQS then runs as fair queues (docs/decisions.md).
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from herald.delivery.step import QueuedMessage, RetryLater
from herald.observability import logger
from herald.settings import get_settings

# Time an invocation keeps, past a send's deadline, to record the send's outcome.
RECORD_MARGIN_SECONDS = 5.0


class RemainingTime(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


@dataclass(frozen=True)
class Item:
    """One SQS record of the batch: its message id (what a failure reports), its org, its message."""

    message_id: str
    org_id: str
    message: QueuedMessage | None  # None: the body could not be read


def org_of(body: str) -> str:
    """The org a queued message belongs to (enqueue.py writes it); "" for an older or unreadable body."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    return str(data.get("orgId") or "") if isinstance(data, dict) else ""


def read_record(record: dict[str, Any], queue_url: str | None) -> Item:
    body = str(record.get("body") or "")
    try:
        count = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
        message: QueuedMessage | None = QueuedMessage.parse(body, count, str(record["receiptHandle"]), queue_url)
    except (ValueError, KeyError, TypeError):
        logger.warning("unreadable delivery message", extra={"message_id": record.get("messageId")})
        message = None
    return Item(str(record.get("messageId") or ""), org_of(body), message)


class FairTurns:
    """Which waiting item runs next: the oldest item of the org with the fewest items running (orgs in
    the order they first appear break ties). Not thread-safe on its own: BatchRun holds its lock."""

    def __init__(self, items: Iterable[Item]) -> None:
        self.waiting: dict[str, deque[Item]] = {}
        for item in items:
            self.waiting.setdefault(item.org_id, deque()).append(item)
        self.running: Counter[str] = Counter()

    def take(self) -> Item | None:
        orgs = [org for org, queue in self.waiting.items() if queue]
        if not orgs:
            return None
        org = min(orgs, key=lambda o: self.running[o])
        self.running[org] += 1
        return self.waiting[org].popleft()

    def finished(self, item: Item) -> None:
        self.running[item.org_id] -= 1

    def drain(self) -> list[Item]:
        left = [item for queue in self.waiting.values() for item in queue]
        for queue in self.waiting.values():
            queue.clear()
        return left


class BatchRun:
    """One batch: `workers` threads each take the next fair turn until none is left."""

    def __init__(
        self,
        items: list[Item],
        step: Callable[[QueuedMessage], str],
        workers: int,
        context: RemainingTime | None,
        must_leave_seconds: float,
    ) -> None:
        self.turns = FairTurns(items)
        self.step = step
        self.workers = max(1, min(workers, len(items)))
        self.context = context
        self.must_leave_seconds = must_leave_seconds
        self.failed: list[str] = []
        self.handed = 0
        self.lock = threading.Lock()

    def _too_late(self) -> bool:
        if self.handed < self.workers or self.context is None:
            return False  # the first wave starts at once, whatever the settings
        return self.context.get_remaining_time_in_millis() / 1000 < self.must_leave_seconds

    def _next(self) -> Item | None:
        with self.lock:
            if self._too_late():
                late = self.turns.drain()
                if late:
                    logger.warning("too little time left to send; messages come back", extra={"count": len(late)})
                    self.failed.extend(item.message_id for item in late)
                return None
            item = self.turns.take()
            self.handed += item is not None
            return item

    def _worker(self) -> None:
        while (item := self._next()) is not None:
            ok = self._send(item)
            with self.lock:
                self.turns.finished(item)
                if not ok:
                    self.failed.append(item.message_id)

    def _send(self, item: Item) -> bool:
        if item.message is None:
            return False
        try:
            self.step(item.message)
            return True
        except RetryLater as later:
            logger.debug("message comes back", extra={"delivery_id": item.message.delivery_id, "why": str(later)})
        except Exception:
            logger.exception("delivery step raised", extra={"delivery_id": item.message.delivery_id})
        return False

    def run(self) -> list[str]:
        """Threads of the batch's own (starting one costs microseconds), so batches that share a process,
        as on the local stack, never wait for each other's threads."""
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="send") as threads:
            # Each thread runs in a copy of this context: the batch's destination reads are shared.
            futures = [threads.submit(contextvars.copy_context().run, self._worker) for _ in range(self.workers)]
            for future in futures:
                future.result()
        return self.failed


def deliver_batch(
    event: dict[str, Any],
    step: Callable[[QueuedMessage], str],
    queue_url_of: Callable[[str], str | None],
    context: RemainingTime | None,
) -> dict[str, list[dict[str, str]]]:
    """Runs an SQS event's messages through `step`; returns the partial batch response."""
    settings = get_settings()
    items = [read_record(r, queue_url_of(str(r.get("eventSourceARN") or ""))) for r in event.get("Records", [])]
    if not items:
        return {"batchItemFailures": []}
    workers = settings.delivery_concurrency
    must_leave = settings.send_deadline_seconds + RECORD_MARGIN_SECONDS
    failed = BatchRun(items, step, workers, context, must_leave).run()
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
