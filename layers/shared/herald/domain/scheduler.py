"""The scheduler's tick: run every due timer once, through the job registered for its kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from herald import clock
from herald.data import timers
from herald.observability import logger

Job = Callable[[dict[str, Any]], None]
JOBS: dict[str, Job] = {}


def register(kind: str) -> Callable[[Job], Job]:
    def wrap(job: Job) -> Job:
        JOBS[kind] = job
        return job

    return wrap


def tick(now: float | None = None) -> dict[str, int]:
    now = clock.epoch() if now is None else now
    counts = {"ran": 0, "failed": 0, "unknown": 0}
    for item in timers.due(now):
        timer_id = str(item["pk"]).split("#", 1)[1]
        job = JOBS.get(str(item.get("kind")))
        if job is None:
            counts["unknown"] += 1
            logger.warning("timer of unknown kind", extra={"timer_id": timer_id, "kind": item.get("kind")})
            continue
        if not timers.claim(timer_id, now):
            continue
        try:
            job(dict(item.get("payload") or {}))
            timers.done(timer_id)
            counts["ran"] += 1
        except Exception:
            counts["failed"] += 1
            logger.exception("timer job failed", extra={"timer_id": timer_id})
    return counts
