"""An event's delivery plan: the destinations fan-out queued, in chunks stored under the event.

A planned delivery has no record of its own until its delivery claims it by creating one (DELIVERY#,
data/deliveries.py); until then the plan is what shows it `pending`. A chunk is written once, only when
absent, and never changed, so a retried fan-out or page finds the same chunks and queues the same ids.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, ClassVar

from boto3.dynamodb.conditions import Key
from pydantic import BaseModel, Field, model_validator

from herald.data import table_keys
from herald.data.deliveries import DeliveryRecord
from herald.data.record import Record, StoredPart
from herald.data.table import query_all, table, written
from herald.data.unique import ABSENT
from herald.settings import get_settings

CHUNK_ENTRIES = 100  # destinations per plan item: a chunk stays far below DynamoDB's 400 KB item limit
CHUNK_BYTES = 300_000


class PlanEntry(StoredPart):
    """One planned destination: everything its delivery needs besides the event."""

    DROP_EMPTY: ClassVar[frozenset[str]] = frozenset({"config", "sealed", "alert_id"})

    id: str
    kind: str
    family: str
    destination_id: str
    destination_name: str = ""
    config: dict[str, str] = Field(default_factory=dict)
    sealed: dict[str, str] = Field(default_factory=dict)
    alert_id: str | None = None

    def size(self) -> int:
        return len(str(self.stored_attributes()))


class PlanChunk(Record):
    """One plan item: the event's facts a delivery record repeats, and up to CHUNK_ENTRIES destinations."""

    ITEM_TYPE: ClassVar[str] = "plan"
    NOT_STORED: ClassVar[frozenset[str]] = frozenset({"chunk", "planned_epoch"})  # in the keys
    DROP_EMPTY: ClassVar[frozenset[str]] = frozenset({"monitor_id", "dedup_key", "expires_at"})

    event_id: str
    chunk: int
    org_id: str
    created_at: str  # the event's
    planned_at: str
    planned_epoch: float
    event_status: str = "triggered"
    monitor_id: str | None = None
    dedup_key: str | None = None
    expires_at: int | None = Field(default=None, validation_alias="ttl", serialization_alias="ttl")
    entries: list[PlanEntry] = Field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.chunk:05d}"

    def entry(self, delivery_id: str) -> PlanEntry | None:
        return next((e for e in self.entries if e.id == delivery_id), None)

    def item_key(self) -> table_keys.Key:
        return table_keys.plan(self.event_id, self.chunk)

    def index_keys(self) -> dict[str, str]:
        # the sweeper finds, by the hour they were planned, plans whose deliveries never began
        return {
            "gsi2pk": table_keys.pending_bucket(self.planned_epoch),
            "gsi2sk": f"{self.planned_epoch:017.3f}#{self.event_id}#{self.ref}",
        }

    def extra_attributes(self) -> dict[str, Any]:
        return {"ids": [e.id for e in self.entries]}

    @model_validator(mode="before")
    @classmethod
    def _read_keys(cls, data: Any) -> Any:
        """An item's chunk number is in its sort key, its planning time in its GSI sort key."""
        if not isinstance(data, dict) or "sk" not in data:
            return data
        read = dict(data)
        read.setdefault("chunk", int(str(data["sk"]).removeprefix(table_keys.PLAN_PREFIX)))
        read.setdefault("plannedEpoch", float(str(data.get("gsi2sk", "0#")).split("#", 1)[0] or 0))
        if "plannedAt" not in read and "planned_at" not in read and "createdAt" in read:
            read["plannedAt"] = read["createdAt"]
        return read


def record_of(chunk: PlanChunk, entry: PlanEntry) -> DeliveryRecord:
    """The record of a planned delivery not begun yet: `pending`, no attempt. Its delivery creates it."""
    return DeliveryRecord(
        id=entry.id,
        event_id=chunk.event_id,
        org_id=chunk.org_id,
        kind=entry.kind,
        family=entry.family,
        destination_id=entry.destination_id,
        destination_name=entry.destination_name,
        plan=chunk.ref,
        dedup_key=chunk.dedup_key,
        created_at=chunk.created_at,
        updated_at=chunk.planned_at,
        alert_id=entry.alert_id,
        monitor_id=chunk.monitor_id,
        event_status=chunk.event_status,
        expires_at=chunk.expires_at,
    )


def unclaimed(chunks: Iterable[PlanChunk], recorded: set[str]) -> list[DeliveryRecord]:
    """The planned deliveries that have no record yet, as their pending records."""
    return [record_of(chunk, entry) for chunk in chunks for entry in chunk.entries if entry.id not in recorded]


