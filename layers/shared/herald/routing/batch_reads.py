"""An org's destinations are read once per stream batch, not once per event.

A stream batch holds up to 100 events, usually of a few orgs; every router would otherwise Query the same
org's alerts, channels, groups and endpoints for each event. Inside `one_read_per_batch()` the first read of
(what, org) is kept for the rest of the batch. Every record in the batch was written before the batch was
read, so a destination saved before an event is always seen by it. Only configuration is kept this way:
cooldowns and Mackerel's critical-incident state are conditional writes, never cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_memo: ContextVar[dict[tuple[str, str], Any] | None] = ContextVar("herald_batch_reads", default=None)


@contextmanager
def one_read_per_batch() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def read[T](what: str, org_id: str, load: Callable[[], T]) -> T:
    """load() once per (what, org) inside a batch; every time outside one."""
    memo = _memo.get()
    if memo is None:
        return load()
    key = (what, org_id)
    if key not in memo:
        memo[key] = load()
    return memo[key]  # type: ignore[no-any-return]
