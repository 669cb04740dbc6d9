"""Organizations (the tenant of every family)."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from herald import clock
from herald.data import table_keys
from herald.data.table import query_all, table, written
from herald.data.unique import ABSENT, RECORD, GuardFailed, put_unique
from herald.families.mackerel import store as notification_groups


def ensure(org_id: str, name: str = "") -> bool:
    """Creates the org when it does not exist yet; True when it was created.

    The org's default Mackerel notification group is created in the same transaction; for an org that
    existed before, it is added with an idempotent conditional put (its id derives from the org)."""
    created_at = clock.iso()
    org = {
        **table_keys.org(org_id),
        "type": "org",
        "id": org_id,
        "name": name or org_id,
        "createdAt": created_at,
        "gsi1pk": table_keys.orgs_gsi(),
        "gsi1sk": table_keys.orgs_sort(created_at, org_id),
    }
    try:
        put_unique(org, [notification_groups.default_group_guard(org_id)])
        return True
    except GuardFailed as failed:
        if failed.guard == RECORD:
            notification_groups.ensure_default_group(org_id)
            return False
    # the default group outlived its org
    return written(table().put_item, Item=org, ConditionExpression=ABSENT)


def get(org_id: str) -> dict[str, Any] | None:
    item = table().get_item(Key=table_keys.org(org_id)).get("Item")
    return dict(item) if item else None


def list_all() -> list[dict[str, Any]]:
    """Every org, oldest first: one paginated Query of the orgs index (operator tooling only)."""
    return query_all(IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq(table_keys.orgs_gsi()))


_names: dict[str, str] = {}


def display_name(org_id: str) -> str:
    """The org's name (templates print it), read once per container; the id when the org has no record."""
    name = _names.get(org_id)
    if name is None:
        item = table().get_item(Key=table_keys.org(org_id)).get("Item") or {}
        name = _names[org_id] = str(item.get("name") or org_id)
    return name


def forget_names() -> None:
    _names.clear()
