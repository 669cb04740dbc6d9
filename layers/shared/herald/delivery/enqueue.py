"""The one way onto the delivery queues.

Fan-out, Grafana reminders, OnCall escalation steps, replays and redrive all come here. A family's routing
only answers "which destinations, with which settings" (PlannedDelivery); this module turns a plan into
delivery records and SQS messages:

- the destinations to send to are written into the event's plan (data/plans.py), one item per chunk of
  destinations, each chunk only when absent; a destination already planned or recorded is never planned
  again, and each delivery creates its own record when it claims the send, so a replayed plan never sends
  twice;
- a destination routing chose not to send to (cooldown, inactive endpoint) is recorded `skipped` with why;
- a trigger older than a recovery of the same dedupKey already queued to that destination is recorded
  `skipped` as stale (herald.delivery.stops), and a recovery marks its destinations for that check;
- messages are sent ten to a SendMessageBatch, grouped by queue; a failed send is reported by its
  `source` (a stream sequence number, an event id) so the caller can retry just that;
- each message names its org, in its body (the delivery batch's fair turns, delivery/batch.py) and as its
  MessageGroupId, which makes the standard delivery queues SQS fair queues: an org with a backlog or slow
  receivers does not raise the other orgs' time in the queue (docs/decisions.md).
"""

from __future__ import annotations

import contextvars
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from herald import clock, ids
from herald.aws import client
from herald.data import deliveries as deliveries_repo
from herald.data import plans, recoveries
from herald.data.deliveries import DeliveryRecord
from herald.data.plans import PlanChunk, PlanEntry
from herald.delivery import stops
from herald.events import StoredEvent
from herald.observability import logger, metrics
from herald.routing.plan import PlannedDelivery
from herald.settings import get_settings

# A deployment without a queue of its own for mobile push (QUEUE_URL_PUSH) sends it through the SMS
# queue: both are SNS publishes, sent by the same delivery function.
FALLBACK_QUEUES = {"push": "sms"}
# DynamoDB and SQS calls of a large fan-out run this many at a time (each waits on the network)
WRITERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fanout")


def _queue_kind(kind: str) -> str:
    return kind if kind in get_settings().queue_urls else FALLBACK_QUEUES.get(kind, kind)


def queue_url(kind: str) -> str:
    return get_settings().queue_url(_queue_kind(kind))


def has_queue(kind: str) -> bool:
    return _queue_kind(kind) in get_settings().queue_urls


@dataclass(frozen=True)
class QueuedSend:
    """One SQS message: which record to send; `source` is what the caller retries when it fails."""

    kind: str
    event_id: str
    delivery_id: str
    source: str

    delay_seconds: int = 0
    org_id: str = ""
    plan: str | None = None  # the plan chunk listing it, while its delivery has not begun

    def body(self) -> str:
        return message_body(self.event_id, self.delivery_id, self.org_id, self.plan)


def message_body(event_id: str, delivery_id: str, org_id: str = "", plan: str | None = None) -> str:
    body = {"eventId": event_id, "deliveryId": delivery_id}
    if org_id:
        body["orgId"] = org_id
    if plan is not None:
        body["plan"] = plan
    return json.dumps(body)


def build_record(event: StoredEvent, item: PlannedDelivery, at: str) -> DeliveryRecord:
    """The delivery record of one planned destination (status `pending`, or `skipped` with its reason)."""
    record = DeliveryRecord(
        id=ids.delivery_id(event.id, item.destination_key),
        event_id=event.id,
        org_id=event.org_id,
        kind=item.kind,
        family=item.family,
        destination_id=item.destination_id,
        destination_name=item.destination_name,
        config=item.config,
        sealed=item.sealed,
        dedup_key=event.dedup_key,
        created_at=event.created_at or at,
        updated_at=at,
        alert_id=item.alert_id,
        monitor_id=event.monitor_id,
        event_status=event.status,
        expires_at=event.expires_at,
    )
    reason = item.skip_reason or stops.stale_trigger(record)
    if reason is not None:
        record.status, record.last_error = "skipped", reason
    return record


class PlanTaken(RuntimeError):
    """A plan chunk number was written meanwhile: the plan must be read again."""


def record_deliveries(event: StoredEvent, planned: Iterable[PlannedDelivery], first: bool = False) -> list[QueuedSend]:
    """Plans the destinations not planned yet; returns a send for every delivery still pending (planned
    and not begun, or recorded `pending`). A skipped destination gets its record straight away.

    `first`: the event's first plan (its stream record), which reads nothing before writing; when the
    plan turns out to exist already (a retried stream record) it is read and completed."""
    planned = list(planned)
    if first:
        try:
            return _plan(event, planned, plans.Progress())
        except PlanTaken:
            logger.info("the event was planned before; completing its plan", extra={"event_id": event.id})
    return _plan(event, planned, plans.progress(event.id))


def _plan(event: StoredEvent, planned: list[PlannedDelivery], known: plans.Progress) -> list[QueuedSend]:
    at = clock.iso()
    pending: list[QueuedSend] = []
    new: list[PlanEntry] = []
    for item in planned:
        record = build_record(event, item, at)
        status = known.statuses.get(record.id)
        if status is not None or record.id in known.planned:
            if status in (None, "pending"):
                pending.append(
                    QueuedSend(
                        record.kind,
                        event.id,
                        record.id,
                        event.id,
                        org_id=event.org_id,
                        plan=known.planned.get(record.id),
                    )
                )
            continue
        if record.status == "skipped":
            if deliveries_repo.put_if_absent(record):
                metrics.add_metric(name="DeliveriesSkipped", unit="Count", value=1)
                logger.info("delivery skipped", extra={"delivery_id": record.id, "reason": record.last_error})
            continue
        recoveries.note(record)
        new.append(_entry_of(record))
    for chunk in write_plan(event, new, known.next_chunk, at):
        pending.extend(
            QueuedSend(e.kind, event.id, e.id, event.id, org_id=event.org_id, plan=chunk.ref) for e in chunk.entries
        )
    return pending


