"""Incidents per (org, dedupKey): one item holds the dedupKey's latest incident, open or closed.

An incident's id is the id of the event that opened it. The opening event's item also carries what the
fan-out told (`incidentNotified`), so the recovery's fan-out reaches the same destinations and no other.
Every decision is one conditional write on the incident item; the event is stored after it (and the
decision undone if it cannot be). Not a transaction: a cancelled transaction is atomic on DynamoDB, but
moto (the local stack, the tests) emits stream records for the writes it rolls back, and an event
that was never stored must never reach the fan-out.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict

from herald.data import table_keys
from herald.data.record import Record
from herald.data.table import ConditionFailed, client, table, written
from herald.data.unique import ABSENT

TRIGGER = "trigger"
RECOVERY = "recovery"


class IncidentRecord(Record):
    ITEM_TYPE = "incident"
    DROP_NONE = True
    model_config = ConfigDict(frozen=True)

    org_id: str
    dedup_key: str
    incident_id: str | None = None  # None: a recovery that closed a dedupKey never seen open
    is_open: bool = False
    acknowledged: bool = False
    count: int = 0
    first_seen_at: str = ""
    last_seen_at: str = ""
    closed_at: str | None = None
    recovery_event_id: str | None = None

    def item_key(self) -> table_keys.Key:
        return table_keys.incident(self.org_id, self.dedup_key)


def get(org_id: str, dedup_key: str) -> IncidentRecord | None:
    item = table().get_item(Key=table_keys.incident(org_id, dedup_key), ConsistentRead=True).get("Item")
    return IncidentRecord.from_item(dict(item)) if item else None


def get_many(org_id: str, dedup_keys: set[str]) -> dict[str, IncidentRecord]:
    """The incidents of several dedupKeys: BatchGetItem, 100 keys per call."""
    found: dict[str, IncidentRecord] = {}
    wanted = sorted(dedup_keys)
    name = table().name
    for start in range(0, len(wanted), 100):
        request: dict[str, Any] = {
            name: {
                "Keys": [table_keys.incident(org_id, k) for k in wanted[start : start + 100]],
                "ConsistentRead": True,
            }
        }
        while request:
            answer = client().batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(name, []):
                record = IncidentRecord.from_item(dict(item))
                found[record.dedup_key] = record
            request = answer.get("UnprocessedKeys") or {}
    return found


def open_for(org_id: str, dedup_key: str, event_id: str, at: str, ttl: int) -> bool:
    """Opens a new incident for the triggered event `event_id`; False when one is open already."""
    return written(
        table().update_item,
        Key=table_keys.incident(org_id, dedup_key),
        UpdateExpression="SET #type = :type, orgId = :org, dedupKey = :dedup, isOpen = :true, "
        "acknowledged = :false, incidentId = :id, firstSeenAt = :at, lastSeenAt = :at, #count = :one, "
        "#ttl = :ttl REMOVE closedAt, recoveryEventId",
        ConditionExpression="attribute_not_exists(pk) OR isOpen = :false",
        ExpressionAttributeNames={"#type": "type", "#count": "count", "#ttl": "ttl"},
        ExpressionAttributeValues={
            ":type": "incident",
            ":org": org_id,
            ":dedup": dedup_key,
            ":true": True,
            ":false": False,
            ":id": event_id,
            ":at": at,
            ":one": 1,
            ":ttl": ttl,
        },
    )


def forget_opening(org_id: str, dedup_key: str, event_id: str) -> None:
    """Undoes `open_for` when its event could not be stored, so that the client's retry opens it again."""
    _delete_if(org_id, dedup_key, "incidentId = :id AND #count = :one", {":id": event_id, ":one": 1})


def join(org_id: str, dedup_key: str, at: str) -> IncidentRecord | None:
    """Counts one more trigger on the open incident; None when none is open."""
    try:
        answer = table().update_item(
            Key=table_keys.incident(org_id, dedup_key),
            UpdateExpression="ADD #count :one SET lastSeenAt = :at",
            ConditionExpression="isOpen = :true",
            ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={":one": 1, ":at": at, ":true": True},
            ReturnValues="ALL_NEW",
        )
    except ConditionFailed:
        return None
    return IncidentRecord.from_item(dict(answer["Attributes"]))


