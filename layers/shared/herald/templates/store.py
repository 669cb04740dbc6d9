"""Templates in the table: one item per (org, kind, destination), all under the org's partition so one
Query loads an org's templates. The delivery path reads them through `for_org`, cached per container."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

from boto3.dynamodb.conditions import Key
from pydantic import ConfigDict, model_validator

from herald.data import table_keys
from herald.data.record import Record
from herald.data.table import query_all, table
from herald.errors import NotFound
from herald.templates.spec import Spec

CACHE_SECONDS = 30.0


class StoredTemplate(Record):
    """An org's template for a kind (or one destination): the spec's parts are the item's attributes."""

    model_config = ConfigDict(frozen=True)

    ITEM_TYPE: ClassVar[str] = "template"
    NOT_STORED: ClassVar[frozenset[str]] = frozenset({"org_id", "spec"})  # the key, and the parts apart
    DROP_EMPTY: ClassVar[frozenset[str]] = frozenset({"destination_ref", "match"})

    org_id: str
    kind: str
    destination_ref: str | None = None  # None: the org's template for the kind
    spec: Spec
    updated_at: str
    # What a delivery record names for this destination (`family:destinationId`), resolved at save
    # (a Grafana uid becomes the channel's numeric id); None for a kind-wide template.
    match: str | None = None

    def item_key(self) -> table_keys.Key:
        return table_keys.template(self.org_id, self.kind, self.destination_ref)

    def extra_attributes(self) -> dict[str, Any]:
        return dict(self.spec.parts())

    @model_validator(mode="before")
    @classmethod
    def _read_parts(cls, data: Any) -> Any:
        """An item's org is in its key, its spec in its title/text/body attributes."""
        if not isinstance(data, dict) or "spec" in data:
            return data
        read = {k: v for k, v in data.items() if k not in ("title", "text", "body")}
        parts = {name: data[name] for name in ("title", "text", "body") if data.get(name) is not None}
        read["spec"] = Spec(**{name: str(value) for name, value in parts.items()})
        if "org_id" not in read and "orgId" not in read and "pk" in data:
            read["orgId"] = str(data["pk"]).removeprefix("ORG#")
        return read


def put(org_id: str, stored: StoredTemplate) -> None:
    table().put_item(Item=stored.model_copy(update={"org_id": org_id}).to_item())
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
