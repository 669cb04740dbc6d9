"""Delivery records: one per (event, destination), the guard that makes every send happen once.

A record refers to its event and to the plan chunk that lists its destination (data/plans.py); it holds
only the delivery's state, well within one write unit. Its delivery creates it when it claims the send.
Records written before plans existed carry the event (`message`) and the destination (`config`,
`sealed`) themselves, and are sent from those.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field, model_validator

from herald.data import table_keys
from herald.data.record import Epoch, Record
from herald.data.table import is_conditional_failure, table, written
from herald.data.unique import ABSENT


class DeliveryRecord(Record):
    ITEM_TYPE: ClassVar[str] = "delivery"
    NOT_STORED: ClassVar[frozenset[str]] = frozenset({"pace_slot", "replays"})  # written by updates only
    DROP_NONE: ClassVar[bool] = True
    DROP_EMPTY: ClassVar[frozenset[str]] = frozenset(
        {
            "config",
            "sealed",
            "message",
            "plan",
            "dedup_key",
            "sweeps",
            "last_error",
            "delivered_at",
            "monitor_id",
            "alert_id",
            "expires_at",
        }
    )

    id: str
    event_id: str
    org_id: str
    kind: str
    family: str
    destination_id: str
    destination_name: str = ""
    config: dict[str, str] = Field(default_factory=dict)
    sealed: dict[str, str] = Field(default_factory=dict)
    message: dict[str, Any] | None = None  # records written before plans: the event's snapshot
    plan: str | None = None  # the plan chunk listing the destination (its config and sealed secrets)
    dedup_key: str | None = None
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    created_at: str
    updated_at: str
    delivered_at: str | None = None
    lease_until: Epoch | None = None
    alert_id: str | None = None
    monitor_id: str | None = None
    event_status: str = "triggered"
    expires_at: int | None = Field(default=None, validation_alias="ttl", serialization_alias="ttl")
    pace_slot: float | None = None
    replays: int = 0
    retry_since: Epoch | None = None  # epoch of the first attempt: the retry horizon counts from here
    quiet_until: Epoch | None = None  # until when nothing is expected to touch the record (the sweeper)
    sweeps: int = 0

    def item_key(self) -> table_keys.Key:
        return table_keys.delivery(self.event_id, self.id)

    def index_keys(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        if self.alert_id:
            keys["gsi1pk"] = table_keys.alert_history_gsi(self.alert_id)
            keys["gsi1sk"] = table_keys.alert_history_sort(self.created_at, self.event_id)
        if self.status == "pending":
            keys.update(_pending_index(_epoch(self.created_at), self.event_id, self.id))
        return keys

    @model_validator(mode="before")
    @classmethod
    def _read_legacy(cls, data: Any) -> Any:
        """Records written before plans carry their dedup key in the message; an empty message is none."""
        if not isinstance(data, dict) or "message" not in data:
            return data
        message = data["message"]
        if not message:
            return {k: v for k, v in data.items() if k != "message"}
        if (
            not data.get("dedupKey")
            and not data.get("dedup_key")
            and isinstance(message, dict)
            and message.get("dedupKey")
        ):
            return {**data, "dedupKey": message["dedupKey"]}
        return data


def _number(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


def _epoch(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0


def _pending_index(since: float, event_id: str, delivery_id: str) -> dict[str, str]:
    """GSI2 holds pending records only (the attributes go when the record is final): the sweeper's list."""
    return {"gsi2pk": table_keys.pending_bucket(since), "gsi2sk": f"{since:017.3f}#{event_id}#{delivery_id}"}


def put_if_absent(record: DeliveryRecord) -> bool:
    """True when written; False when this (event, destination) already has its record."""
    return written(table().put_item, Item=record.to_item(), ConditionExpression=ABSENT)


def create_claimed(record: DeliveryRecord, now: float, lease_seconds: float, at: str) -> DeliveryRecord | None:
    """The claim of a planned delivery's first attempt: its record is created, leased, in one conditional
    put; None when the record exists already (an earlier attempt: claim() takes it from there)."""
    claimed = record.model_copy(
        update={"status": "pending", "attempts": 1, "lease_until": now + lease_seconds, "retry_since": now}
    )
    claimed.updated_at = at
    return claimed if put_if_absent(claimed) else None


def get(event_id: str, delivery_id: str) -> DeliveryRecord | None:
    item = table().get_item(Key=table_keys.delivery(event_id, delivery_id), ConsistentRead=True).get("Item")
    return DeliveryRecord.from_item(item) if item else None


