"""A destination's delivery state: its pacing record and its circuit-breaker record live in one partition
(table_keys.destination_partition), so one Query (one read unit) returns both.

Inside `one_read_per_batch()` (the delivery function's batch), a destination's state is read once for
the batch's messages, which are sent at the same moment anyway. It only decides whether to wait: slot
reservations and breaker transitions are conditional writes, which re-read when the state moved on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from boto3.dynamodb.conditions import Key

from herald.data import table_keys
from herald.data.table import table
from herald.memo import Memo


@dataclass(frozen=True)
class DestinationState:
    next_allowed: float  # epoch seconds; 0 when the destination has no pacing record
    breaker: dict[str, Any] | None  # None: closed and no recent failures


_batch: ContextVar[Memo[DestinationState] | None] = ContextVar("herald_destination_states", default=None)


@contextmanager
def one_read_per_batch() -> Iterator[None]:
    token = _batch.set(Memo())
    try:
        yield
    finally:
        _batch.reset(token)


def read(destination_key: str) -> DestinationState:
    memo = _batch.get()
    if memo is None:
        return _query(destination_key)
    return memo.get(destination_key, partial(_query, destination_key))


def _query(destination_key: str) -> DestinationState:
    items = table().query(
        KeyConditionExpression=Key("pk").eq(table_keys.destination_partition(destination_key)), ConsistentRead=True
    )["Items"]
    by_sort_key = {str(item["sk"]): dict(item) for item in items}
    pace = by_sort_key.get(table_keys.pacing(destination_key)["sk"]) or {}
    next_allowed = float(pace["nextAllowedAt"]) if pace.get("nextAllowedAt") is not None else 0.0
    return DestinationState(next_allowed, by_sort_key.get(table_keys.breaker(destination_key)["sk"]))
