"""Per destination, the latest recovery of a dedupKey queued to it: a trigger created before it is stale
there (herald.delivery.stops)."""

from __future__ import annotations

from herald.data import table_keys
from herald.data.deliveries import DeliveryRecord
from herald.data.table import table, written


def destination_key(record: DeliveryRecord) -> str:
    return f"{record.family}:{record.destination_id}"


def dedup_key(record: DeliveryRecord) -> str | None:
    return record.dedup_key or None


def note(record: DeliveryRecord) -> None:
    """Remembers a recovery queued to a destination; the time only moves forward."""
    key = dedup_key(record)
    if record.event_status != "recovered" or key is None:
        return
    item_key = table_keys.dedup_recovery_queued(record.org_id, key, destination_key(record))
    values: dict[str, object] = {":at": record.created_at, ":event": record.event_id, ":type": "recovery_queued"}
    update = "SET createdAt = :at, eventId = :event, #type = :type"
    if record.expires_at:
        update += ", #ttl = :ttl"
        values[":ttl"] = record.expires_at
    written(
        table().update_item,
        Key=item_key,
        UpdateExpression=update,
        ConditionExpression="attribute_not_exists(createdAt) OR createdAt < :at",
        ExpressionAttributeNames={"#type": "type", **({"#ttl": "ttl"} if record.expires_at else {})},
        ExpressionAttributeValues=values,
    )


def latest(record: DeliveryRecord) -> dict[str, str] | None:
    """The latest recovery queued to this record's destination for its dedupKey: createdAt and eventId."""
    key = dedup_key(record)
    if key is None:
        return None
    item = (
        table()
        .get_item(
            Key=table_keys.dedup_recovery_queued(record.org_id, key, destination_key(record)), ConsistentRead=True
        )
        .get("Item")
    )
    return {"createdAt": str(item["createdAt"]), "eventId": str(item["eventId"])} if item else None
