"""Moved to herald.delivery.replay."""

from herald.delivery.replay import (
    REPLAY_JOB,
    ReplayReport,
    events_between,
    events_by_id,
    redrive,
    replay_events,
    requeue,
)

__all__ = ["REPLAY_JOB", "ReplayReport", "events_between", "events_by_id", "redrive", "replay_events", "requeue"]
