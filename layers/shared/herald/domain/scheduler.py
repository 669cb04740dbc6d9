"""The scheduler's tick: run every due timer once, through the job registered for its kind.

Timers are read from the checkpoint (the oldest hour that may still hold one not yet run) forward, so a
timer hours overdue after an outage still runs. The checkpoint then moves to the oldest hour still
holding a timer that did not run (failed, leased by another tick, of an unknown kind), else to now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from herald import clock
from herald.data import table_keys, timers
from herald.observability import logger, metrics

Job = Callable[[dict[str, Any]], None]
JOBS: dict[str, Job] = {}
# A timer found this long after it fell due counts as overdue (the schedule runs every minute).
OVERDUE_AFTER_SECONDS = 300.0
MAX_TIMERS_PER_TICK = 5000


def register(kind: str) -> Callable[[Job], Job]:
    def wrap(job: Job) -> Job:
        JOBS[kind] = job
        return job

    return wrap


def tick(now: float | None = None) -> dict[str, int]:
    now = clock.epoch() if now is None else now
    counts = {"ran": 0, "failed": 0, "unknown": 0}
    found = timers.due(now, limit=MAX_TIMERS_PER_TICK)
    unfinished = [timers.hour_of(found[-1])] if len(found) >= MAX_TIMERS_PER_TICK else []
    for item in found:
        timer_id = str(item["pk"]).split("#", 1)[1]
        if not _run(timer_id, item, now, counts):
            unfinished.append(timers.hour_of(item))
    timers.move_checkpoint(min(unfinished, default=table_keys.due_hour(now)))
    report_overdue(found, now)
    return counts


def report_overdue(found: list[dict[str, Any]], now: float) -> int:
    """The `OverdueTimers` metric (alarmed on): timers found more than 5 minutes after they fell due, i.e.
    the scheduler was down or behind."""
    overdue = sum(1 for item in found if now - float(item["due"]) > OVERDUE_AFTER_SECONDS)
    metrics.add_metric(name="OverdueTimers", unit="Count", value=overdue)
    if overdue:
        logger.warning("overdue timers", extra={"overdue": overdue})
    return overdue


def _run(timer_id: str, item: dict[str, Any], now: float, counts: dict[str, int]) -> bool:
    """Runs one timer; True when it is finished (run and deleted)."""
    job = JOBS.get(str(item.get("kind")))
    if job is None:
        counts["unknown"] += 1
        logger.warning("timer of unknown kind", extra={"timer_id": timer_id, "kind": item.get("kind")})
        return False
    if not timers.claim(timer_id, now):
        return False
    try:
        job(dict(item.get("payload") or {}))
    except Exception:
        counts["failed"] += 1
        logger.exception("timer job failed", extra={"timer_id": timer_id})
        return False
    timers.done(timer_id, item["due"])
    counts["ran"] += 1
    return True
