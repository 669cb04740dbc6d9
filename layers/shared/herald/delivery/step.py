"""The delivery step: one queued message, one pass.

1. Claim the send lease. A planned delivery's first attempt creates its record, leased (a conditional
   put: only one attempt can create it); a later attempt takes the lease on the record (a conditional
   update). A record that is final sends nothing; one leased by another attempt is held until that lease
   ends. The event and the destination are read from the event's plan (sources.py).
2. One read of the destination's state (pacing and breaker, data/destinations.py): send now, or hold
   the message for some seconds (no attempt spent).
3. Send through the kind's sender (contract.py), within the send deadline.
4. Record the outcome and carry out what next_step.py decides: delivered, failed, retry on this message,
   reschedule on a fresh one, or give up at the retry horizon (failed, and the message to the
   dead-letter queue).

A send that succeeded but could not be recorded keeps its lease: the message is held until the lease
ends, so no second send happens before then (after it, the receiver can drop the repeat by `webhook-id`).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace

from herald import clock, secrets
from herald.aws import client
from herald.data import deliveries as repo
from herald.data import destinations, held, plans
from herald.delivery import breaker, pacing, quotas, replay, sources, stops
from herald.delivery.contract import channel
from herald.delivery.next_step import Step, hold_step, next_step
from herald.delivery.retries import RetryPolicy
from herald.observability import logger, metrics
from herald.senders.base import Outcome, Target
from herald.senders.render import Notification
from herald.settings import Settings, get_settings
from herald.templates import apply as templates

LEASE_MARGIN_SECONDS = 30.0


class RetryLater(Exception):
    """Raised so the batch reports this message as failed; its visibility was already set."""


@dataclass(frozen=True)
class QueuedMessage:
    event_id: str
    delivery_id: str
    receive_count: int
    receipt_handle: str
    queue_url: str | None
    plan: str | None = None  # the plan chunk listing the delivery (messages queued by fan-out)

    @classmethod
    def parse(cls, body: str, receive_count: int, receipt_handle: str, queue_url: str | None) -> QueuedMessage:
        data = json.loads(body)
        plan = str(data["plan"]) if data.get("plan") is not None else None
        return cls(str(data["eventId"]), str(data["deliveryId"]), receive_count, receipt_handle, queue_url, plan)


def lease_seconds(settings: Settings) -> float:
    """Long enough for a send to hit its deadline and be recorded."""
    return settings.send_deadline_seconds + LEASE_MARGIN_SECONDS


def deliver(message: QueuedMessage) -> str:
    """What happened: delivered, failed, skipped, held or rescheduled (the message is done); raises
    RetryLater when the message itself comes back (a retry or a hold)."""
    settings = get_settings()
    policy = RetryPolicy.from_settings(settings)
    record = _claim(message, settings)
    if record is None and message.plan is None and (plan := _planned_in(message)) is not None:
        record = _claim(replace(message, plan=plan), settings)
    if record is None:
        return _not_claimed(message, policy)
    if stopped := stops.is_stopped(record):
        repo.finish(record.event_id, record.id, "skipped", clock.iso(), stopped)
        return "skipped"
    declared = channel(record.kind)
    if declared is None:
        return _record(message, record, "", breaker.Gate(0, False), Outcome.failed(f"no sender for kind {record.kind}"))
    key = ""
    gate = breaker.Gate(0, False)
    try:
        config, sealed = sources.destination(record)
        target = Target(record.id, config, secrets.unseal(record.org_id, sealed))
        key = pacing.destination_key(record.org_id, record.kind, target.config, target.secrets)
        decided = _gate(message, record, key, policy)
        if isinstance(decided, str):
            return decided
        gate = decided
        notification = templates.customize(
            Notification.from_item(sources.snapshot(record)),
            record.org_id,
            record.kind,
            record.family,
            record.destination_id,
            record.destination_name,
        )
        outcome = quotas.refused(record.org_id, record.kind, target) or declared.sender(notification, target)
    except RetryLater:
        raise
    except Exception as error:
        logger.exception("sender raised", extra={"delivery_id": record.id})
        outcome = Outcome.retry(f"{type(error).__name__}: {error}")
    return _record(message, record, key, gate, outcome)


def _claim(message: QueuedMessage, settings: Settings) -> repo.DeliveryRecord | None:
    """Creates the record of a planned delivery's first attempt, else leases the existing record."""
    now, at, lease = clock.epoch(), clock.iso(), lease_seconds(settings)
    if message.plan is not None:
        planned = sources.planned_record(message.event_id, message.plan, message.delivery_id)
        if planned is not None and (created := repo.create_claimed(planned, now, lease, at)) is not None:
            return created
    return repo.claim(message.event_id, message.delivery_id, now, lease, at)


def _planned_in(message: QueuedMessage) -> str | None:
    """The plan chunk of a delivery that has no record, for a message that does not name it (one queued
    by hand or before plans existed); None when there is a record or no plan lists it."""
    if repo.get(message.event_id, message.delivery_id) is not None:
        return None
    return plans.progress(message.event_id).planned.get(message.delivery_id)


def _not_claimed(message: QueuedMessage, policy: RetryPolicy) -> str:
    current = repo.get(message.event_id, message.delivery_id)
    if current is None or current.status != "pending":
        logger.info("nothing to send", extra={"delivery_id": message.delivery_id})
        return "skipped"
    wait = (current.lease_until or 0.0) - clock.epoch()
    return _hold(message, current, max(wait, 1.0), policy, "leased by another attempt")


