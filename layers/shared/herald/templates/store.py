"""Templates in the table: one item per (org, kind, destination), all under the org's partition so one
Query loads an org's templates. The delivery path reads them through `for_org`, cached per container."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from boto3.dynamodb.conditions import Key

from herald.data import table_keys
from herald.data.table import query_all, table
from herald.errors import NotFound
from herald.templates.spec import Spec

CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class StoredTemplate:
    kind: str
    destination_ref: str | None  # None: the org's template for the kind
    spec: Spec
    updated_at: str
    # What a delivery record names for this destination (`family:destinationId`), resolved at save
    # (a Grafana uid becomes the channel's numeric id); None for a kind-wide template.
    match: str | None = None

    def to_item(self, org_id: str) -> dict[str, object]:
        item: dict[str, object] = {
            **table_keys.template(org_id, self.kind, self.destination_ref),
            "type": "template",
            "kind": self.kind,
            "updatedAt": self.updated_at,
        }
        for name, value in self.spec.parts().items():
            item[name] = value
        if self.destination_ref:
            item["destinationRef"] = self.destination_ref
        if self.match:
            item["match"] = self.match
        return item

    @classmethod
    def from_item(cls, item: dict[str, object]) -> StoredTemplate:
        def text(name: str) -> str | None:
            value = item.get(name)
            return str(value) if value is not None else None

        return cls(
            kind=str(item["kind"]),
            destination_ref=text("destinationRef"),
            spec=Spec(title=text("title"), text=text("text"), body=text("body")),
            updated_at=str(item["updatedAt"]),
            match=text("match"),
        )


def put(org_id: str, stored: StoredTemplate) -> None:
    table().put_item(Item=stored.to_item(org_id))
    _forget(org_id)


def get(org_id: str, kind: str, destination_ref: str | None) -> StoredTemplate:
    item = table().get_item(Key=table_keys.template(org_id, kind, destination_ref), ConsistentRead=True).get("Item")
    if not item:
        raise NotFound("Template not found")
    return StoredTemplate.from_item(item)


def delete(org_id: str, kind: str, destination_ref: str | None) -> None:
    answer = table().delete_item(Key=table_keys.template(org_id, kind, destination_ref), ReturnValues="ALL_OLD")
    _forget(org_id)
    if not answer.get("Attributes"):
        raise NotFound("Template not found")


def list_for_org(org_id: str) -> list[StoredTemplate]:
    items = query_all(
        KeyConditionExpression=Key("pk").eq(table_keys.org(org_id)["pk"])
        & Key("sk").begins_with(table_keys.TEMPLATE_PREFIX),
        ConsistentRead=True,
    )
    return [StoredTemplate.from_item(item) for item in items]


_cache: dict[str, tuple[float, list[StoredTemplate]]] = {}
_lock = threading.Lock()


def for_org(org_id: str) -> list[StoredTemplate]:
    """The org's templates as a delivery sees them: read once per container every CACHE_SECONDS."""
    now = time.monotonic()
    with _lock:
        hit = _cache.get(org_id)
    if hit and hit[0] > now:
        return hit[1]
    found = list_for_org(org_id)
    with _lock:
        if len(_cache) > 512:
            _cache.clear()
        _cache[org_id] = (now + CACHE_SECONDS, found)
    return found


def _forget(org_id: str) -> None:
    with _lock:
        _cache.pop(org_id, None)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
