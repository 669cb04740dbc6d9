"""PagerDuty Events API v2: trigger on triggered, resolve on recovered, one dedup_key for both.

POST {HERALD_PAGERDUTY_EVENTS_URL} (default https://events.pagerduty.com/v2/enqueue). 202 is success;
429 and 5xx are retried (PagerDuty asks clients to back off and retry); 400 (invalid event, bad routing
key) and any other answer fail at once.
"""

from __future__ import annotations

import hashlib
from typing import Any

from herald.senders.base import Outcome, Target, classify, delivery_headers, send_json
from herald.senders.render import Notification, truncate
from herald.settings import get_settings

MAX_SUMMARY = 1024
MAX_SOURCE = 255
MAX_DEDUP_KEY = 255
SEVERITIES = {"critical": "critical", "error": "error", "warning": "warning", "info": "info"}
ACCEPTED = frozenset({202})


def dedup_key(notification: Notification) -> str:
    """The event's dedupKey, else a key stable per monitor (or service), so a recovery resolves the
    incident its trigger opened; only an event naming neither falls back to its own id."""
    if notification.dedup_key:
        key = notification.dedup_key
    elif notification.monitor_id:
        key = f"herald:monitor:{notification.monitor_id}"
    elif notification.service:
        key = f"herald:service:{notification.service}"
    else:
        key = f"herald:event:{notification.event_id}"
    if len(key) > MAX_DEDUP_KEY:
        key = "herald:sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def payload(notification: Notification, routing_key: str, config: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "resolve" if notification.recovered else "trigger",
        "dedup_key": dedup_key(notification),
    }
    if notification.recovered:
        return body  # PagerDuty ignores a payload on resolve
    details: dict[str, Any] = {"eventId": notification.event_id, "status": notification.status}
    if notification.message:
        details["message"] = truncate(notification.message, 4000)
    details.update(notification.labels)
    event_payload: dict[str, Any] = {
        "summary": truncate(notification.summary, MAX_SUMMARY),
        "source": truncate(notification.service or notification.monitor_id or "herald", MAX_SOURCE),
        "severity": SEVERITIES.get(config.get("severity") or notification.severity, "critical"),
        "timestamp": notification.created_at,
        "custom_details": details,
    }
    if notification.monitor_id:
        event_payload["component"] = notification.monitor_id
    if notification.service:
        event_payload["group"] = notification.service
    body["payload"] = event_payload
    body["client"] = "Herald"
    if config.get("clientUrl"):
        body["client_url"] = config["clientUrl"]
    if notification.url:
        body["links"] = [{"href": notification.url, "text": "Open"}]
    return body


def send(notification: Notification, target: Target) -> Outcome:
    routing_key = target.secrets.get("routingKey", "").strip()
    if not routing_key:
        return Outcome.failed("pagerduty destination has no routing key")
    if notification.recovered and target.config.get("autoResolve") == "false":  # Grafana's setting
        return Outcome.delivered("autoResolve is off: no resolve sent")
    result = send_json(
        get_settings().pagerduty_events_url, payload(notification, routing_key, target.config), delivery_headers(target)
    )
    if isinstance(result, Outcome):
        return result
    outcome = classify(result, ok=ACCEPTED)
    if outcome.result == "failed" and 200 <= result.status < 300:
        return Outcome.failed(f"unexpected HTTP {result.status} (PagerDuty answers 202): {result.text[:200]}")
    return outcome
