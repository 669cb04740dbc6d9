"""Events, keyed by their own id so that load spreads over partitions; deliveries share the partition."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from herald.data import keys
from herald.data.table import table


def put(item: dict[str, Any]) -> None:
    table().put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")


def get_with_deliveries(event_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """One Query returns the event and all of its delivery records."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("pk").eq(keys.event_partition(event_id)),
        "ConsistentRead": True,
    }
    while True:
        page = table().query(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    event = next((item for item in items if item["sk"] == "EVENT"), None)
    deliveries = [item for item in items if str(item["sk"]).startswith(keys.DELIVERY_PREFIX)]
    return event, deliveries
