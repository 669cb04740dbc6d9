"""A driven clock for Herald's time (herald/clock.py): epoch() and every timestamp follow `now`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from herald import clock

T0 = 1_900_000_000.0


class FakeClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: float = T0) -> None:
        self.now = start
        monkeypatch.setattr(clock, "epoch", lambda: self.now)
        monkeypatch.setattr(clock, "now", lambda: datetime.fromtimestamp(self.now, UTC))

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, moment: float) -> None:
        self.now = moment