def chunked(entries: Iterable[PlanEntry]) -> list[list[PlanEntry]]:
    """Entries in plan-sized groups: at most CHUNK_ENTRIES each, and at most CHUNK_BYTES."""
    groups: list[list[PlanEntry]] = []
    current: list[PlanEntry] = []
    size = 0
    for entry in entries:
        entry_size = entry.size()
        if current and (len(current) >= CHUNK_ENTRIES or size + entry_size > CHUNK_BYTES):
            groups.append(current)
            current, size = [], 0
        current.append(entry)
        size += entry_size
    if current:
        groups.append(current)
    return groups


def put_if_absent(chunk: PlanChunk) -> bool:
    """False when the chunk number is taken (a concurrent plan of the same event: the caller retries)."""
    return written(table().put_item, Item=chunk.to_item(), ConditionExpression=ABSENT)


def get(event_id: str, ref: str) -> PlanChunk | None:
    item = table().get_item(Key=table_keys.plan(event_id, int(ref)), ConsistentRead=True).get("Item")
    return PlanChunk.from_item(item) if item else None


@functools.lru_cache(maxsize=512)
def _cached(table_name: str, event_id: str, ref: str) -> PlanChunk:
    chunk = get(event_id, ref)
    if chunk is None:
        raise LookupError(f"no plan chunk {ref} for event {event_id}")
    return chunk


def cached(event_id: str, ref: str) -> PlanChunk | None:
    """A plan chunk never changes once written: a container reads each one once (one GetItem for every
    delivery of it that lands here). A chunk not found is not remembered."""
    try:
        return _cached(get_settings().table_name, event_id, ref)
    except LookupError:
        return None


def clear_cache() -> None:
    _cached.cache_clear()


def of_event(event_id: str, from_chunk: int = 0) -> list[PlanChunk]:
    """The event's plan chunks from `from_chunk` on, in order (one Query, a page per 1 MB)."""
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.event_partition(event_id))
        & Key("sk").between(table_keys.plan(event_id, from_chunk)["sk"], table_keys.PLAN_PREFIX + "~"),
        ConsistentRead=True,
    )
    return [PlanChunk.from_item(item) for item in items]


def planned_between(bucket: str, since: float, until: float) -> list[tuple[str, str]]:
    """(event id, chunk ref) of the plans of one hour bucket planned in (since, until] (GSI2)."""
    items = query_all(
        IndexName="gsi2",
        KeyConditionExpression=Key("gsi2pk").eq(bucket) & Key("gsi2sk").between(f"{since:017.3f}~", f"{until:017.3f}~"),
    )
    return [
        (str(item["eventId"]), str(item["sk"]).removeprefix(table_keys.PLAN_PREFIX))
        for item in items
        if item.get("type") == "plan"
    ]


def checkpoint() -> float | None:
    item = table().get_item(Key=table_keys.plans_checkpoint(), ConsistentRead=True).get("Item")
    return float(item["until"]) if item else None


def set_checkpoint(until: float) -> None:
    table().put_item(Item={**table_keys.plans_checkpoint(), "type": "checkpoint", "until": Decimal(f"{until:.3f}")})


class Progress(BaseModel):
    """What an event's partition says of its deliveries: the planned ids (with their chunk) and the
    statuses of the records created so far."""

    planned: dict[str, str] = Field(default_factory=dict)
    statuses: dict[str, str] = Field(default_factory=dict)
    next_chunk: int = 0

    def unclaimed(self) -> list[str]:
        return [delivery_id for delivery_id in self.planned if delivery_id not in self.statuses]


def progress(event_id: str) -> Progress:
    """One Query of the event's partition, ids and statuses only."""
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.event_partition(event_id)),
        ProjectionExpression="sk, id, #status, ids",
        ExpressionAttributeNames={"#status": "status"},
        ConsistentRead=True,
    )
    found = Progress()
    for item in items:
        sk = str(item["sk"])
        if sk.startswith(table_keys.PLAN_PREFIX):
            ref = sk.removeprefix(table_keys.PLAN_PREFIX)
            found.planned.update(dict.fromkeys((str(i) for i in item.get("ids") or []), ref))
            found.next_chunk = max(found.next_chunk, int(ref) + 1)
        elif sk.startswith(table_keys.DELIVERY_PREFIX):
            found.statuses[str(item["id"])] = str(item.get("status", ""))
    return found
