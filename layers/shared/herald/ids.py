"""Identifier formats of every entity."""

from __future__ import annotations

import hashlib
import secrets
import string

_ALNUM = string.ascii_letters + string.digits


def random_alnum(length: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def alert_id() -> str:
    return "alt_" + random_alnum(20)


def event_id() -> str:
    return "evt_" + random_alnum(20)


def org_id() -> str:
    return secrets.token_hex(8)


def delivery_id(event_id: str, destination_key: str) -> str:
    """Deterministic per (event, destination), so a replayed stream record cannot create a second one."""
    digest = hashlib.sha256(f"{event_id}|{destination_key}".encode()).hexdigest()[:24]
    return "dlv_" + digest
