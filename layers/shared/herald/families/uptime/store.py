"""Uptime alerts in the org's partition, with a per-org counter that enforces the alerts cap (10 by default)."""

from __future__ import annotations

from typing import Any

from herald.data import limits, table_keys
from herald.data.record import Record
from herald.data.table import (
    ConditionFailed,
    TransactionCanceled,
    query_all,
    table,
)
from herald.data.unique import PRESENT, GuardFailed, put_unique, transact
from herald.errors import LimitExceeded, NotFound


class AlertRecord(Record):
    """Storage model. `config` holds plain settings (email, subjectPrefix, channel); `sealed` the
    KMS-encrypted secrets (url, webhookUrl, secret)."""

    ITEM_TYPE = "alert"

    org_id: str
    id: str
    name: str
    strategy: str
    notify_on_recovery: bool
    cooldown_minutes: int
    monitor_id: str | None = None
    config: dict[str, str] = {}
    sealed: dict[str, str] = {}
    created_at: str
    updated_at: str

    def item_key(self) -> table_keys.Key:
        return table_keys.alert(self.org_id, self.id)


def create(record: AlertRecord) -> None:
    """One transaction: bump the org's counter only while it is below the cap, and put the alert."""
    taken = limits.take_capped(record.org_id, "ALERTS", "alerts", "Team already has {cap} alerts")
    try:
        put_unique(record, [taken.guard])
    except GuardFailed as failed:
        if failed.guard == taken.name:
            raise LimitExceeded(taken.message) from None
        raise


def get(org_id: str, alert_id: str) -> AlertRecord:
    item = table().get_item(Key=table_keys.alert(org_id, alert_id), ConsistentRead=True).get("Item")
    if not item:
        raise NotFound("Alert not found")
    return AlertRecord.from_item(item)


def list_for_org(org_id: str) -> list[AlertRecord]:
    """Every alert of the org (as many as its cap), oldest first."""
    from boto3.dynamodb.conditions import Key

    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.org(org_id)["pk"])
        & Key("sk").begins_with(table_keys.ALERT_PREFIX),
        ConsistentRead=True,
    )
    records = [AlertRecord.from_item(item) for item in items]
    return sorted(records, key=lambda r: (r.created_at, r.id))


class StrategyMismatch(Exception):
    """The update names settings of another strategy; carries the alert as stored, for the message."""

    def __init__(self, current: AlertRecord) -> None:
        super().__init__(current.strategy)
        self.current = current


def update(
    org_id: str,
    alert_id: str,
    fields: dict[str, Any],
    config: dict[str, str],
    sealed: dict[str, str],
    strategies: list[str] | None,
    dropped: tuple[str, ...] = (),
    expected: dict[str, str] | None = None,
) -> AlertRecord:
    """A partial update in one conditional UpdateItem: top-level `fields`, and single keys of the `config`
    and `sealed` maps (`dropped`: sealed keys removed), only while the alert exists, (when `strategies`
    is given) its strategy is one of them and its `config` holds the `expected` values. Returns the alert
    as updated. A failed condition returns the stored alert in the same call: none is NotFound, else
    StrategyMismatch."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    assignments = []
    for i, (name, value) in enumerate(fields.items()):
        names[f"#f{i}"], values[f":f{i}"] = name, value
        assignments.append(f"#f{i} = :f{i}")
    for attribute, entries in (("config", config), ("sealed", sealed)):
        for i, (key, value) in enumerate(entries.items()):
            names[f"#{attribute}"], names[f"#{attribute}{i}"], values[f":{attribute}{i}"] = attribute, key, value
            assignments.append(f"#{attribute}.#{attribute}{i} = :{attribute}{i}")
    removals = []
    for i, key in enumerate(dropped):
        names["#sealed"], names[f"#drop{i}"] = "sealed", key
        removals.append(f"#sealed.#drop{i}")
    condition = "attribute_exists(pk)"
    for i, (key, value) in enumerate((expected or {}).items()):
        names["#config"], names[f"#expect{i}"], values[f":expect{i}"] = "config", key, value
        condition += f" AND #config.#expect{i} = :expect{i}"
    if strategies:
        names["#strategy"] = "strategy"
        allowed = [f":s{i}" for i in range(len(strategies))]
        values.update(zip(allowed, strategies, strict=True))
        condition += f" AND #strategy IN ({', '.join(allowed)})"
    elif strategies is not None:
        # no strategy has every setting sent: fail for any stored alert (and learn its strategy)
        condition += " AND attribute_not_exists(pk)"
    try:
        result = table().update_item(
            Key=table_keys.alert(org_id, alert_id),
            UpdateExpression="SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else ""),
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ConditionFailed as failed:
        if failed.item is None:
            raise NotFound("Alert not found") from None
        raise StrategyMismatch(AlertRecord.from_item(failed.item)) from None
    return AlertRecord.from_item(result["Attributes"])


def delete(org_id: str, alert_id: str) -> None:
    try:
        transact(
            [
                {"Delete": {"Key": table_keys.alert(org_id, alert_id), "ConditionExpression": PRESENT}},
                limits.give_back(org_id, "ALERTS"),
            ]
        )
    except TransactionCanceled as canceled:
        if canceled.failed(0):
            raise NotFound("Alert not found") from None
        raise
