"""Events, keyed by their own id so that load spreads over partitions; deliveries share the partition."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from herald.data import plans, table_keys
from herald.data.table import query_all, table


def put(item: dict[str, Any]) -> None:
    table().put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")


@dataclass
class EventPartition:
    """Everything stored under one event: the event item, its deliveries, its OnCall escalations.

    `deliveries` holds the delivery records and, as pending records, the planned deliveries that have not
    begun (data/plans.py)."""

    event: dict[str, Any] | None
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)


def read_partition(event_id: str) -> EventPartition:
    """One Query (one page per 1 MB) reads the event and everything stored under it."""
    items = query_all(KeyConditionExpression=Key("pk").eq(table_keys.event_partition(event_id)), ConsistentRead=True)
    deliveries = [item for item in items if str(item["sk"]).startswith(table_keys.DELIVERY_PREFIX)]
    chunks = [plans.PlanChunk.from_item(item) for item in items if str(item["sk"]).startswith(table_keys.PLAN_PREFIX)]
    recorded = {str(item["id"]) for item in deliveries}
    return EventPartition(
        event=next((item for item in items if item["sk"] == "EVENT"), None),
        deliveries=deliveries + [record.to_item() for record in plans.unclaimed(chunks, recorded)],
        escalations=[item for item in items if str(item["sk"]).startswith(table_keys.ESCALATION_PREFIX)],
    )


def get_with_deliveries(event_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    partition = read_partition(event_id)
    return partition.event, partition.deliveries


def get(event_id: str) -> dict[str, Any] | None:
    item = table().get_item(Key=table_keys.event(event_id), ConsistentRead=True).get("Item")
    return dict(item) if item else None


def between(org_id: str, since: str, until: str) -> list[dict[str, Any]]:
    """An org's events created in [since, until] (ISO 8601 UTC), oldest first: one paginated Query on GSI1."""
    return query_all(
        IndexName="gsi1",
        KeyConditionExpression=Key("gsi1pk").eq(table_keys.org_events_gsi(org_id))
        & Key("gsi1sk").between(since, until + "~"),
    )


@dataclass
class EventFilter:
    status: str | None = None
    dedup_key: str | None = None
    monitor_id: str | None = None
    source: str | None = None

    def expression(self) -> Any:
        """A FilterExpression of the set filters (None when there are none)."""
        parts = []
        if self.status:
            parts.append(Attr("status").eq(self.status))
        if self.dedup_key:
            parts.append(Attr("dedupKey").eq(self.dedup_key))
        if self.monitor_id:
            parts.append(Attr("monitorId").eq(self.monitor_id))
        if self.source:
            # events stored before intakes had a source came through the API
            source = Attr("source").eq(self.source)
            parts.append(source | Attr("source").not_exists() if self.source == "api" else source)
        expression = None
        for part in parts:
            expression = part if expression is None else expression & part
        return expression


PAGE_READS = 10  # a filtered page reads at most this many 1 MB pages of the index; the cursor goes on


def page(
    org_id: str,
    since: str,
    until: str,
    filters: EventFilter,
    limit: int,
    start: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """An org's events created in [since, until], newest first: Queries of GSI1 (never a Scan).
    Returns up to `limit` items and the key to go on from (None at the end)."""
    kwargs: dict[str, Any] = {
        "IndexName": "gsi1",
        "KeyConditionExpression": Key("gsi1pk").eq(table_keys.org_events_gsi(org_id))
        & Key("gsi1sk").between(since, until + "~"),
        "ScanIndexForward": False,
    }
    expression = filters.expression()
    if expression is not None:
        kwargs["FilterExpression"] = expression
    if start:
        kwargs["ExclusiveStartKey"] = start
    found: list[dict[str, Any]] = []
    for _ in range(PAGE_READS):
        kwargs["Limit"] = limit if expression is None else max(limit, 200)
        answer = table().query(**kwargs)
        for item in answer.get("Items", []):
            found.append(dict(item))
            if len(found) == limit:
                return found, {k: item[k] for k in ("pk", "sk", "gsi1pk", "gsi1sk")}
        if "LastEvaluatedKey" not in answer:
            return found, None
        kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    return found, kwargs["ExclusiveStartKey"]


def delivery_statuses(event_id: str) -> list[str]:
    """The status of each delivery of an event, planned ones not begun as `pending`: one Query of its
    partition, ids and statuses only."""
    progress = plans.progress(event_id)
    return [*progress.statuses.values(), *["pending"] * len(progress.unclaimed())]
