"""InfluxDB notification endpoints, labels and their mappings, all in the org's partition.

Names are unique per org through guard items written in the same transaction as the entity, so two
concurrent creates (or renames) with one name cannot both succeed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from herald.data import keys, limits
from herald.data.table import cancellation_reasons, client, is_conditional_failure, query_all, table
from herald.errors import Conflict, NotFound

ENDPOINT_NOT_FOUND = "notification endpoint not found"
LABEL_NOT_FOUND = "label not found"
LABEL_ON_RESOURCE = "Cannot add label, label already exists on resource"
FAILED = "ConditionalCheckFailed"
ENDPOINTS_COUNTER = "ENDPOINTS"


def name_digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _endpoint_name_conflict(name: str) -> Conflict:
    return Conflict(f"notification endpoint with name {name} already exists")


def _label_name_conflict(name: str) -> Conflict:
    return Conflict(f"label with name {name} already exists")


class EndpointRecord(BaseModel):
    """`config` holds the plain settings (url, method, headers as JSON, channel…); `sealed` the KMS
    ciphertexts of the secrets, keyed by the name the delivery adapter reads them under."""

    org_id: str
    id: str
    name: str
    description: str = ""
    status: str = "active"
    type: str
    config: dict[str, str] = Field(default_factory=dict)
    sealed: dict[str, str] = Field(default_factory=dict)
    created_at: str
    updated_at: str
    version: int = 0  # bumped by every write; replace_endpoint applies only to the version it read
    label_ids: list[str] = Field(default_factory=list)  # from the mapping items, not stored in the item

    def to_item(self) -> dict[str, Any]:
        return {
            **keys.endpoint(self.org_id, self.id),
            "type": "endpoint",
            "orgId": self.org_id,
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "endpointType": self.type,
            "config": self.config,
            "sealed": self.sealed,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "version": self.version,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any], label_ids: list[str] | None = None) -> EndpointRecord:
        return cls(
            org_id=item["orgId"],
            id=item["id"],
            name=item["name"],
            description=item.get("description", ""),
            status=item.get("status", "active"),
            type=item["endpointType"],
            config={str(k): str(v) for k, v in (item.get("config") or {}).items()},
            sealed={str(k): str(v) for k, v in (item.get("sealed") or {}).items()},
            created_at=item["createdAt"],
            updated_at=item["updatedAt"],
            version=int(item.get("version", 0)),
            label_ids=label_ids or [],
        )


def _properties(stored: Any) -> dict[str, str]:
    """Label properties as stored: JSON text (or a map, as labels written before were)."""
    value = json.loads(stored) if isinstance(stored, str) else stored
    return {str(k): str(v) for k, v in (value or {}).items()}


class LabelRecord(BaseModel):
    org_id: str
    id: str
    name: str
    properties: dict[str, str] = Field(default_factory=dict)

    def to_item(self) -> dict[str, Any]:
        return {
            **keys.label(self.org_id, self.id),
            "type": "label",
            "orgId": self.org_id,
            "id": self.id,
            "name": self.name,
            # JSON text, not a map: property keys are arbitrary strings, and some (found by fuzzing against
            # InfluxDB's contract) made the stored map unreadable to botocore.
            "properties": json.dumps(self.properties, separators=(",", ":"), ensure_ascii=True),
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> LabelRecord:
        return cls(
            org_id=item["orgId"],
            id=item["id"],
            name=item["name"],
            properties=_properties(item.get("properties")),
        )


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


def _name_guard(org_id: str, name: str, endpoint_id: str) -> dict[str, Any]:
    return {**keys.endpoint_name(org_id, name_digest(name)), "type": "endpoint-name", "endpointId": endpoint_id}


def create_endpoint(record: EndpointRecord) -> None:
    name = table().name
    taken = limits.take_destination(record.org_id, ENDPOINTS_COUNTER, "notification endpoints")
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": name,
                        "Item": _name_guard(record.org_id, record.name, record.id),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": name,
                        "Item": record.to_item(),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                taken.item,
            ]
        )
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if reasons and reasons[0] == FAILED:
            raise _endpoint_name_conflict(record.name) from None
        taken.check(reasons, 2)
        raise


def get_endpoint(org_id: str, endpoint_id: str) -> EndpointRecord:
    items = query_all(
        KeyConditionExpression=Key("pk").eq(keys.org(org_id)["pk"])
        & Key("sk").begins_with(keys.endpoint_prefix(endpoint_id)),
        ConsistentRead=True,
    )
    records = _group_endpoints(items)
    if not records:
        raise NotFound(ENDPOINT_NOT_FOUND)
    return records[0]


def list_endpoints(org_id: str) -> list[EndpointRecord]:
    """Every endpoint of the org with its label ids, in id order (as InfluxDB lists them)."""
    items = query_all(
        KeyConditionExpression=Key("pk").eq(keys.org(org_id)["pk"]) & Key("sk").begins_with(keys.ENDPOINT_PREFIX),
        ConsistentRead=True,
    )
    return _group_endpoints(items)


def replace_endpoint(old: EndpointRecord, new: EndpointRecord) -> None:
    """Optimistic: the write applies only to the version that was read, so a rename racing another
    write cannot leave a stale name guard behind."""
    name = table().name
    new.version = old.version + 1
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": name,
                "Item": new.to_item(),
                "ConditionExpression": "attribute_exists(pk) AND #version = :read",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":read": old.version},
            }
        }
    ]
    renamed = old.name != new.name
    if renamed:
        items += [
            {
                "Put": {
                    "TableName": name,
                    "Item": _name_guard(new.org_id, new.name, new.id),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Delete": {"TableName": name, "Key": keys.endpoint_name(old.org_id, name_digest(old.name))}},
        ]
    try:
        client().transact_write_items(TransactItems=items)
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if renamed and len(reasons) > 1 and reasons[1] == FAILED:
            raise _endpoint_name_conflict(new.name) from None
        if reasons and reasons[0] == FAILED:
            raise Conflict("notification endpoint was changed concurrently, retry") from None
        raise


def delete_endpoint(org_id: str, endpoint_id: str) -> None:
    record = get_endpoint(org_id, endpoint_id)
    name = table().name
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "Delete": {
                        "TableName": name,
                        "Key": keys.endpoint(org_id, endpoint_id),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {"Delete": {"TableName": name, "Key": keys.endpoint_name(org_id, name_digest(record.name))}},
                limits.give_back(org_id, ENDPOINTS_COUNTER),
            ]
        )
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if reasons and reasons[0] == FAILED:
            raise NotFound(ENDPOINT_NOT_FOUND) from None
        raise
    with table().batch_writer() as batch:
        for label_id in record.label_ids:
            batch.delete_item(Key=keys.endpoint_label(org_id, endpoint_id, label_id))


def add_endpoint_label(org_id: str, endpoint_id: str, label_id: str) -> None:
    """One transaction: the endpoint and the label exist in the org, and the mapping does not yet."""
    name = table().name
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": keys.endpoint(org_id, endpoint_id),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": keys.label(org_id, label_id),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": name,
                        "Item": {
                            **keys.endpoint_label(org_id, endpoint_id, label_id),
                            "type": "endpoint-label",
                            "orgId": org_id,
                            "endpointId": endpoint_id,
                            "labelId": label_id,
                            "gsi1pk": keys.label_mappings_gsi(label_id),
                            "gsi1sk": keys.endpoint_prefix(endpoint_id),
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if len(reasons) == 3:
            if reasons[0] == FAILED:
                raise NotFound(ENDPOINT_NOT_FOUND) from None
            if reasons[1] == FAILED:
                raise NotFound(LABEL_NOT_FOUND) from None
            if reasons[2] == FAILED:
                raise Conflict(LABEL_ON_RESOURCE) from None
        raise


def remove_endpoint_label(org_id: str, endpoint_id: str, label_id: str) -> None:
    """A mapping only exists under an existing endpoint (deleting the endpoint deletes its mappings), so the
    endpoint is read only to word a failure."""
    try:
        table().delete_item(
            Key=keys.endpoint_label(org_id, endpoint_id, label_id), ConditionExpression="attribute_exists(pk)"
        )
    except ClientError as error:
        if not is_conditional_failure(error):
            raise
        if table().get_item(Key=keys.endpoint(org_id, endpoint_id), ConsistentRead=True).get("Item") is None:
            raise NotFound(ENDPOINT_NOT_FOUND) from None
        raise NotFound("label mapping not found") from None


# --- labels ---


def _label_guard(org_id: str, name: str, label_id: str) -> dict[str, Any]:
    return {**keys.label_name(org_id, name_digest(name)), "type": "label-name", "labelId": label_id}


def create_label(record: LabelRecord) -> None:
    name = table().name
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": name,
                        "Item": _label_guard(record.org_id, record.name, record.id),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": name,
                        "Item": record.to_item(),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if reasons and reasons[0] == FAILED:
            raise _label_name_conflict(record.name) from None
        raise


def get_label(org_id: str, label_id: str) -> LabelRecord:
    item = table().get_item(Key=keys.label(org_id, label_id), ConsistentRead=True).get("Item")
    if not item:
        raise NotFound(LABEL_NOT_FOUND)
    return LabelRecord.from_item(item)


def list_labels(org_id: str) -> list[LabelRecord]:
    items = query_all(
        KeyConditionExpression=Key("pk").eq(keys.org(org_id)["pk"]) & Key("sk").begins_with(keys.LABEL_PREFIX),
        ConsistentRead=True,
    )
    return [LabelRecord.from_item(item) for item in items if item.get("type") == "label"]


def replace_label(old: LabelRecord, new: LabelRecord) -> None:
    name = table().name
    items: list[dict[str, Any]] = [
        {"Put": {"TableName": name, "Item": new.to_item(), "ConditionExpression": "attribute_exists(pk)"}}
    ]
    renamed = old.name != new.name
    if renamed:
        items += [
            {
                "Put": {
                    "TableName": name,
                    "Item": _label_guard(new.org_id, new.name, new.id),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Delete": {"TableName": name, "Key": keys.label_name(old.org_id, name_digest(old.name))}},
        ]
    try:
        client().transact_write_items(TransactItems=items)
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if renamed and len(reasons) > 1 and reasons[1] == FAILED:
            raise _label_name_conflict(new.name) from None
        if reasons and reasons[0] == FAILED:
            raise NotFound(LABEL_NOT_FOUND) from None
        raise


def delete_label(org_id: str, label_id: str) -> None:
    """Deletes the label, its name guard and every mapping that attaches it (found through GSI1)."""
    record = get_label(org_id, label_id)
    name = table().name
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "Delete": {
                        "TableName": name,
                        "Key": keys.label(org_id, label_id),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {"Delete": {"TableName": name, "Key": keys.label_name(org_id, name_digest(record.name))}},
            ]
        )
    except ClientError as error:
        reasons = cancellation_reasons(error)
        if reasons and reasons[0] == FAILED:
            raise NotFound(LABEL_NOT_FOUND) from None
        raise
    mappings = query_all(IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq(keys.label_mappings_gsi(label_id)))
    with table().batch_writer() as batch:
        for item in mappings:
            if item.get("orgId") == org_id:
                batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})


def get_org(org_id: str) -> dict[str, Any]:
    """The org item (its name is what `GET /api/v2/orgs?org=NAME` matches); {} when it was never written."""
    return dict(table().get_item(Key=keys.org(org_id)).get("Item") or {})