def _gate(message: QueuedMessage, record: repo.DeliveryRecord, key: str, policy: RetryPolicy) -> breaker.Gate | str:
    """Pacing, then the circuit breaker, from one read of the destination's state."""
    now = clock.epoch()
    state = destinations.read(key)
    wait, slot = pacing.wait_seconds(record.kind, key, now, record.pace_slot, state.next_allowed)
    if wait > 0:
        return _held(message, record, key, wait, slot, policy, "paced")
    gate = breaker.check(key, now, state)
    if gate.hold <= 0:
        return gate
    return _held(message, record, key, gate.hold, None, policy, "circuit open")


def _held(
    message: QueuedMessage,
    record: repo.DeliveryRecord,
    key: str,
    seconds: float,
    slot: float | None,
    policy: RetryPolicy,
    why: str,
) -> str:
    """Our claim is given back without a send; past the retry horizon (after sends that failed, say an
    open breaker that never lets this delivery try again) the delivery gives up instead."""
    now = clock.epoch()
    repo.release_hold(record.event_id, record.id, clock.iso(), slot, now + seconds)
    sent = record.attempts - 1  # the claim counted one
    if sent > 0 and record.retry_since is not None and now - record.retry_since >= policy.horizon_seconds:
        outcome = Outcome.retry(f"{why}; last error: {record.last_error}")
        return _carry_out(message, record, next_step(outcome, sent, 0, now - record.retry_since, policy, 0.0), now)
    if (
        why == "circuit open"
        and message.queue_url
        and hold_step(seconds, message.receive_count, policy).action == "retry"
    ):
        held.add(key, held.HeldMessage(record.id, message.queue_url, message.receipt_handle), now)
    return _hold(message, record, seconds, policy, why)


def _hold(message: QueuedMessage, record: repo.DeliveryRecord, seconds: float, policy: RetryPolicy, why: str) -> str:
    metrics.add_metric(name="DeliveryHeld", unit="Count", value=1)
    step = hold_step(seconds, message.receive_count, policy)
    if step.action == "reschedule":
        replay.requeue(record.kind, record.event_id, record.id, step.delay, record.org_id)
        return "held"
    _set_visibility(message, step.delay)
    raise RetryLater(f"{why}: held {step.delay} s")


def _record(message: QueuedMessage, record: repo.DeliveryRecord, key: str, gate: breaker.Gate, outcome: Outcome) -> str:
    now = clock.epoch()
    try:
        if key:
            if breaker.after_send(key, gate, outcome, now):
                logger.warning("circuit breaker opened", extra={"delivery_id": record.id, "kind": record.kind})
                metrics.add_metric(name="BreakerOpened", unit="Count", value=1)
            if outcome.result == "retry":
                pacing.provider_pause(key, now, outcome.retry_after)
        policy = RetryPolicy.from_settings()
        elapsed = now - (record.retry_since if record.retry_since is not None else now)
        step = next_step(outcome, record.attempts, message.receive_count, elapsed, policy, random.random())
        return _carry_out(message, record, step, now)
    except RetryLater:
        raise
    except Exception:
        # The outcome is not recorded and the lease stays: hold the message until the lease ends, so a
        # send that went through is not repeated while the lease says it may still be in progress.
        logger.exception("recording the outcome failed", extra={"delivery_id": record.id, "outcome": outcome.result})
        lease_end = record.lease_until if record.lease_until is not None else now + lease_seconds(get_settings())
        _set_visibility(message, max(1, int(lease_end - now + 1.999)))
        raise RetryLater("the outcome could not be recorded") from None


def _carry_out(message: QueuedMessage, record: repo.DeliveryRecord, step: Step, now: float) -> str:
    at = clock.iso()
    if step.action == "delivered":
        repo.finish(record.event_id, record.id, "delivered", at)
        metrics.add_metric(name="DeliverySucceeded", unit="Count", value=1)
        return "delivered"
    if step.action in ("failed", "give_up"):
        repo.finish(record.event_id, record.id, "failed", at, step.reason)
        metrics.add_metric(name="DeliveryFailed", unit="Count", value=1)
        if step.action == "give_up":
            _dead_letter(record)
        return "failed"
    repo.release_for_retry(record.event_id, record.id, at, step.reason, now + step.delay)
    metrics.add_metric(name="DeliveryRetried", unit="Count", value=1)
    if step.action == "reschedule":
        replay.requeue(record.kind, record.event_id, record.id, step.delay, record.org_id)
        return "rescheduled"
    _set_visibility(message, step.delay)
    raise RetryLater(step.reason)


def _dead_letter(record: repo.DeliveryRecord) -> None:
    """The retry horizon has passed: the message goes to the kind's dead-letter queue (its alarm fires;
    `herald deliveries redrive` resends it), and the record says failed with the last error."""
    metrics.add_metric(name="DeliveryDeadLettered", unit="Count", value=1)
    if not replay.dead_letter(record.kind, record.event_id, record.id):
        logger.warning("no dead-letter queue configured", extra={"kind": record.kind, "delivery_id": record.id})


def _set_visibility(message: QueuedMessage, seconds: int) -> None:
    if not message.queue_url:
        return
    try:
        client("sqs").change_message_visibility(
            QueueUrl=message.queue_url, ReceiptHandle=message.receipt_handle, VisibilityTimeout=seconds
        )
    except Exception:
        logger.exception("ChangeMessageVisibility failed; the queue's default visibility applies")
