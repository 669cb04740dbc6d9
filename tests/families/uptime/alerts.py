"""What the uptime alerts API tests share: the seed's bodies and fields, its routes and scopes, and helpers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from herald import clock, ids
from herald.data import table_keys as table_keys
from herald.data.deliveries import DeliveryRecord
from herald.data.table import table
from tests.support.apigw import ApiClient, ApiResponse

ALERT_FIELDS = {
    "id",
    "name",
    "strategy",
    "notifyOnRecovery",
    "cooldownMinutes",
    "monitorId",
    "createdAt",
    "updatedAt",
}
NEVER_RETURNED = {"url", "webhookUrl", "email", "secret", "subjectPrefix", "channel"}
HISTORY_FIELDS = {"id", "alertId", "monitorId", "type", "status", "createdAt"}
ALERT_ID = re.compile(r"^alt_[a-zA-Z0-9]+$")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")

WEBHOOK_URL = "https://events.pagerduty.com/integration/abc123/enqueue"
WEBHOOK_SECRET = "whsec_c2VjcmV0LWZvci10ZXN0aW5nLW9ubHk="
SLACK_URL = "https://hooks.slack.com/services/T00/B00/slack-plaintext-xyz"
DISCORD_URL = "https://discord.com/api/webhooks/123/discord-plaintext-xyz"

# The seed's four example requests (one per strategy).
BODIES: dict[str, dict[str, Any]] = {
    "email": {
        "name": "Team Email Alert",
        "strategy": "email",
        "email": "alerts@example.com",
        "subjectPrefix": "[Uptime]",
    },
    "webhook": {"name": "PagerDuty Integration", "strategy": "webhook", "url": WEBHOOK_URL, "secret": WEBHOOK_SECRET},
    "slack": {"name": "Slack #incidents", "strategy": "slack", "webhookUrl": SLACK_URL, "channel": "#incidents-room-7"},
    "discord": {"name": "Discord Server Alert", "strategy": "discord", "webhookUrl": DISCORD_URL},
}
MINIMAL: dict[str, dict[str, Any]] = {
    "email": {"name": "e", "strategy": "email", "email": "ops@example.com"},
    "webhook": {"name": "w", "strategy": "webhook", "url": "https://example.com/hook"},
    "slack": {"name": "s", "strategy": "slack", "webhookUrl": "https://hooks.slack.com/services/x"},
    "discord": {"name": "d", "strategy": "discord", "webhookUrl": "https://discord.com/api/webhooks/1/x"},
}
STRATEGIES = list(BODIES)

ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/v1/alerts", "alerts:read"),
    ("POST", "/v1/alerts", "alerts:write"),
    ("GET", "/v1/alerts/{id}", "alerts:read"),
    ("PUT", "/v1/alerts/{id}", "alerts:write"),
    ("DELETE", "/v1/alerts/{id}", "alerts:write"),
    ("GET", "/v1/alerts/{id}/events", "alerts:read"),
]


# --- helpers -----------------------------------------------------------------------------------------


def body_for(strategy: str, **changes: Any) -> dict[str, Any]:
    return {**MINIMAL[strategy], **changes}


def create(api: ApiClient, token: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.post("/v1/alerts", body or MINIMAL["email"], token=token)
    assert response.status == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def listed(api: ApiClient, token: str) -> list[dict[str, Any]]:
    response = api.get("/v1/alerts", token=token)
    assert response.status == 200, response.text
    alerts: list[dict[str, Any]] = response.json()["alerts"]
    return alerts


def assert_error(response: ApiResponse, status: int, code: str) -> str:
    assert response.status == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert isinstance(message, str) and message
    return message


def assert_alert_shape(alert: dict[str, Any]) -> None:
    assert set(alert) == ALERT_FIELDS
    assert ALERT_ID.match(alert["id"])
    assert ISO_UTC.match(alert["createdAt"]) and ISO_UTC.match(alert["updatedAt"])


def raw_alert_item(org_id: str, alert_id: str) -> dict[str, Any]:
    item: dict[str, Any] = table().get_item(Key=table_keys.alert(org_id, alert_id))["Item"]
    return item


def freeze_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


def route_url(template: str, alert_id: str = "alt_doesnotexist") -> str:
    return template.replace("{id}", alert_id)


def call(api: ApiClient, method: str, url: str, body: Any = None, **kw: Any) -> ApiResponse:
    if method in {"POST", "PUT"}:
        return api.request(method, url, body if body is not None else MINIMAL["email"], **kw)
    return api.request(method, url, **kw)


def history_record(
    alert_id: str,
    org_id: str,
    created_at: str,
    *,
    event_id: str | None = None,
    status: str = "delivered",
    event_status: str = "triggered",
    monitor_id: str | None = "mon_def456",
) -> DeliveryRecord:
    event = event_id or ids.event_id()
    return DeliveryRecord(
        id=ids.delivery_id(event, f"alert:{alert_id}"),
        event_id=event,
        org_id=org_id,
        kind="webhook",
        family="uptime",
        destination_id=alert_id,
        destination_name="hook",
        message={"title": "down"},
        status=status,
        created_at=created_at,
        updated_at=created_at,
        alert_id=alert_id,
        monitor_id=monitor_id,
        event_status=event_status,
    )


def stamp(minutes: int) -> str:
    return clock.iso(datetime(2026, 2, 14, 10, 0, tzinfo=UTC) + timedelta(minutes=minutes))
