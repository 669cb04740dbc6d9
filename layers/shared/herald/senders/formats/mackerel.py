"""Mackerel's alert webhook body (mackerel.io/docs/entry/howto/alerts/webhook), so a receiver written for
Mackerel works unchanged: `orgName`, `event: "alert"`, `type`, `message`, `memo`, `imageUrl`, `host` (when
the event names a host: its `host` label, else its monitor), and `alert` with `id`, `status`
(`critical`/`warning`/`ok`), `isOpen`, `trigger`, `url`, `openedAt`/`statusChangedAt` (epoch seconds),
`createdAt` (epoch ms), `monitorName`; `closedAt` on recoveries. A test send is Mackerel's sample."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald.senders.base import Target
from herald.senders.formats.request import Request, json_request
from herald.senders.render import Notification

SAMPLE = {"message": "Sample Notification from Mackerel", "event": "sample"}


def _epoch(text: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def status(notification: Notification) -> str:
    if notification.recovered:
        return "ok"
    return "warning" if notification.severity in ("warning", "info") else "critical"


def body(notification: Notification, config: dict[str, str]) -> dict[str, Any]:
    if config.get("test"):
        return dict(SAMPLE)
    at = _epoch(notification.created_at)
    host_name = notification.labels.get("host") or notification.monitor_id
    alert: dict[str, Any] = {
        "id": notification.event_id,
        "status": status(notification),
        "isOpen": not notification.recovered,
        "trigger": "monitoring",
        "url": notification.url or "",
        "openedAt": int(at),
        "statusChangedAt": int(at),
        "createdAt": int(at * 1000),
        "monitorName": notification.title,
    }
    if notification.recovered:
        alert["closedAt"] = int(at)
    payload: dict[str, Any] = {
        "orgName": config.get("orgName", ""),
        "event": "alert",
        "imageUrl": None,
        "memo": "",
        "type": "host" if host_name else ("service" if notification.service else "check"),
        "message": notification.message or notification.title,
        "alert": alert,
    }
    if host_name:
        payload["host"] = {
            "id": notification.monitor_id or host_name,
            "name": host_name,
            "url": notification.url or "",
            "type": "unknown",
            "status": "working",
            "memo": "",
            "isRetired": False,
            "roles": [],
        }
    if notification.service and not host_name:
        payload["service"] = {"id": notification.service, "name": notification.service, "memo": "", "roles": []}
    return payload


def build(notification: Notification, target: Target) -> list[Request]:
    return [json_request(target.secrets["url"], body(notification, target.config))]
