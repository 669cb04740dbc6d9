"""The sweeper: no delivery stays `pending` without a way forward.

A pending record is touched by every step that moves it (claim, hold, retry, reschedule) and says until
when it may stay quiet (`quietUntil`, `leaseUntil`). One that has been quiet for
`HERALD_SWEEP_AFTER_SECONDS` (default 900) past that has no message on its way: a send to SQS failed, a
message expired, a function was killed at the wrong moment. The sweeper, run by the scheduler at most
once a minute, queues it again; after `MAX_SWEEPS` such rescues, or past the retry horizon, it fails the
record with the reason (visible in GET /v1/events/{id} and the family's history).

Pending records are found through GSI2, a sparse index of pending records by the hour they became
pending (the attributes go when a record becomes final): one Query per hour of the retry horizon.
"""

from __future__ import annotations

from datetime import datetime

from herald import clock
from herald.data import deliveries as repo
from herald.data import table_keys
from herald.data.deliveries import DeliveryRecord
from herald.delivery import replay
from herald.observability import logger, metrics
from herald.settings import get_settings

MAX_SWEEPS = 3
SWEEP_EVERY_SECONDS = 60.0
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


def _last_touched(record: DeliveryRecord) -> float:
    return max(_epoch(record.updated_at), record.quiet_until or 0.0, record.lease_until or 0.0)


def _epoch(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0