def _entry_of(record: DeliveryRecord) -> PlanEntry:
    return PlanEntry(
        id=record.id,
        kind=record.kind,
        family=record.family,
        destination_id=record.destination_id,
        destination_name=record.destination_name,
        config=record.config,
        sealed=record.sealed,
        alert_id=record.alert_id,
    )


def write_plan(event: StoredEvent, entries: list[PlanEntry], first_chunk: int, at: str) -> list[PlanChunk]:
    """Writes the entries as new plan chunks, numbered on from `first_chunk`: the first alone, then the
    others several at a time. Raises PlanTaken when the first number was taken meanwhile (another plan of
    the same event), which then wrote nothing: read the plan again and plan only what is still missing."""
    chunks = [
        PlanChunk(
            event_id=event.id,
            chunk=first_chunk + n,
            org_id=event.org_id,
            created_at=str(event.snapshot.get("createdAt", at)),
            planned_at=at,
            planned_epoch=clock.epoch(),
            event_status=event.status,
            monitor_id=event.monitor_id,
            dedup_key=event.snapshot.get("dedupKey"),
            expires_at=event.expires_at,
            entries=group,
        )
        for n, group in enumerate(plans.chunked(entries))
    ]
    if chunks and not plans.put_if_absent(chunks[0]):
        raise PlanTaken(f"plan chunk {chunks[0].ref} of event {event.id} exists")
    if not all(_run(plans.put_if_absent, chunks[1:])):
        raise RuntimeError(f"the plan of event {event.id} changed while it was written")
    return chunks


def _run[T, R](work: Callable[[T], R], items: list[T]) -> list[R]:
    """`work` over the items, several at a time when there are several (contextvars carried along)."""
    if len(items) <= 1:
        return [work(item) for item in items]
    return list(WRITERS.map(lambda item: contextvars.copy_context().run(work, item), items))


class Batch:
    """Plans collected over many events (a stream batch, a replay) and sent together."""

    def __init__(self) -> None:
        self.sends: list[QueuedSend] = []
        self.failed: set[str] = set()

    def add(self, event: StoredEvent, planned: Iterable[PlannedDelivery], source: str, first: bool = False) -> int:
        """Records one event's deliveries; returns how many are to be sent. A failure marks `source`."""
        try:
            found = record_deliveries(event, planned, first)
        except Exception:
            logger.exception("recording deliveries failed", extra={"event_id": event.id, "source": source})
            self.failed.add(source)
            return 0
        self.sends.extend(replace(s, source=source) for s in found)
        return len(found)

    def flush(self) -> set[str]:
        """Sends every collected message; returns the sources that failed (planning or sending)."""
        self.failed |= send([s for s in self.sends if s.source not in self.failed])
        self.sends = []
        return self.failed


def enqueue(event: StoredEvent, planned: Iterable[PlannedDelivery]) -> int:
    """Records and queues one event's planned deliveries; raises when anything could not be queued (the
    caller's retry is harmless: records are written once and a duplicate message is dropped by the lease)."""
    batch = Batch()
    count = batch.add(event, planned, event.id)
    if batch.flush():
        raise RuntimeError(f"could not queue the deliveries of event {event.id}")
    return count


def requeue(
    kind: str, event_id: str, delivery_id: str, delay_seconds: int = 0, org_id: str = "", plan: str | None = None
) -> None:
    """Queues an existing record again (a retry, a scheduled replay, an escalation step, a redriven message),
    or a planned delivery not begun (`plan`), at most 15 minutes later (SQS's DelaySeconds)."""
    if send([QueuedSend(kind, event_id, delivery_id, delivery_id, delay_seconds, org_id, plan)]):
        raise RuntimeError(f"could not queue delivery {delivery_id}")


def _entry(index: int, item: QueuedSend) -> dict[str, object]:
    entry: dict[str, object] = {"Id": str(index), "MessageBody": item.body()}
    if item.delay_seconds:
        entry["DelaySeconds"] = item.delay_seconds
    if item.org_id:
        entry["MessageGroupId"] = item.org_id
    return entry


def send(sends: list[QueuedSend]) -> set[str]:
    """SendMessageBatch, ten at a time per queue; returns the sources of the messages not sent."""
    by_queue: dict[str, list[QueuedSend]] = defaultdict(list)
    failed: set[str] = set()
    for item in sends:
        try:
            by_queue[queue_url(item.kind)].append(item)
        except RuntimeError:
            logger.exception("no queue for kind", extra={"kind": item.kind})
            failed.add(item.source)
    batches = [
        (url, group[start : start + 10]) for url, group in by_queue.items() for start in range(0, len(group), 10)
    ]
    for not_sent in _run(_send_batch, batches):
        failed |= not_sent
    return failed


def _send_batch(batch: tuple[str, list[QueuedSend]]) -> set[str]:
    """One SendMessageBatch; returns the sources of the messages it did not send."""
    url, chunk = batch
    try:
        response = client("sqs").send_message_batch(QueueUrl=url, Entries=[_entry(i, s) for i, s in enumerate(chunk)])
    except Exception:
        logger.exception("SendMessageBatch failed", extra={"queue_url": url})
        return {s.source for s in chunk}
    by_id = {str(i): s for i, s in enumerate(chunk)}
    failed: set[str] = set()
    for entry in response.get("Failed", []):
        known = by_id.get(str(entry.get("Id")))
        failed.update([known.source] if known else [s.source for s in chunk])
    return failed
