"""Events, keyed by their own id so that load spreads over partitions; deliveries share the partition."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Key

from herald.data import keys
from herald.data.table import query_all, table


def put(item: dict[str, Any]) -> None:
    table().put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")


@dataclass
class EventPartition:
    """Everything stored under one event: the event item, its delivery records, its OnCall escalations."""

    event: dict[str, Any] | None
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)


def read_partition(event_id: str) -> EventPartition:
    """One Query (one page per 1 MB) reads the event and everything stored under it."""
    items = query_all(KeyConditionExpression=Key("pk").eq(keys.event_partition(event_id)), ConsistentRead=True)
    return EventPartition(
        event=next((item for item in items if item["sk"] == "EVENT"), None),
        deliveries=[item for item in items if str(item["sk"]).startswith(keys.DELIVERY_PREFIX)],
        escalations=[item for item in items if str(item["sk"]).startswith(keys.ESCALATION_PREFIX)],
    )


def get_with_deliveries(event_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    partition = read_partition(event_id)
    return partition.event, partition.deliveries


def get(event_id: str) -> dict[str, Any] | None:
    item = table().get_item(Key=keys.event(event_id), ConsistentRead=True).get("Item")
    return dict(item) if item else None


def between(org_id: str, since: str, until: str) -> list[dict[str, Any]]:
    """An org's events created in [since, until] (ISO 8601 UTC), oldest first: one paginated Query on GSI1."""
    return query_all(
        IndexName="gsi1",
        KeyConditionExpression=Key("gsi1pk").eq(keys.org_events_gsi(org_id))
        & Key("gsi1sk").between(since, until + "~"),
    )
