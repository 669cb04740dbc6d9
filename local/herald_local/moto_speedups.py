"""Where moto's emulation costs more than the service it stands in for, in ways that only show at scale.

moto answers a DynamoDB Query on the table by sorting every item of the table, then keeping the
partition's: each Query costs O(N log N) in the table's size, and the deliveries of one event to 5,000
destinations spent minutes there. The patch hands the query the partition's items alone (a Query on an
index is left as it is).

moto's SQS queue counts its messages on every send (`queue.attributes` computes the approximate counts
to read one setting) and on every message received (to read the retention period), reading the clock
twice per message counted: sending or draining n messages costs O(n²) clock reads, and a fan-out to
5,000 destinations spent minutes there. The patches read the retention period straight from the queue
and count with one clock read per pass; what a caller sees is unchanged.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.core.utils import unix_time, unix_time_millis
from moto.dynamodb.models.table import Table
from moto.sqs.models import Queue, SQSBackend

_querying = threading.local()  # the (table, hash key) of the table Query this thread is running


def apply() -> None:
    """Idempotent; affects every moto backend in this process (in-process mocks and the local server)."""
    for (cls, name), patch in _patches().items():
        setattr(cls, name, patch)


def _patches() -> dict[tuple[type, str], Any]:
    return {
        (SQSBackend, "is_message_valid_based_on_retention_period"): _within_retention,
        (Queue, "messages"): property(_visible_messages),
        (Queue, "approximate_number_of_messages"): property(lambda queue: len(_visible_messages(queue))),
        (Queue, "approximate_number_of_messages_not_visible"): property(_not_visible),
        (Queue, "approximate_number_of_messages_delayed"): property(_delayed),
        (Table, "query"): _query_partition,
        (Table, "all_items"): _all_items,
    }


def restore() -> None:
    """moto as it was imported."""
    for (cls, name), original in ORIGINALS.items():
        setattr(cls, name, original)


def _query_partition(table: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    on_index = (args[6] if len(args) > 6 else kwargs.get("index_name")) is not None
    if on_index or hash_key is None or not table.range_key_attr:
        return ORIGINALS[(Table, "query")](table, hash_key, *args, **kwargs)
    _querying.partition = (table, hash_key)
    try:
        return ORIGINALS[(Table, "query")](table, hash_key, *args, **kwargs)
    finally:
        _querying.partition = None


def _all_items(table: Table) -> list[Any]:
    partition = getattr(_querying, "partition", None)
    if partition is not None and partition[0] is table:
        return list(table.items.get(partition[1], {}).values())  # the query sorts them by range key
    return ORIGINALS[(Table, "all_items")](table)  # type: ignore[no-any-return]


def _within_retention(backend: SQSBackend, queue_name: str, message: Any) -> bool:
    retention_seconds = int(backend.get_queue(queue_name).message_retention_period)  # type: ignore[attr-defined]
    return bool(retention_seconds + message.sent_timestamp / 1000 > unix_time())


def _visible_messages(queue: Queue) -> list[Any]:
    now = unix_time_millis()
    return [m for m in queue._messages if now > m.visible_at and not now < m.delayed_until]


def _not_visible(queue: Queue) -> int:
    now = unix_time_millis()
    return sum(1 for m in queue._messages if not now > m.visible_at)


def _delayed(queue: Queue) -> int:
    now = unix_time_millis()
    return sum(1 for m in queue._messages if now < m.delayed_until)


# moto's own code, as imported (restore() puts it back; a test compares answers with and without the patches)
ORIGINALS: dict[tuple[type, str], Any] = {(cls, name): cls.__dict__[name] for cls, name in _patches()}
