"""The one way onto the delivery queues.

Fan-out, Grafana reminders, OnCall escalation steps, replays and redrive all come here. A family's routing
only answers "which destinations, with which settings" (PlannedDelivery); this module turns a plan into
delivery records and SQS messages:

- one record per (event, destination), written only when absent, so a replayed plan never sends twice;
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

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from herald import clock, ids
from herald.aws import client
from herald.data import deliveries as deliveries_repo
from herald.data import recoveries
from herald.data.deliveries import DeliveryRecord
from herald.delivery import stops
from herald.events import StoredEvent
from herald.observability import logger, metrics
from herald.routing.plan import PlannedDelivery
from herald.settings import get_settings

# A deployment without a queue of its own for mobile push (QUEUE_URL_PUSH) sends it through the SMS
# queue: both are SNS publishes, sent by the same delivery function.
FALLBACK_QUEUES = {"push": "sms"}


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

    def body(self) -> str:
        return message_body(self.event_id, self.delivery_id, self.org_id)


def message_body(event_id: str, delivery_id: str, org_id: str = "") -> str:
    body = {"eventId": event_id, "deliveryId": delivery_id}
    return json.dumps({**body, "orgId": org_id} if org_id else body)


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
        message=event.snapshot,
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


def record_deliveries(event: StoredEvent, planned: Iterable[PlannedDelivery]) -> list[QueuedSend]:
    """Writes the records that do not exist yet; returns a send for every record still pending."""
    at = clock.iso()
    pending: list[QueuedSend] = []
    for item in planned:
        record = build_record(event, item, at)
        if record.status == "skipped":
            if deliveries_repo.put_if_absent(record):
                metrics.add_metric(name="DeliveriesSkipped", unit="Count", value=1)
                logger.info("delivery skipped", extra={"delivery_id": record.id, "reason": record.last_error})
            continue
        recoveries.note(record)
        if not deliveries_repo.put_if_absent(record):
            existing = deliveries_repo.get(event.id, record.id)
            if existing is None or existing.status != "pending":
                continue
        pending.append(QueuedSend(record.kind, event.id, record.id, event.id, org_id=record.org_id))
    return pending


class Batch:
    """Plans collected over many events (a stream batch, a replay) and sent together."""

    def __init__(self) -> None:
        self.sends: list[QueuedSend] = []
        self.failed: set[str] = set()

    def add(self, event: StoredEvent, planned: Iterable[PlannedDelivery], source: str) -> int:
        """Records one event's deliveries; returns how many are to be sent. A failure marks `source`."""
        try:
            found = record_deliveries(event, planned)
        except Exception:
            logger.exception("recording deliveries failed", extra={"event_id": event.id, "source": source})
            self.failed.add(source)
            return 0
        self.sends.extend(QueuedSend(s.kind, s.event_id, s.delivery_id, source, org_id=s.org_id) for s in found)
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


def requeue(kind: str, event_id: str, delivery_id: str, delay_seconds: int = 0, org_id: str = "") -> None:
    """Queues an existing record again (a retry, a scheduled replay, an escalation step, a redriven message),
    at most 15 minutes later (SQS's DelaySeconds)."""
    if send([QueuedSend(kind, event_id, delivery_id, delivery_id, delay_seconds, org_id)]):
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
    sqs = client("sqs")
    for url, group in by_queue.items():
        for start in range(0, len(group), 10):
            chunk = group[start : start + 10]
            try:
                response = sqs.send_message_batch(QueueUrl=url, Entries=[_entry(i, s) for i, s in enumerate(chunk)])
            except Exception:
                logger.exception("SendMessageBatch failed", extra={"queue_url": url})
                failed.update(s.source for s in chunk)
                continue
            by_id = {str(i): s for i, s in enumerate(chunk)}
            for entry in response.get("Failed", []):
                known = by_id.get(str(entry.get("Id")))
                failed.update([known.source] if known else [s.source for s in chunk])
    return failed