def close_for(org_id: str, dedup_key: str, incident_id: str, event_id: str, at: str) -> IncidentRecord | None:
    """Closes the open incident `incident_id` with the recovered event `event_id`, and writes its final
    state on its opening event; None when it is no longer open."""
    try:
        answer = table().update_item(
            Key=table_keys.incident(org_id, dedup_key),
            UpdateExpression="SET isOpen = :false, closedAt = :at, recoveryEventId = :rid",
            ConditionExpression="isOpen = :true AND incidentId = :id",
            ExpressionAttributeValues={":false": False, ":true": True, ":at": at, ":rid": event_id, ":id": incident_id},
            ReturnValues="ALL_NEW",
        )
    except ConditionFailed:
        return None
    closed = IncidentRecord.from_item(dict(answer["Attributes"]))
    written(  # False: the opening event is past its retention
        table().update_item,
        Key=table_keys.event(incident_id),
        UpdateExpression="SET incidentCount = :count, incidentLastSeenAt = :seen, incidentClosedAt = :at, "
        "incidentAcknowledged = :ack",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={
            ":count": closed.count,
            ":seen": closed.last_seen_at,
            ":at": at,
            ":ack": closed.acknowledged,
        },
    )
    return closed


def reopen(org_id: str, dedup_key: str, event_id: str) -> None:
    """Undoes `close_for` when its recovered event could not be stored."""
    written(
        table().update_item,
        Key=table_keys.incident(org_id, dedup_key),
        UpdateExpression="SET isOpen = :true REMOVE closedAt, recoveryEventId",
        ConditionExpression="recoveryEventId = :rid",
        ExpressionAttributeValues={":true": True, ":rid": event_id},
    )


def close_unknown(org_id: str, dedup_key: str, event_id: str, at: str, ttl: int) -> bool:
    """A recovery for a dedupKey never seen: recorded closed, so that its repeats notify nobody. False when
    the dedupKey has an incident after all."""
    closed = IncidentRecord(
        org_id=org_id,
        dedup_key=dedup_key,
        first_seen_at=at,
        last_seen_at=at,
        closed_at=at,
        recovery_event_id=event_id,
    )
    return written(table().put_item, Item={**closed.to_item(), "ttl": ttl}, ConditionExpression=ABSENT)


def forget_unknown(org_id: str, dedup_key: str, event_id: str) -> None:
    _delete_if(org_id, dedup_key, "recoveryEventId = :rid AND attribute_not_exists(incidentId)", {":rid": event_id})


def _delete_if(org_id: str, dedup_key: str, condition: str, values: dict[str, Any]) -> None:
    names = {"ExpressionAttributeNames": {"#count": "count"}} if "#count" in condition else {}
    written(
        table().delete_item,
        Key=table_keys.incident(org_id, dedup_key),
        ConditionExpression=condition,
        ExpressionAttributeValues=values,
        **names,
    )


def acknowledge(org_id: str, dedup_key: str, incident_id: str) -> bool:
    return written(
        table().update_item,
        Key=table_keys.incident(org_id, dedup_key),
        UpdateExpression="SET acknowledged = :true",
        ConditionExpression="isOpen = :true AND incidentId = :id",
        ExpressionAttributeValues={":true": True, ":id": incident_id},
    )


# --- what the fan-out told, on the opening event's item ---

PlanOutcome = Literal["recorded", "after-recovery", "not-an-opening"]


def record_trigger_plan(event_id: str, destination_keys: list[str]) -> PlanOutcome:
    """Records the destinations told of an incident's opening event, unless its recovery went out first."""
    try:
        table().update_item(
            Key=table_keys.event(event_id),
            UpdateExpression="SET incidentNotified = :keys",
            ConditionExpression="incidentRole = :trigger AND attribute_not_exists(incidentRecoveryPlanned)",
            ExpressionAttributeValues={":keys": destination_keys, ":trigger": TRIGGER},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return "recorded"
    except ConditionFailed as failed:
        old = failed.item or {}
        return "after-recovery" if old.get("incidentRole") == TRIGGER else "not-an-opening"


def record_recovery_plan(trigger_event_id: str, recovery_event_id: str) -> set[str] | None:
    """Marks the incident's recovery as routed; returns the destinations told of its opening event, or None
    when the opening event has not been routed yet (then it never will be: it is skipped as stale)."""
    try:
        answer = table().update_item(
            Key=table_keys.event(trigger_event_id),
            UpdateExpression="SET incidentRecoveryPlanned = if_not_exists(incidentRecoveryPlanned, :rid)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":rid": recovery_event_id},
            ReturnValues="ALL_NEW",
        )
    except ConditionFailed:
        return set()  # the opening event is past its retention
    told = answer["Attributes"].get("incidentNotified")
    return None if told is None else {str(k) for k in told}
