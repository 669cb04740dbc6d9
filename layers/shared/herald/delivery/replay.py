"""Replays: stored events back through routing, dead-letter redrive, and the retries that continue past
one queued message.

- `replay_events`: each event is routed again exactly as the fan-out does it. Delivery ids are derived
  from (event, destination) and written only when absent, so a destination that was delivered is never
  resent; pending ones are queued again (a duplicate message is harmless: the send lease lets one
  through); with `resend_failed` the event's failed records are first reset to pending (attempts 0).
- `redrive`: moves a kind's dead-letter messages back to its queue, resetting their failed records to
  pending; a message whose record was delivered meanwhile is dropped.
- `requeue`: a pending delivery gets a fresh message, `delay` seconds from now: a delayed SQS message up
  to SQS's 15 minutes, else a scheduler timer (job `deliveries.replay`) that queues it when due. The job
  re-sends any record that is still pending, whatever happened in between; a delivered or failed record
  is left alone.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from herald import clock
from herald.aws import client
from herald.data import deliveries as deliveries_repo
from herald.data import events as events_repo
from herald.data import plans, timers
from herald.delivery import enqueue
from herald.delivery.retries import MAX_DELAY_SECONDS
from herald.domain import scheduler
from herald.observability import logger

REPLAY_JOB = "deliveries.replay"
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
    from herald.events import StoredEvent
    from herald.routing import planner  # routing is heavy; only replays need it

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
                        event_id, str(record["id"]), at, now
                    ):
                        report.reset += 1
            event = StoredEvent.from_item(item)
            batch.add(event, planner.plan_event(event, now), event_id)
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
    at, now = clock.iso(), clock.epoch()
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
                if record is not None and deliveries_repo.reset_to_pending(record.event_id, record.id, at, now):
                    report.reset += 1
                if record is not None:
                    enqueue.requeue(record.kind, record.event_id, record.id, org_id=record.org_id)
                else:
                    sqs.send_message(QueueUrl=queue_url, MessageBody=message["Body"])
                report.moved += 1
            sqs.delete_message(QueueUrl=dead_letter_url, ReceiptHandle=message["ReceiptHandle"])
    return report


@functools.lru_cache(maxsize=32)
def dead_letter_url(queue_url: str) -> str | None:
    """The queue's dead-letter queue, from its redrive policy (same account and endpoint as the queue)."""
    attributes = client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])
    policy = attributes.get("Attributes", {}).get("RedrivePolicy")
    if not policy:
        return None
    name = str(json.loads(policy)["deadLetterTargetArn"]).rsplit(":", 1)[-1]
    return queue_url.rstrip("/").rsplit("/", 1)[0] + "/" + name


def dead_letter(kind: str, event_id: str, delivery_id: str) -> bool:
    """Puts the delivery's message on its kind's dead-letter queue; False when the queue has none."""
    url = dead_letter_url(enqueue.queue_url(kind))
    if url is None:
        return False
    client("sqs").send_message(QueueUrl=url, MessageBody=enqueue.message_body(event_id, delivery_id))
    return True


def requeue(kind: str, event_id: str, delivery_id: str, delay: float, org_id: str = "") -> None:
    """A fresh message `delay` seconds from now: a delayed SQS message up to 15 minutes, else a timer."""
    seconds = max(0, int(delay + 0.999))
    if seconds <= MAX_DELAY_SECONDS:
        enqueue.requeue(kind, event_id, delivery_id, seconds, org_id)
        return
    timers.schedule(
        f"replay#{event_id}#{delivery_id}",
        REPLAY_JOB,
        clock.epoch() + seconds,
        {"eventId": event_id, "deliveryId": delivery_id, "kind": kind, **({"orgId": org_id} if org_id else {})},
    )


@scheduler.register(REPLAY_JOB)
def replay_pending(payload: dict[str, Any]) -> None:
    """A scheduled retry fell due: a record still pending is queued again (a failed SQS send raises, so the
    timer runs again); delivered and failed records are left alone."""
    event_id, delivery_id = str(payload["eventId"]), str(payload["deliveryId"])
    record = deliveries_repo.get(event_id, delivery_id)
    if record is None:
        # planned and not begun yet: the message names its plan chunk, whose delivery creates the record
        plan = plans.progress(event_id).planned.get(delivery_id)
        if plan is not None and payload.get("kind"):
            org_id = str(payload.get("orgId") or "")
            enqueue.requeue(str(payload["kind"]), event_id, delivery_id, org_id=org_id, plan=plan)
            return
    if record is None or record.status != "pending":
        logger.info("scheduled retry no longer needed", extra={"delivery_id": delivery_id})
        return
    requeue(str(payload.get("kind") or record.kind), event_id, delivery_id, 0, record.org_id)
