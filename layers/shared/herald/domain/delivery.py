"""Delivery of one queued send, exactly once in effect.

Each send is guarded by a lease on the delivery record (a conditional write): a duplicate SQS message
finds the record delivered or leased and sends nothing. Transient failures are retried through the
queue's visibility timeout with exponential backoff and jitter (or the provider's Retry-After);
permanent ones fail the record at once; the last allowed attempt fails the record and lets SQS move
the message to the dead-letter queue.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass

from herald import clock, secrets
from herald.aws import client
from herald.channels.base import Outcome, Target
from herald.channels.registry import ADAPTERS
from herald.channels.render import Notification
from herald.data import deliveries as repo
from herald.data import destinations
from herald.domain import breaker, pacing, replay
from herald.observability import logger, metrics
from herald.settings import get_settings
from herald.templates import apply as templates

LEASE_MARGIN_SECONDS = 30.0
LAST_RECEIVE_SLEEP_SECONDS = 5.0
HELD_PREFIX = "held"


class RetryLater(Exception):
    """Raised so the batch reports this message as failed; its visibility was already set."""


@dataclass(frozen=True)
class QueuedMessage:
    event_id: str
    delivery_id: str
    receive_count: int
    receipt_handle: str
    queue_url: str | None

    @classmethod
    def parse(cls, body: str, receive_count: int, receipt_handle: str, queue_url: str | None) -> QueuedMessage:
        data = json.loads(body)
        return cls(str(data["eventId"]), str(data["deliveryId"]), receive_count, receipt_handle, queue_url)


def backoff_seconds(attempt: int, retry_after: float | None) -> int:
    settings = get_settings()
    if retry_after is not None:
        delay = retry_after
    else:
        delay = settings.retry_base_seconds * (2 ** max(0, attempt - 1))
        delay = random.uniform(delay / 2, delay)  # "equal jitter": never zero, never a storm
    return int(min(max(delay, 0.0), settings.retry_cap_seconds, 43200) + 0.999)


def deliver(message: QueuedMessage) -> str:
    """Returns what happened: delivered, failed, skipped; raises RetryLater for a transient failure."""
    settings = get_settings()
    record = repo.claim(
        message.event_id,
        message.delivery_id,
        clock.epoch(),
        settings.http_timeout_seconds + LEASE_MARGIN_SECONDS,
        clock.iso(),
    )
    if record is None:
        current = repo.get(message.event_id, message.delivery_id)
        if current is None or current.status != "pending":
            logger.info("nothing to send", extra={"delivery_id": message.delivery_id})
            return "skipped"
        _hold(message, 5)
        raise RetryLater("delivery is leased by another attempt")

    adapter = ADAPTERS.get(record.kind)
    tracked = False
    key = ""
    if adapter is None:
        outcome = Outcome.failed(f"no adapter for kind {record.kind}")
    else:
        try:
            target = Target(record.id, record.config, secrets.unseal(record.org_id, record.sealed))
            key = pacing.destination_key(record.kind, target.config, target.secrets)
            tracked = _gate(message, record, key)
            notification = templates.customize(
                Notification.from_snapshot(record.message),
                record.org_id,
                record.kind,
                record.family,
                record.destination_id,
                record.destination_name,
            )
            outcome = adapter(notification, target)
        except RetryLater:
            raise
        except Exception as error:
            logger.exception("adapter raised", extra={"delivery_id": record.id})
            outcome = Outcome.retry(f"{type(error).__name__}: {error}")

    at = clock.iso()
    if outcome.result == "delivered":
        repo.finish(record.event_id, record.id, "delivered", at)
        if key:
            breaker.succeeded(key, tracked)
        metrics.add_metric(name="DeliverySucceeded", unit="Count", value=1)
        return "delivered"
    if outcome.result == "failed":
        repo.finish(record.event_id, record.id, "failed", at, outcome.detail)
        metrics.add_metric(name="DeliveryFailed", unit="Count", value=1)
        return "failed"
    if key:
        now = clock.epoch()
        pacing.provider_pause(key, now, outcome.retry_after)
        if breaker.failed(key, now):
            logger.warning("circuit breaker opened", extra={"delivery_id": record.id, "kind": record.kind})
            metrics.add_metric(name="BreakerOpened", unit="Count", value=1)
    # The record's attempts count real sends only (pacing and breaker holds give theirs back), but SQS
    # counts receives: at the queue's maxReceiveCount (= HERALD_MAX_ATTEMPTS) the next receive moves the
    # message to the dead-letter queue, so the record must say failed now.
    if message.receive_count >= settings.max_attempts or record.attempts >= settings.max_attempts:
        gave_up = f"gave up after {record.attempts} attempts: {outcome.detail}"
        repo.finish(record.event_id, record.id, "failed", at, gave_up)
        replay.schedule_transient_retry(record, clock.epoch(), gave_up)
        metrics.add_metric(name="DeliveryDeadLettered", unit="Count", value=1)
        _hold(message, 0)  # visible at once, so the next receive moves it to the dead-letter queue
        raise RetryLater("attempts exhausted; the message goes to the dead-letter queue")
    repo.release_for_retry(record.event_id, record.id, at, outcome.detail)
    metrics.add_metric(name="DeliveryRetried", unit="Count", value=1)
    _hold(message, backoff_seconds(record.attempts, outcome.retry_after))
    raise RetryLater(outcome.detail)


def _gate(message: QueuedMessage, record: repo.DeliveryRecord, key: str) -> bool:
    """Pacing, then the circuit breaker. Holds the message (no attempt counted) and raises RetryLater when
    the destination must wait; returns whether the destination has a breaker item (to close on success)."""
    now = clock.epoch()
    state = destinations.read(key)
    wait, slot = pacing.wait_seconds(record.kind, key, now, record.pace_slot, state.next_allowed)
    reason = "paced"
    tracked = False
    if wait <= 0:
        breaker_wait, tracked = breaker.check(key, now, state)
        wait, reason = float(breaker_wait), "circuit open"
    if wait <= 0:
        return tracked
    if message.receive_count >= get_settings().max_attempts:
        # The last receive SQS allows: a short pacing wait is slept through; anything longer fails the
        # record as held (transient: the scheduled replay and `herald deliveries redrive` resend it).
        if reason == "paced" and wait <= LAST_RECEIVE_SLEEP_SECONDS:
            time.sleep(wait)
            breaker_wait, tracked = breaker.check(key, clock.epoch())
            if breaker_wait <= 0:
                return tracked
            reason = "circuit open"
        error = f"{HELD_PREFIX} ({reason}) past the receive limit"
        repo.release_hold(record.event_id, record.id, clock.iso(), None)
        repo.finish(record.event_id, record.id, "failed", clock.iso(), error)
        replay.schedule_transient_retry(record, clock.epoch(), error)
        metrics.add_metric(name="DeliveryDeadLettered", unit="Count", value=1)
        _hold(message, 0)
        raise RetryLater("held on the last receive; the message goes to the dead-letter queue")
    seconds = min(int(wait + 0.999), 43200)
    repo.release_hold(record.event_id, record.id, clock.iso(), slot)
    metrics.add_metric(name="DeliveryHeld", unit="Count", value=1)
    _hold(message, max(1, seconds))
    raise RetryLater(f"{reason}: held {seconds} s")


def _hold(message: QueuedMessage, seconds: int) -> None:
    if not message.queue_url:
        return
    try:
        client("sqs").change_message_visibility(
            QueueUrl=message.queue_url, ReceiptHandle=message.receipt_handle, VisibilityTimeout=seconds
        )
    except Exception:
        logger.exception("ChangeMessageVisibility failed; the queue's default visibility applies")
