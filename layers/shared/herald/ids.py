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


def mackerel_id() -> str:
    """Mackerel's channel and notification group ids: 11 alphanumerics ("2vh7AZ21abc")."""
    return random_alnum(11)


def mackerel_default_group_id(org_id: str) -> str:
    """The org's default notification group has an id derived from the org, so creating it is idempotent."""
    number = int.from_bytes(hashlib.sha256(f"mackerel-default-group|{org_id}".encode()).digest()[:16], "big")
    chars = []
    for _ in range(11):
        number, digit = divmod(number, len(_ALNUM))
        chars.append(_ALNUM[digit])
    return "".join(chars)


def org_id() -> str:
    return secrets.token_hex(8)


def delivery_id(event_id: str, destination_key: str) -> str:
    """Deterministic per (event, destination), so a replayed stream record cannot create a second one."""
    digest = hashlib.sha256(f"{event_id}|{destination_key}".encode()).hexdigest()[:24]
    return "dlv_" + digest


def influx_id() -> str:
    """InfluxDB ids: 16 lower-case hex digits, never all zeros."""
    while True:
        value = secrets.token_hex(8)
        if int(value, 16):
            return value
