"""Every single-table key is built here and nowhere else (see the access-pattern table in the README)."""

from __future__ import annotations

from typing import TypedDict


class Key(TypedDict):
    pk: str
    sk: str


def org(org_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": "ORG"}


def api_key(token_hash: str) -> Key:
    return {"pk": f"KEY#{token_hash}", "sk": "KEY"}


def org_keys_gsi(org_id: str) -> str:
    return f"ORG#{org_id}#KEYS"


def alert(org_id: str, alert_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"ALERT#{alert_id}"}


ALERT_PREFIX = "ALERT#"


def alert_counter(org_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": "COUNTER#ALERTS"}


def event(event_id: str) -> Key:
    return {"pk": f"EVENT#{event_id}", "sk": "EVENT"}


def event_partition(event_id: str) -> str:
    return f"EVENT#{event_id}"


DELIVERY_PREFIX = "DELIVERY#"


def delivery(event_id: str, delivery_id: str) -> Key:
    return {"pk": f"EVENT#{event_id}", "sk": f"DELIVERY#{delivery_id}"}


def alert_history_gsi(alert_id: str) -> str:
    """Deliveries made for an uptime alert double as its event history (GSI1, newest first)."""
    return f"ALERT#{alert_id}"


def alert_history_sort(created_at: str, event_id: str) -> str:
    return f"{created_at}#{event_id}"


def cooldown(alert_id: str, scope: str) -> Key:
    return {"pk": f"COOLDOWN#{alert_id}#{scope}", "sk": "COOLDOWN"}


def timer(timer_id: str) -> Key:
    return {"pk": f"TIMER#{timer_id}", "sk": "TIMER"}


def due_bucket(epoch_seconds: float) -> str:
    """Timers are indexed by the hour they fall due in, so the scheduler reads one or two partitions."""
    return f"DUE#{int(epoch_seconds) // 3600}"
