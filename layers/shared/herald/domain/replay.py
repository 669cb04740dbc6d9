"""Replays: stored events back through routing, dead-letter redrive, and the scheduled replay of
deliveries that failed for transient reasons.

- `replay_events`: each event is routed again exactly as the fan-out does it. Delivery ids are derived
  from (event, destination) and written only when absent, so a destination that was delivered is never
  resent; pending ones are queued again (a duplicate message is harmless: the send lease lets one
  through); with `resend_failed` the event's failed records are first reset to pending (attempts 0).
- `redrive`: moves a kind's dead-letter messages back to its queue, resetting their failed records to
  pending; a message whose record was delivered meanwhile is dropped.
- Scheduled replay: a delivery that failed for a transient reason (gave up after the attempt limit, or
  held past the receive limit) gets a timer `REPLAY_DELAY_SECONDS` later (at most the window); the
  scheduler's job resets the record and queues it again if the failure is still within
  `HERALD_REPLAY_WINDOW_MINUTES` and still the record's error. Once per delivery (`replays` on the record).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from herald import clock
from herald.aws import client
from herald.data import deliveries as deliveries_repo
from herald.data import events as events_repo
from herald.data import timers
from herald.data.deliveries import DeliveryRecord
from herald.delivery import enqueue
from herald.domain import scheduler
from herald.observability import logger
from herald.settings import get_settings

REPLAY_JOB = "deliveries.replay"
REPLAY_DELAY_SECONDS = 300.0
MAX_SCHEDULED_REPLAYS = 1
MAX_REDRIVE_MESSAGES = 100_000


@dataclass
class ReplayReport:
    events: int = 0
    reset: int = 0
    queued: int = 0
    failed_events: list[str] = field(default_factory=list)


def events_by_id(event_ids: list[str], org_id: str | None = None) -> list[dict[str, Any]]:
    items = []
    for event_id in event_ids:
        item = events_repo.get(event_id)
        if item is not None and (org_id is None or item.get("orgId") == org_id):
            items.append(item)
    return items


def events_between(org_id: str, since: str, until: str) -> list[dict[str, Any]]:
    return events_repo.between(org_id, since, until)


def replay_events(items: list[dict[str, Any]], resend_failed: bool = False) -> ReplayReport:
    from herald.domain import fanout  # routing is heavy; only replays need it
    from herald.routing.plan import StoredEvent

    report = ReplayReport()
    at, now = clock.iso(), clock.epoch()
    batch = enqueue.Batch()
    for item in items:
        event_id = str(item["id"])
        report.events += 1
        try:
            if resend_failed:
                _, records = events_repo.get_with_deliveries(event_id)
                for record in records:
                    if record.get("status") == "failed" and deliveries_repo.reset_to_pending(
                        event_id, str(record["id"]), at
                    ):
                        report.reset += 1
            event = StoredEvent.from_item(item)
            batch.add(event, fanout.plan_event(event, now), event_id)
        except Exception:
            logger.exception("replay failed for event", extra={"event_id": event_id})
            report.failed_events.append(event_id)
    sends = batch.sends
    failed = batch.flush() - set(report.failed_events)
    report.queued = sum(1 for send in sends if send.source not in failed)
    report.failed_events.extend(sorted(failed))
    return report


@dataclass
class RedriveReport:
    moved: int = 0
    reset: int = 0
    dropped: int = 0


def redrive(dead_letter_url: str, queue_url: str) -> RedriveReport:
    sqs = client("sqs")
    report = RedriveReport()
    at = clock.iso()
    while report.moved + report.dropped < MAX_REDRIVE_MESSAGES:
        messages = sqs.receive_message(
            QueueUrl=dead_letter_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=120
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            body = json.loads(message["Body"])
            record = deliveries_repo.get(str(body["eventId"]), str(body["deliveryId"]))
            if record is not None and record.status == "delivered":
                report.dropped += 1
            else:
                if record is not None and deliveries_repo.reset_to_pending(record.event_id, record.id, at):
                    report.reset += 1
                if record is not None:
                    enqueue.requeue(record.kind, record.event_id, record.id)
                else:
                    sqs.send_message(QueueUrl=queue_url, MessageBody=message["Body"])
                report.moved += 1
            sqs.delete_message(QueueUrl=dead_letter_url, ReceiptHandle=message["ReceiptHandle"])
    return report


def schedule_transient_retry(record: DeliveryRecord, failed_at: float, error: str) -> None:
    """Called by the delivery path when a record fails for a transient reason."""
    if record.replays >= MAX_SCHEDULED_REPLAYS:
        return
    window = get_settings().replay_window_minutes * 60.0
    timers.schedule(
        f"replay#{record.event_id}#{record.id}",
        REPLAY_JOB,
        failed_at + min(REPLAY_DELAY_SECONDS, window),
        {
            "eventId": record.event_id,
            "deliveryId": record.id,
            "kind": record.kind,
            "failedAt": str(round(failed_at, 3)),
            "error": error[:1000],
        },
    )


@scheduler.register(REPLAY_JOB)
def replay_transient_failure(payload: dict[str, Any]) -> None:
    window = get_settings().replay_window_minutes * 60.0
    if clock.epoch() - float(payload["failedAt"]) > window:
        logger.info("transient failure outside the replay window", extra={"delivery_id": payload["deliveryId"]})
        return
    event_id, delivery_id = str(payload["eventId"]), str(payload["deliveryId"])
    if not deliveries_repo.reset_to_pending(event_id, delivery_id, clock.iso(), last_error=str(payload["error"])):
        return  # delivered, replayed by hand, or failed again for another reason meanwhile
    enqueue.requeue(str(payload["kind"]), event_id, delivery_id)
