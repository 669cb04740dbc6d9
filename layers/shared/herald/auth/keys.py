"""API keys: high-entropy tokens, stored only as SHA-256 hashes, each with one org and its scopes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from herald import clock
from herald.auth.scopes import ALL_SCOPES
from herald.data import keys, table
from herald.errors import ValidationFailed

TOKEN_PREFIX = "hrld_"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True)
class Principal:
    org_id: str
    scopes: frozenset[str]
    key_name: str

    def can(self, scope: str) -> bool:
        return scope in self.scopes


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(org_id: str, scopes: list[str], name: str = "", token: str | None = None) -> str:
    """Stores a key (hash only) and returns the token, which is never stored."""
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ValidationFailed(f"unknown scope(s): {', '.join(unknown)}")
    token = token or new_token()
    if len(token) < 16:
        raise ValidationFailed("a token must be at least 16 characters long")
    digest = token_hash(token)
    now = clock.iso()
    table.table().put_item(
        Item={
            **keys.api_key(digest),
            "type": "apikey",
            "orgId": org_id,
            "scopes": sorted(set(scopes)),
            "name": name or f"key-{digest[:8]}",
            "createdAt": now,
            "gsi1pk": keys.org_keys_gsi(org_id),
            "gsi1sk": now,
        }
    )
    return token


def lookup(token: str) -> Principal | None:
    item = table.table().get_item(Key=keys.api_key(token_hash(token))).get("Item")
    if not item or item.get("revokedAt"):
        return None
    return Principal(org_id=str(item["orgId"]), scopes=frozenset(item.get("scopes", [])), key_name=str(item["name"]))
