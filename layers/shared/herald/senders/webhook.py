"""Generic JSON webhook, signed per the Standard Webhooks spec when the destination has a secret."""

from __future__ import annotations

import base64
import hashlib
import hmac

from herald import clock
from herald.senders import formats
from herald.senders.base import Outcome, Target, classify, delivery_headers, encode_json, post
from herald.senders.render import Notification

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def secret_bytes(secret: str) -> bytes:
    """`whsec_<base64>` is base64-decoded; any other string is used as raw bytes."""
    if secret.startswith(SECRET_PREFIX):
        encoded = secret[len(SECRET_PREFIX) :]
        try:
            return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except ValueError:
            return secret.encode()
    return secret.encode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def payload(notification: Notification, config: dict[str, str]) -> dict[str, object]:
    return {
        "type": f"alert.{notification.status}",
        "timestamp": notification.created_at,
        "data": {
            "eventId": notification.event_id,
            "alertId": config.get("alertId"),
            "alertName": config.get("alertName"),
            "monitorId": notification.monitor_id,
            "service": notification.service,
            "status": notification.status,
            "severity": notification.severity,
            "title": notification.title,
            "message": notification.message,
            "url": notification.url,
            "dedupKey": notification.dedup_key,
            "labels": notification.labels,
        },
    }


def send(notification: Notification, target: Target) -> Outcome:
    custom = notification.custom
    if target.config.get("format") and not (custom and custom.body):  # a user's template body wins
        return formats.send(notification, target)  # a product's own body (Grafana, Mackerel)
    raw = custom.body.encode() if custom and custom.body else encode_json(payload(notification, target.config))
    headers = {"Content-Type": "application/json", **delivery_headers(target)}
    secret = target.secrets.get("secret")
    if secret:
        timestamp = int(clock.epoch())
        headers["webhook-timestamp"] = str(timestamp)
        headers["webhook-signature"] = sign(secret, target.delivery_id, timestamp, raw)
    username, password = target.config.get("username", ""), target.secrets.get("password", "")
    if username or password:  # Grafana webhook channels: HTTP basic auth
        headers["Authorization"] = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
    method = "PUT" if target.config.get("httpMethod", "").upper() == "PUT" else "POST"
    result = post(target.secrets["url"], raw, headers, method)
    return result if isinstance(result, Outcome) else classify(result)
