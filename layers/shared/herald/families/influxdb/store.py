"""InfluxDB notification endpoints, labels and their mappings, all in the org's partition.

Names are unique per org through guard items written in the same transaction as the entity, so two
concurrent creates (or renames) with one name cannot both succeed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from boto3.dynamodb.conditions import Key
from pydantic import Field

from herald.data import limits, table_keys
from herald.data.record import Record
from herald.data.table import (
    TransactionCanceled,
    query_all,
    table,
    written,
)
from herald.data.unique import PRESENT, RECORD, Guard, GuardFailed, exists, put_unique, transact, unique
from herald.errors import Conflict, NotFound

ENDPOINT_NOT_FOUND = "notification endpoint not found"
LABEL_NOT_FOUND = "label not found"
LABEL_ON_RESOURCE = "Cannot add label, label already exists on resource"
ENDPOINTS_COUNTER = "ENDPOINTS"


def name_digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _endpoint_name_conflict(name: str) -> Conflict:
    return Conflict(f"notification endpoint with name {name} already exists")


def _label_name_conflict(name: str) -> Conflict:
    return Conflict(f"label with name {name} already exists")


class EndpointRecord(Record):
    """`config` holds the plain settings (url, method, headers as JSON, channel…); `sealed` the KMS
    ciphertexts of the secrets, keyed by the name the delivery adapter reads them under."""

    ITEM_TYPE = "endpoint"
    NOT_STORED = frozenset({"label_ids"})

    org_id: str
    id: str
    name: str
    description: str = ""
    status: str = "active"
    type: str = Field(validation_alias="endpointType", serialization_alias="endpointType")
    config: dict[str, str] = Field(default_factory=dict)
    sealed: dict[str, str] = Field(default_factory=dict)
    created_at: str
    updated_at: str
    version: int = 0  # bumped by every write; replace_endpoint applies only to the version it read
    label_ids: list[str] = Field(default_factory=list)  # from the mapping items, not stored in the item

    def item_key(self) -> table_keys.Key:
        return table_keys.endpoint(self.org_id, self.id)


class LabelRecord(Record):
    ITEM_TYPE = "label"
    # JSON text, not a map: property keys are arbitrary strings, and some (found by fuzzing against
    # InfluxDB's contract) made the stored map unreadable to botocore. Labels written before were maps.
    JSON_TEXT = frozenset({"properties"})

    org_id: str
    id: str
    name: str
    properties: dict[str, str] = Field(default_factory=dict)

    def item_key(self) -> table_keys.Key:
        return table_keys.label(self.org_id, self.id)


def _group_endpoints(items: list[dict[str, Any]]) -> list[EndpointRecord]:
    """Endpoint items each followed by their mapping items (sort-key order)."""
    records: list[EndpointRecord] = []
    for item in items:
        if item.get("type") == "endpoint":
            records.append(EndpointRecord.from_item(item))
        elif item.get("type") == "endpoint-label" and records and records[-1].id == item.get("endpointId"):
            records[-1].label_ids.append(str(item["labelId"]))
    return records


# --- endpoints ---


def _name_guard(org_id: str, name: str, endpoint_id: str) -> Guard:
    key = table_keys.endpoint_name(org_id, name_digest(name))
    return unique("name", key, type="endpoint-name", endpointId=endpoint_id)


def create_endpoint(record: EndpointRecord) -> None:
    taken = limits.take_destination(record.org_id, ENDPOINTS_COUNTER, "notification endpoints")
    try:
        put_unique(record, [_name_guard(record.org_id, record.name, record.id), taken.guard])
    except GuardFailed as failed:
        if failed.guard == taken.name:
            raise taken.refused() from None
        raise _endpoint_name_conflict(record.name) from None


def get_endpoint(org_id: str, endpoint_id: str) -> EndpointRecord:
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.org(org_id)["pk"])
        & Key("sk").begins_with(table_keys.endpoint_prefix(endpoint_id)),
        ConsistentRead=True,
    )
    records = _group_endpoints(items)
    if not records:
        raise NotFound(ENDPOINT_NOT_FOUND)
    return records[0]


def list_endpoints(org_id: str) -> list[EndpointRecord]:
    """Every endpoint of the org with its label ids, in id order (as InfluxDB lists them)."""
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.org(org_id)["pk"])
        & Key("sk").begins_with(table_keys.ENDPOINT_PREFIX),
        ConsistentRead=True,
    )
    return _group_endpoints(items)


def replace_endpoint(old: EndpointRecord, new: EndpointRecord) -> None:
    """Optimistic: the write applies only to the version that was read, so a rename racing another
    write cannot leave a stale name guard behind."""
    new.version = old.version + 1
    put = {
        "Item": new.to_item(),
        "ConditionExpression": "attribute_exists(pk) AND #version = :read",
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": {":read": old.version},
    }
    renamed = _name_guard(new.org_id, new.name, new.id) if old.name != new.name else None
    stale = Conflict("notification endpoint was changed concurrently, retry")
    _replace(
        put,
        renamed,
        table_keys.endpoint_name(old.org_id, name_digest(old.name)),
        _endpoint_name_conflict(new.name),
        stale,
    )


def delete_endpoint(org_id: str, endpoint_id: str) -> None:
    record = get_endpoint(org_id, endpoint_id)
    guard = table_keys.endpoint_name(org_id, name_digest(record.name))
    _delete(
        table_keys.endpoint(org_id, endpoint_id),
        guard,
        NotFound(ENDPOINT_NOT_FOUND),
        limits.give_back(org_id, ENDPOINTS_COUNTER),
    )
    with table().batch_writer() as batch:
        for label_id in record.label_ids:
            batch.delete_item(Key=table_keys.endpoint_label(org_id, endpoint_id, label_id))


def _replace(
    put: dict[str, Any], renamed: Guard | None, old_name: table_keys.Key, taken: Conflict, stale: Exception
) -> None:
    """The item's new version, with its name guard moved when `renamed`; `taken` when the new name is
    another's, `stale` when the item's condition failed."""
    writes: list[dict[str, Any]] = [{"Put": put}]
    if renamed:
        writes += [renamed.write, {"Delete": {"Key": old_name}}]
    try:
        transact(writes)
    except TransactionCanceled as canceled:
        if renamed and canceled.failed(1):
            raise taken from None
        if canceled.failed(0):
            raise stale from None
        raise


def _delete(key: table_keys.Key, name_guard: table_keys.Key, missing: NotFound, *also: dict[str, Any]) -> None:
    """Deletes the item and its name guard; `also`: more writes of the same transaction (a cap's
    give-back)."""
    try:
        transact([{"Delete": {"Key": key, "ConditionExpression": PRESENT}}, {"Delete": {"Key": name_guard}}, *also])
    except TransactionCanceled as canceled:
        if canceled.failed(0):
            raise missing from None
        raise


def add_endpoint_label(org_id: str, endpoint_id: str, label_id: str) -> None:
    """One transaction: the endpoint and the label exist in the org, and the mapping does not yet."""
    mapping = {
        **table_keys.endpoint_label(org_id, endpoint_id, label_id),
        "type": "endpoint-label",
        "orgId": org_id,
        "endpointId": endpoint_id,
        "labelId": label_id,
        "gsi1pk": table_keys.label_mappings_gsi(label_id),
        "gsi1sk": table_keys.endpoint_prefix(endpoint_id),
    }
    guards = [
        exists(ENDPOINT_NOT_FOUND, table_keys.endpoint(org_id, endpoint_id)),
        exists(LABEL_NOT_FOUND, table_keys.label(org_id, label_id)),
    ]
    try:
        put_unique(mapping, guards)
    except GuardFailed as failed:
        if failed.guard == RECORD:
            raise Conflict(LABEL_ON_RESOURCE) from None
        raise NotFound(failed.guard) from None


def remove_endpoint_label(org_id: str, endpoint_id: str, label_id: str) -> None:
    """A mapping only exists under an existing endpoint (deleting the endpoint deletes its mappings), so the
    endpoint is read only to word a failure."""
    if written(
        table().delete_item, Key=table_keys.endpoint_label(org_id, endpoint_id, label_id), ConditionExpression=PRESENT
    ):
        return
    if table().get_item(Key=table_keys.endpoint(org_id, endpoint_id), ConsistentRead=True).get("Item") is None:
        raise NotFound(ENDPOINT_NOT_FOUND)
    raise NotFound("label mapping not found")


# --- labels ---


def _label_guard(org_id: str, name: str, label_id: str) -> Guard:
    return unique("name", table_keys.label_name(org_id, name_digest(name)), type="label-name", labelId=label_id)


def create_label(record: LabelRecord) -> None:
    try:
        put_unique(record, [_label_guard(record.org_id, record.name, record.id)])
    except GuardFailed:
        raise _label_name_conflict(record.name) from None


def get_label(org_id: str, label_id: str) -> LabelRecord:
    item = table().get_item(Key=table_keys.label(org_id, label_id), ConsistentRead=True).get("Item")
    if not item:
        raise NotFound(LABEL_NOT_FOUND)
    return LabelRecord.from_item(item)


def list_labels(org_id: str) -> list[LabelRecord]:
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.org(org_id)["pk"])
        & Key("sk").begins_with(table_keys.LABEL_PREFIX),
        ConsistentRead=True,
    )
    return [LabelRecord.from_item(item) for item in items if item.get("type") == "label"]


def replace_label(old: LabelRecord, new: LabelRecord) -> None:
    put = {"Item": new.to_item(), "ConditionExpression": PRESENT}
    renamed = _label_guard(new.org_id, new.name, new.id) if old.name != new.name else None
    old_name = table_keys.label_name(old.org_id, name_digest(old.name))
    _replace(put, renamed, old_name, _label_name_conflict(new.name), NotFound(LABEL_NOT_FOUND))


def delete_label(org_id: str, label_id: str) -> None:
    """Deletes the label, its name guard and every mapping that attaches it (found through GSI1)."""
    record = get_label(org_id, label_id)
    _delete(
        table_keys.label(org_id, label_id),
        table_keys.label_name(org_id, name_digest(record.name)),
        NotFound(LABEL_NOT_FOUND),
    )
    mappings = query_all(
        IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq(table_keys.label_mappings_gsi(label_id))
    )
    with table().batch_writer() as batch:
        for item in mappings:
            if item.get("orgId") == org_id:
                batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})


def get_org(org_id: str) -> dict[str, Any]:
    """The org item (its name is what `GET /api/v2/orgs?org=NAME` matches); {} when it was never written."""
    return dict(table().get_item(Key=table_keys.org(org_id)).get("Item") or {})
