"""Time in one place, so tests can drive it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def epoch() -> float:
    return time.time()


def iso(moment: datetime | None = None) -> str:
    """ISO 8601 UTC with a Z and no fractional seconds below milliseconds."""
    moment = moment or now()
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
