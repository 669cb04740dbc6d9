"""Idempotency-Key records: one per (org, key), holding the request's fingerprint and, once done, its answer."""

from __future__ import annotations

from typing import Any

from herald.data import table_keys
from herald.data.table import ConditionFailed, table, written


def claim(
    org_id: str, key: str, fingerprint: str, event_id: str, now: float, lock_seconds: int, ttl: int
) -> dict[str, Any] | None:
    """Claims the key for a new request; None when claimed, else the record that holds it. A record past
    its 24 h (ttl not yet swept) counts as absent."""
    try:
        table().put_item(
            Item={
                **table_keys.idempotency(org_id, key),
                "type": "idempotency",
                "orgId": org_id,
                "fingerprint": fingerprint,
                "state": "in-progress",
                "eventId": event_id,
                "lockedUntil": int(now) + lock_seconds,
                "ttl": ttl,
            },
            ConditionExpression="attribute_not_exists(pk) OR #ttl < :now",
            ExpressionAttributeNames={"#ttl": "ttl"},
            ExpressionAttributeValues={":now": int(now)},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return None
    except ConditionFailed as failed:
        return failed.item or {}


def take_over(org_id: str, key: str, locked_until: int, now: float, lock_seconds: int) -> bool:
    """Takes a key whose first request died before answering (its lock ran out)."""
    return written(
        table().update_item,
        Key=table_keys.idempotency(org_id, key),
        UpdateExpression="SET lockedUntil = :until",
        ConditionExpression="#state = :progress AND lockedUntil = :old",
        ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues={
            ":until": int(now) + lock_seconds,
            ":progress": "in-progress",
            ":old": locked_until,
        },
    )


def complete(org_id: str, key: str, status: int, body: str) -> None:
    table().update_item(
        Key=table_keys.idempotency(org_id, key),
        UpdateExpression="SET #state = :done, answerStatus = :status, answerBody = :body REMOVE lockedUntil",
        ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues={":done": "done", ":status": status, ":body": body},
    )


def release(org_id: str, key: str) -> None:
    """Forgets a key whose request failed, so that a retry runs it again."""
    written(
        table().delete_item,
        Key=table_keys.idempotency(org_id, key),
        ConditionExpression="#state = :progress",
        ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues={":progress": "in-progress"},
    )
