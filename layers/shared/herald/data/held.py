"""Deliveries held by an open circuit breaker: where each waits (its queue and receipt handle), so that a
successful probe can make them visible at once instead of leaving them to their hold time."""

from __future__ import annotations

from dataclasses import dataclass

from boto3.dynamodb.conditions import Key

from herald.data import table_keys
from herald.data.table import table

TTL_SECONDS = 86400


@dataclass(frozen=True)
class HeldMessage:
    delivery_id: str
    queue_url: str
    receipt_handle: str


def add(destination_key: str, message: HeldMessage, now: float) -> None:
    table().put_item(
        Item={
            **table_keys.held(destination_key, message.delivery_id),
            "type": "held",
            "queueUrl": message.queue_url,
            "receiptHandle": message.receipt_handle,
            "ttl": int(now) + TTL_SECONDS,
        }
    )


def take_all(destination_key: str) -> list[HeldMessage]:
    """Every held message of the destination, removed from the list."""
    found: list[HeldMessage] = []
    query = {"KeyConditionExpression": Key("pk").eq(table_keys.held_partition(destination_key)), "ConsistentRead": True}
    while True:
        page = table().query(**query)
        for item in page.get("Items", []):
            found.append(
                HeldMessage(str(item["sk"]).split("#", 1)[1], str(item["queueUrl"]), str(item["receiptHandle"]))
            )
        if "LastEvaluatedKey" not in page:
            break
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    with table().batch_writer() as batch:
        for message in found:
            batch.delete_item(Key=table_keys.held(destination_key, message.delivery_id))
    return found
