"""Optimistic concurrency: read, compute, write on the condition that nothing changed, and on a lost race
read again. WriteConflict is the one name of a lost race; `optimistic()` the one retry loop."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from herald.errors import ServiceUnavailable


class WriteConflict(ServiceUnavailable):
    """Someone else wrote what this write was computed from since it was read: read again and retry.
    Unretried, it answers as a dependency asking for a retry (503)."""

    def __init__(self, message: str = "Changed concurrently, try again") -> None:
        super().__init__(message)


def jittered(tries: int) -> float:
    """Exponential backoff with full jitter (capped at 250 ms): spreads racing writers apart."""
    return random.uniform(0, min(0.25, 0.004 * 2 ** min(tries, 6)))


def optimistic[T](
    attempt: Callable[[], T],
    exhausted: Exception,
    attempts: int,
    backoff: Callable[[int], float] = jittered,
) -> T:
    """`attempt()` (which reads, computes and writes conditionally) until it does not raise WriteConflict;
    `exhausted` after `attempts` lost races."""
    for tries in range(attempts):
        try:
            return attempt()
        except WriteConflict:
            if tries + 1 < attempts:
                time.sleep(backoff(tries))
    raise exhausted


def versioned_put(item: dict[str, Any], version: int) -> dict[str, Any]:
    """The Put (for `unique.transact`, or `table().put_item(**...)`) of `item` at version + 1, applied only
    over `version`, the version it was computed from (0: only while the item does not exist)."""
    put: dict[str, Any] = {"Item": {**item, "version": version + 1}}
    if version == 0:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put["ConditionExpression"] = "version = :v"
        put["ExpressionAttributeValues"] = {":v": version}
    return put
