"""Fan-out: route each new event, then hand its planned deliveries to the one enqueue path.

SQS messages are collected over the whole stream batch and sent ten at a time, several batches at once,
so a batch of events costs ⌈deliveries / 10⌉ SendMessageBatch calls. A record whose routing or whose
queueing failed is reported back to the stream; replaying it is harmless (delivery ids are deterministic,
a destination is planned once, and a delivery creates its record only once).

A fan-out watches the invocation's remaining time (`context.get_remaining_time_in_millis()`):
- between two stream records: the records not routed yet are reported as batch item failures, before the
  timeout, and come back in the next invocation;
- between two pages of messages: the rest of an event's messages are handed to a paged fan-out job, an
  SQS message {eventId, cursor} on the fan-out page queue (HERALD_FANOUT_PAGE_QUEUE_URL), which this function
  consumes: it queues the deliveries of the plan chunks from the cursor on that have not begun, and hands
  on what it cannot finish in turn. A retried page queues the same delivery ids again; the first attempt
  of each creates its record, so nothing is sent twice or lost.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from herald import clock
from herald.aws import client
from herald.data import plans
from herald.delivery import enqueue
from herald.delivery.enqueue import Batch, QueuedSend
from herald.events import StoredEvent
from herald.observability import logger, metrics
from herald.routing import batch_reads
from herald.routing.planner import plan_event

Remaining = Callable[[], int]  # milliseconds left in this invocation

PAGE_QUEUE_ENV = "HERALD_FANOUT_PAGE_QUEUE_URL"
RESERVE_MS = 10_000  # kept back: enough to hand the rest over and answer before the timeout
PAGE_MESSAGES = 500  # messages queued between two looks at the clock (50 SendMessageBatch calls)


def unlimited() -> int:
    return 900_000


def fan_out(records: list[tuple[str, dict[str, Any]]], remaining: Remaining = unlimited) -> list[str]:
    """Takes (sequence number, new image) pairs; returns the sequence numbers that failed or were not
    reached in time."""
    now = clock.epoch()
    batch = Batch()
    with batch_reads.one_read_per_batch():
        for index, (sequence, image) in enumerate(records):
            if remaining() < RESERVE_MS:
                left = [s for s, _ in records[index:]]
                logger.warning("fan-out out of time: records left to the stream's retry", extra={"records": left})
                batch.failed.update(left)
                break
            try:
                event = StoredEvent.from_item(image)
                planned = plan_event(event, now)
            except Exception:
                logger.exception("fan-out failed for record", extra={"sequence": sequence})
                batch.failed.add(sequence)
                continue
            count = batch.add(event, planned, sequence, first=True)
            metrics.add_metric(name="DeliveriesPlanned", unit="Count", value=count)
    return sorted(batch.failed | send_paged([s for s in batch.sends if s.source not in batch.failed], remaining))


def send_paged(sends: list[QueuedSend], remaining: Remaining) -> set[str]:
    """Queues the sends a page at a time while there is time, then hands the rest to paged jobs; returns
    the sources that failed."""
    failed: set[str] = set()
    for start in range(0, len(sends), PAGE_MESSAGES):
        if start and remaining() < RESERVE_MS:
            return failed | hand_over(sends[start:])
        failed |= enqueue.send(sends[start : start + PAGE_MESSAGES])
    return failed


def hand_over(sends: list[QueuedSend]) -> set[str]:
    """One page job per event, from the first plan chunk among its unsent messages; returns the sources
    that could not be handed over (no page queue, a message not from a plan, the send failed)."""
    by_event: dict[str, list[QueuedSend]] = defaultdict(list)
    for send in sends:
        by_event[send.event_id].append(send)
    url = os.environ.get(PAGE_QUEUE_ENV)
    failed: set[str] = set()
    for event_id, group in by_event.items():
        refs = [s.plan for s in group if s.plan is not None]
        try:
            if not url or len(refs) < len(group):
                raise RuntimeError("these messages cannot be paged")
            client("sqs").send_message(QueueUrl=url, MessageBody=page_body(event_id, min(refs)))
            metrics.add_metric(name="FanoutPagesHandedOver", unit="Count", value=1)
        except Exception:
            logger.exception("could not hand the fan-out over", extra={"event_id": event_id})
            failed.update(s.source for s in group)
    return failed


def page_body(event_id: str, cursor: str) -> str:
    return json.dumps({"eventId": event_id, "cursor": cursor})


def fan_out_pages(messages: list[tuple[str, str]], remaining: Remaining = unlimited) -> list[str]:
    """Paged fan-out jobs: takes (message id, body) pairs; returns the ids of the pages that failed or
    were not reached in time (they come back from the queue)."""
    failed: list[str] = []
    for message_id, body in messages:
        try:
            if remaining() < RESERVE_MS:
                raise TimeoutError("out of time before this page")
            page = json.loads(body)
            run_page(str(page["eventId"]), str(page["cursor"]), remaining)
        except Exception:
            logger.exception("fan-out page failed", extra={"message_id": message_id})
            failed.append(message_id)
    return failed


def run_page(event_id: str, cursor: str, remaining: Remaining) -> None:
    """Queues the deliveries of the plan chunks from `cursor` on that have not begun or are pending."""
    statuses = plans.progress(event_id).statuses
    sends = [
        QueuedSend(entry.kind, event_id, entry.id, event_id, org_id=chunk.org_id, plan=chunk.ref)
        for chunk in plans.of_event(event_id, int(cursor))
        for entry in chunk.entries
        if statuses.get(entry.id, "pending") == "pending"
    ]
    if send_paged(sends, remaining):
        raise RuntimeError(f"could not queue page {cursor} of event {event_id}")