def claim(event_id: str, delivery_id: str, now: float, lease_seconds: float, at: str) -> DeliveryRecord | None:
    """Takes the send lease: only a pending record whose lease is free; None when someone else holds it
    or the record is already final."""
    try:
        result = table().update_item(
            Key=table_keys.delivery(event_id, delivery_id),
            UpdateExpression="SET leaseUntil = :lease, updatedAt = :at, retrySince = if_not_exists(retrySince, :now) "
            "ADD attempts :one",
            ConditionExpression="#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":lease": Decimal(str(round(now + lease_seconds, 3))),
                ":now": Decimal(str(round(now, 3))),
                ":pending": "pending",
                ":one": 1,
                ":at": at,
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as error:
        if is_conditional_failure(error):
            return None
        raise
    return DeliveryRecord.from_item(result["Attributes"])


def finish(event_id: str, delivery_id: str, status: str, at: str, error: str | None = None) -> None:
    """Records the final outcome (delivered or failed) and frees the lease."""
    names = {"#status": "status"}
    values: dict[str, Any] = {":status": status, ":at": at}
    update = "SET #status = :status, updatedAt = :at"
    if status == "delivered":
        update += ", deliveredAt = :at"
    if error is not None:
        update += ", lastError = :error"
        values[":error"] = error[:1000]
    table().update_item(
        Key=table_keys.delivery(event_id, delivery_id),
        UpdateExpression=update + " REMOVE leaseUntil, paceSlot, quietUntil, gsi2pk, gsi2sk",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def release_for_retry(event_id: str, delivery_id: str, at: str, error: str, retry_at: float | None = None) -> None:
    """A transient failure: the lease goes, the error stays, and the next attempt is due at `retry_at`
    (on the same message or, past the message's attempts, on a scheduled one)."""
    update = "SET lastError = :error, updatedAt = :at"
    values: dict[str, Any] = {":error": error[:1000], ":at": at}
    if retry_at is not None:
        update += ", quietUntil = :quiet"
        values[":quiet"] = _number(retry_at)
    table().update_item(
        Key=table_keys.delivery(event_id, delivery_id),
        UpdateExpression=update + " REMOVE leaseUntil, paceSlot",
        ExpressionAttributeValues=values,
    )


def release_hold(event_id: str, delivery_id: str, at: str, pace_slot: float | None, until: float) -> None:
    """Gives the lease back without a send (pacing or circuit-breaker hold): the claim's attempt is taken
    back, so holds never count towards the attempt limit."""
    update = "SET updatedAt = :at, quietUntil = :quiet ADD attempts :minus_one REMOVE leaseUntil"
    values: dict[str, Any] = {":at": at, ":minus_one": -1, ":quiet": _number(until)}
    if pace_slot is not None:
        update = "SET updatedAt = :at, quietUntil = :quiet, paceSlot = :slot ADD attempts :minus_one REMOVE leaseUntil"
        values[":slot"] = _number(pace_slot)
    table().update_item(
        Key=table_keys.delivery(event_id, delivery_id),
        UpdateExpression=update,
        ExpressionAttributeValues=values,
    )


def reset_to_pending(event_id: str, delivery_id: str, at: str, now: float) -> bool:
    """A failed record back to pending with a fresh attempt count and a fresh retry horizon (replay /
    redrive); False when the record is not failed (delivered ones are never reset, so never resent)."""
    values: dict[str, Any] = {":pending": "pending", ":failed": "failed", ":at": at, ":zero": 0}
    values.update({f":{k}": v for k, v in _pending_index(now, event_id, delivery_id).items()})
    try:
        table().update_item(
            Key=table_keys.delivery(event_id, delivery_id),
            UpdateExpression="SET #status = :pending, updatedAt = :at, attempts = :zero, gsi2pk = :gsi2pk, "
            "gsi2sk = :gsi2sk REMOVE leaseUntil, paceSlot, retrySince, quietUntil",
            ConditionExpression="#status = :failed",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=values,
        )
        return True
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise


def pending_since(bucket: str) -> list[DeliveryRecord]:
    """Records that became pending in one hour bucket and are still pending (GSI2 is sparse)."""
    found: list[DeliveryRecord] = []
    query: dict[str, Any] = {"IndexName": "gsi2", "KeyConditionExpression": Key("gsi2pk").eq(bucket)}
    while True:
        page = table().query(**query)
        found.extend(
            DeliveryRecord.from_item(item) for item in page.get("Items", []) if item.get("status") == "pending"
        )
        if "LastEvaluatedKey" not in page:
            return found
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def mark_swept(event_id: str, delivery_id: str, at: str, now: float, quiet_until: float) -> bool:
    """The sweeper re-queued a stranded pending record; False when it is no longer pending and free."""
    try:
        table().update_item(
            Key=table_keys.delivery(event_id, delivery_id),
            UpdateExpression="SET updatedAt = :at, quietUntil = :quiet ADD sweeps :one",
            ConditionExpression="#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":at": at,
                ":quiet": _number(quiet_until),
                ":one": 1,
                ":pending": "pending",
                ":now": _number(now),
            },
        )
        return True
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise


def fail_if_pending(event_id: str, delivery_id: str, at: str, error: str) -> bool:
    """Fails a pending record nobody holds (the sweeper); False when it moved on meanwhile."""
    try:
        table().update_item(
            Key=table_keys.delivery(event_id, delivery_id),
            UpdateExpression="SET #status = :failed, updatedAt = :at, lastError = :error "
            "REMOVE quietUntil, gsi2pk, gsi2sk, paceSlot",
            ConditionExpression="#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":failed": "failed",
                ":pending": "pending",
                ":at": at,
                ":error": error[:1000],
                ":now": _number(_epoch(at)),
            },
        )
        return True
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise


class HistoryEntry(BaseModel):
    event_id: str
    monitor_id: str | None
    event_status: str
    status: str
    created_at: str


def history_for_alert(alert_id: str, limit: int) -> list[HistoryEntry]:
    response = table().query(
        IndexName="gsi1",
        KeyConditionExpression=Key("gsi1pk").eq(table_keys.alert_history_gsi(alert_id)),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [
        HistoryEntry(
            event_id=item["eventId"],
            monitor_id=item.get("monitorId"),
            event_status=item.get("eventStatus", "triggered"),
            status=item["status"],
            created_at=item["createdAt"],
        )
        for item in response.get("Items", [])
    ]
