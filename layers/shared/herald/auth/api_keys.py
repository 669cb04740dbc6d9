"""API keys: high-entropy tokens, stored only as SHA-256 hashes, each with one org and its scopes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from herald import clock
from herald.auth.scopes import ALL_SCOPES
from herald.data import table, table_keys
from herald.errors import ValidationFailed

LAST_USED_RESOLUTION_SECONDS = 60.0
TOKEN_PREFIX = "hrld_"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True)
class Principal:
    org_id: str
    scopes: frozenset[str]
    key_name: str
    key_id: str = ""

    def can(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True)
class KeyInfo:
    id: str
    org_id: str
    name: str
    scopes: list[str]
    created_at: str
    last_used_at: str | None
    expires_at: str | None
    revoked_at: str | None


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_routing_key() -> str:
    """A key in PagerDuty's integration key form: 32 characters (128 random bits, hex), for the tools
    that check a routing_key's length before they send it."""
    return secrets.token_hex(16)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def key_id(digest: str) -> str:
    """A key's public name: a prefix of its hash, which cannot give the token back."""
    return "key_" + digest[:16]


def create_key(
    org_id: str, scopes: list[str], name: str = "", token: str | None = None, expires_at: float | None = None
) -> str:
    """Stores a key (hash only) and returns the token, which is never stored."""
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ValidationFailed(f"unknown scope(s): {', '.join(unknown)}")
    if not scopes:
        raise ValidationFailed("a key needs at least one scope")
    token = token or new_token()
    if len(token) < 16:
        raise ValidationFailed("a token must be at least 16 characters long")
    digest = token_hash(token)
    now = clock.iso()
    item: dict[str, object] = {
        **table_keys.api_key(digest),
        "type": "apikey",
        "id": key_id(digest),
        "orgId": org_id,
        "scopes": sorted(set(scopes)),
        "name": name or key_id(digest),
        "createdAt": now,
        "gsi1pk": table_keys.org_keys_gsi(org_id),
        "gsi1sk": now,
    }
    if expires_at is not None:
        item["expiresAt"] = int(expires_at)
    table.table().put_item(Item=item)
    return token


def lookup(token: str) -> Principal | None:
    """The key's principal, or None when it is unknown, revoked or expired. Records the use."""
    digest = token_hash(token)
    item = table.table().get_item(Key=table_keys.api_key(digest)).get("Item")
    if not item or item.get("revokedAt"):
        return None
    if item.get("expiresAt") is not None and float(item["expiresAt"]) <= clock.epoch():
        return None
    _note_use(digest, item.get("lastUsedAt"))
    return Principal(
        org_id=str(item["orgId"]),
        scopes=frozenset(item.get("scopes", [])),
        key_name=str(item["name"]),
        key_id=str(item.get("id") or key_id(digest)),
    )


def _note_use(digest: str, last_used_at: object) -> None:
    """Writes `lastUsedAt` at most once a minute per key, not on every cache miss."""
    now = clock.epoch()
    if isinstance(last_used_at, str):
        last = datetime.fromisoformat(last_used_at.replace("Z", "+00:00")).timestamp()
        if now - last < LAST_USED_RESOLUTION_SECONDS:
            return
    table.table().update_item(
        Key=table_keys.api_key(digest),
        UpdateExpression="SET lastUsedAt = :now",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":now": clock.iso()},
    )


def list_keys(org_id: str) -> list[KeyInfo]:
    from boto3.dynamodb.conditions import Key

    found: list[KeyInfo] = []
    kwargs: dict[str, object] = {
        "IndexName": "gsi1",
        "KeyConditionExpression": Key("gsi1pk").eq(table_keys.org_keys_gsi(org_id)),
    }
    while True:
        page = table.table().query(**kwargs)
        for item in page.get("Items", []):
            expires = item.get("expiresAt")
            found.append(
                KeyInfo(
                    id=str(item["id"]),
                    org_id=org_id,
                    name=str(item["name"]),
                    scopes=[str(s) for s in item.get("scopes", [])],
                    created_at=str(item["createdAt"]),
                    last_used_at=item.get("lastUsedAt"),
                    expires_at=clock.iso(datetime.fromtimestamp(float(expires), UTC)) if expires is not None else None,
                    revoked_at=item.get("revokedAt"),
                )
            )
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def revoke(org_id: str, id_: str) -> bool:
    """Marks the org's key revoked, on whatever page of the org's keys it is; True when a key was revoked.
    Containers notice within the key cache's TTL (HERALD_KEY_CACHE_SECONDS, at most 5 s)."""
    from boto3.dynamodb.conditions import Attr, Key

    found = table.query_all(
        IndexName="gsi1",
        KeyConditionExpression=Key("gsi1pk").eq(table_keys.org_keys_gsi(org_id)),
        FilterExpression=Attr("id").eq(id_),
    )
    for item in found:
        if not item.get("revokedAt"):
            table.table().update_item(
                Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="SET revokedAt = :now",
                ExpressionAttributeValues={":now": clock.iso()},
            )
            return True
    return False
