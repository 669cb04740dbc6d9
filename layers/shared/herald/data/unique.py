"""`put_unique`: a new item put together with its guards in one transaction, so that two racing creates
cannot both pass a uniqueness or limit check. GuardFailed names the guard that did not hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from herald.data import table_keys
from herald.data.concurrency import WriteConflict
from herald.data.record import Record
from herald.data.table import TransactionCanceled, client, table

RECORD = "record"  # the guard name reported when the record's own key is taken
ABSENT = "attribute_not_exists(pk)"
PRESENT = "attribute_exists(pk)"


@dataclass(frozen=True)
class Guard:
    """One condition of the transaction: `name` is what GuardFailed reports, `write` its TransactItem
    (without TableName)."""

    name: str
    write: dict[str, Any]


class GuardFailed(Exception):
    def __init__(self, guard: str) -> None:
        super().__init__(guard)
        self.guard = guard


def unique(name: str, key: table_keys.Key, **attributes: Any) -> Guard:
    """A guard item that only one holder may write (a name per org, an email per org)."""
    return Guard(name, {"Put": {"Item": {**key, **attributes}, "ConditionExpression": ABSENT}})


def exists(name: str, key: table_keys.Key) -> Guard:
    return Guard(name, {"ConditionCheck": {"Key": key, "ConditionExpression": PRESENT}})


def below(name: str, counter: table_keys.Key, limit: int) -> Guard:
    """Counts one more on a per-org counter, only while it is below `limit`."""
    return Guard(
        name,
        {
            "Update": {
                "Key": counter,
                "UpdateExpression": "ADD #count :one SET #type = :type",
                "ConditionExpression": "attribute_not_exists(#count) OR #count < :limit",
                "ExpressionAttributeNames": {"#count": "count", "#type": "type"},
                "ExpressionAttributeValues": {":one": 1, ":limit": limit, ":type": "counter"},
            }
        },
    )


def put_unique(record: Record | dict[str, Any], guards: Sequence[Guard]) -> None:
    """Puts the new item (it must not exist yet) only if every guard holds. GuardFailed names the first
    guard (in the order given) that did not, RECORD when the item existed; WriteConflict when a concurrent
    transaction got in the way."""
    item = record.to_item() if isinstance(record, Record) else record
    writes = [guard.write for guard in guards] + [{"Put": {"Item": item, "ConditionExpression": ABSENT}}]
    try:
        transact(writes)
    except TransactionCanceled as canceled:
        for index, name in enumerate([guard.name for guard in guards] + [RECORD]):
            if canceled.failed(index):
                raise GuardFailed(name) from None
        if canceled.conflicting:
            raise WriteConflict() from None
        raise


def transact(writes: Sequence[dict[str, Any]]) -> None:
    """One TransactWriteItems on the table: each write is {"Put"|"Update"|"Delete"|"ConditionCheck": {...}}
    without its TableName."""
    name = table().name
    client().transact_write_items(
        TransactItems=[{kind: {"TableName": name, **body} for kind, body in write.items()} for write in writes]
    )
