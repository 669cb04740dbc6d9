"""Each org's effective caps (defaults of herald.limits, overridden by the operator's LIMITS item), the
counters that enforce them, and the day-keyed counters of the daily send quotas.

A counter is one item per org and capped thing (`COUNTER#<NAME>`), moved in the same transaction as the
create or delete it counts: the create's `Update` adds one only while the count is below the cap, so two
racing creates cannot both take the last place, and a refused create writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from herald.data import table_keys
from herald.data.table import ConditionFailed, table
from herald.data.unique import Guard, below
from herald.errors import CapReached
from herald.limits import DEFAULTS

CONDITION_FAILED = "ConditionalCheckFailed"


def overrides(org_id: str) -> dict[str, int]:
    item = table().get_item(Key=table_keys.org_limits(org_id), ConsistentRead=True).get("Item") or {}
    return {name: int(item[name]) for name in DEFAULTS if item.get(name) is not None}


def effective(org_id: str) -> dict[str, int]:
    return {**DEFAULTS, **overrides(org_id)}


def limit(org_id: str, name: str) -> int:
    return effective(org_id)[name]


def override(org_id: str, values: dict[str, int]) -> dict[str, int]:
    """Stores the given overrides (the others stay as they were); returns the effective limits."""
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown limits: {', '.join(unknown)}")
    if any(value < 0 for value in values.values()):
        raise ValueError("a limit cannot be negative")
    if values:
        names = {f"#n{i}": name for i, name in enumerate(values)}
        table().update_item(
            Key=table_keys.org_limits(org_id),
            UpdateExpression="SET #type = :type, " + ", ".join(f"#n{i} = :v{i}" for i in range(len(values))),
            ExpressionAttributeNames={"#type": "type", **names},
            ExpressionAttributeValues={":type": "org_limits", **{f":v{i}": v for i, v in enumerate(values.values())}},
        )
    return effective(org_id)


def count(org_id: str, counter: str) -> int:
    item = table().get_item(Key=table_keys.org_counter(org_id, counter), ConsistentRead=True).get("Item") or {}
    return int(item.get("count", 0))


def take(org_id: str, counter: str, cap: int, name: str) -> Guard:
    """A guard of the transaction (herald.data.unique), reported as `name`: one more on the counter, only
    while it is below `cap`."""
    return below(name, table_keys.org_counter(org_id, counter), cap)


def give_back(org_id: str, counter: str) -> dict[str, Any]:
    """A transaction item (herald.data.unique.transact): one less on the counter. Unconditional, so a
    delete never fails on it (things created before their cap was counted take the count below zero:
    room the org already used)."""
    return {"Update": _one_less(org_id, counter)}


def give_back_now(org_id: str, counter: str) -> None:
    """One less on the counter, on its own (for a delete that could not name the org in its transaction)."""
    table().update_item(**_one_less(org_id, counter))


def _one_less(org_id: str, counter: str) -> dict[str, Any]:
    return {
        "Key": table_keys.org_counter(org_id, counter),
        "UpdateExpression": "ADD #count :minus",
        "ExpressionAttributeNames": {"#count": "count"},
        "ExpressionAttributeValues": {":minus": -1},
    }


@dataclass(frozen=True)
class Taken:
    """A counter's guard (named after its cap) and the words of the refusal when it fails."""

    guard: Guard
    message: str

    @property
    def item(self) -> dict[str, Any]:
        """The guard's transaction item (without TableName, as herald.data.unique.transact takes it)."""
        return self.guard.write

    @property
    def name(self) -> str:
        return self.guard.name

    def refused(self) -> CapReached:
        return CapReached(self.message)

    def check(self, reasons: list[str], index: int) -> None:
        """Raises CapReached when the transaction was cancelled by this item, placed at `index`."""
        if len(reasons) > index and reasons[index] == CONDITION_FAILED:
            raise self.refused()


def take_capped(org_id: str, counter: str, cap_name: str, message: str) -> Taken:
    """One more on `counter` under the org's cap `cap_name`; `message` is formatted with the cap."""
    cap = limit(org_id, cap_name)
    return Taken(take(org_id, counter, cap, cap_name), message.format(cap=cap))


def take_destination(org_id: str, counter: str, what: str) -> Taken:
    """One more of a family's destinations (`what`, plural, for the message), under the destinations cap."""
    return take_capped(
        org_id, counter, "destinations", f"destinations cap reached: this org may have at most {{cap}} {what}"
    )


QUOTA_TTL_SECONDS = 2 * 24 * 3600


def spend(org_id: str, kind: str, day: str, amount: int, quota: int, expires: int) -> bool:
    """Adds `amount` sends to the org's count of `kind` for `day` only while it stays within `quota`;
    False (and nothing counted) when it would not."""
    if amount > quota:
        return False
    try:
        table().update_item(
            Key=table_keys.org_quota(org_id, kind, day),
            UpdateExpression="ADD #sent :amount SET #type = :type, #ttl = :ttl",
            ConditionExpression="attribute_not_exists(#sent) OR #sent <= :room",
            ExpressionAttributeNames={"#sent": "sent", "#type": "type", "#ttl": "ttl"},
            ExpressionAttributeValues={":amount": amount, ":room": quota - amount, ":type": "quota", ":ttl": expires},
        )
    except ConditionFailed:
        return False
    return True


def spent(org_id: str, kind: str, day: str) -> int:
    item = table().get_item(Key=table_keys.org_quota(org_id, kind, day), ConsistentRead=True).get("Item") or {}
    return int(item.get("sent", 0))
