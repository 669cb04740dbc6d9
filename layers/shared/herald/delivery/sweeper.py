"""The sweeper: no delivery stays `pending` without a way forward.

A pending record is touched by every step that moves it (claim, hold, retry, reschedule) and says until
when it may stay quiet (`quietUntil`, `leaseUntil`). One that has been quiet for
`HERALD_SWEEP_AFTER_SECONDS` (default 900) past that has no message on its way: a send to SQS failed, a
message expired, a function was killed at the wrong moment. The sweeper, run by the scheduler at most
once a minute, queues it again; after `MAX_SWEEPS` such rescues, or past the retry horizon, it fails the
record with the reason (visible in GET /v1/events/{id} and the family's history).

Pending records are found through GSI2, a sparse index of pending records by the hour they became
pending (the attributes go when a record becomes final): one Query per hour of the retry horizon.

A planned delivery whose first message never arrived has no record at all: its plan chunk is in GSI2
too, by the hour it was planned. Each plan is looked at once, when it has been quiet for
`HERALD_SWEEP_AFTER_SECONDS` (a checkpoint says up to when plans were looked at): each of its deliveries
that has no record yet gets one, `pending`, and a fresh message; from then on the records' sweep above
watches it.
"""

from __future__ import annotations

from datetime import datetime

from herald import clock
from herald.data import deliveries as repo
from herald.data import plans, table_keys
from herald.data.deliveries import DeliveryRecord
from herald.delivery import replay
from herald.observability import logger, metrics
from herald.settings import get_settings

MAX_SWEEPS = 3
SWEEP_EVERY_SECONDS = 60.0
FIRST_PLANS_LOOKBACK_SECONDS = 3600.0  # how far back the first sweep of plans looks (no checkpoint yet)
_last_sweep = {"at": 0.0}


def sweep_if_due(now: float | None = None) -> dict[str, int]:
    now = clock.epoch() if now is None else now
    if now - _last_sweep["at"] < SWEEP_EVERY_SECONDS:
        return {"requeued": 0, "failed": 0}
    _last_sweep["at"] = now
    return sweep(now)


def sweep(now: float) -> dict[str, int]:
    settings = get_settings()
    counts = {"requeued": 0, "failed": 0}
    first_hour = int(now - settings.retry_horizon_seconds - 2 * 3600) // 3600
    last_hour = int(now - settings.sweep_after_seconds) // 3600
    for hour in range(first_hour, last_hour + 1):
        for record in repo.pending_since(table_keys.pending_bucket(hour * 3600)):
            if now - _last_touched(record) > settings.sweep_after_seconds:
                counts[_rescue(record, now, settings.retry_horizon_seconds)] += 1
    counts["requeued"] += sweep_plans(now, settings.sweep_after_seconds)
    if counts["requeued"] or counts["failed"]:
        logger.warning("swept stranded deliveries", extra=counts)
        metrics.add_metric(name="DeliveriesSwept", unit="Count", value=counts["requeued"] + counts["failed"])
    return counts


def _rescue(record: DeliveryRecord, now: float, horizon: float) -> str:
    began = record.retry_since if record.retry_since is not None else _epoch(record.created_at)
    if record.sweeps >= MAX_SWEEPS or now - began > horizon:
        reason = f"stranded: pending with no queued message since {record.updated_at}"
        if record.last_error:
            reason += f"; last error: {record.last_error}"
        return "failed" if repo.fail_if_pending(record.event_id, record.id, clock.iso(), reason) else "requeued"
    if repo.mark_swept(record.event_id, record.id, clock.iso(), now, now):
        replay.requeue(record.kind, record.event_id, record.id, 0, record.org_id)
    return "requeued"


def sweep_plans(now: float, quiet_seconds: float) -> int:
    """Gives a record and a message to each planned delivery, planned since the checkpoint and quiet for
    `quiet_seconds`, that never began; returns how many."""
    until = now - quiet_seconds
    since = plans.checkpoint()
    since = until - FIRST_PLANS_LOOKBACK_SECONDS if since is None else since
    if until <= since:
        return 0
    rescued = 0
    for hour in range(int(since) // 3600, int(until) // 3600 + 1):
        for event_id, ref in plans.planned_between(table_keys.pending_bucket(hour * 3600), since, until):
            chunk = plans.get(event_id, ref)
            if chunk is not None:
                rescued += _rescue_planned(chunk, set(plans.progress(event_id).statuses), now)
    plans.set_checkpoint(until)
    return rescued


def _rescue_planned(chunk: plans.PlanChunk, recorded: set[str], now: float) -> int:
    rescued = 0
    for record in plans.unclaimed([chunk], recorded):
        record.updated_at, record.quiet_until, record.sweeps = clock.iso(), now, 1
        if repo.put_if_absent(record):
            replay.requeue(record.kind, record.event_id, record.id, 0)
            rescued += 1
    return rescued


def _last_touched(record: DeliveryRecord) -> float:
    return max(_epoch(record.updated_at), record.quiet_until or 0.0, record.lease_until or 0.0)


def _epoch(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0
