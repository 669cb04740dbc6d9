"""Alertmanager's webhook payload (version "4") and Grafana unified alerting's webhook contact point
(the same shape, version "1", with extra fields) → one Herald event per alert.

Both senders add fields over time (notification_reason, routeLabels, ruleUID, …), so unknown fields are
ignored; the fields Herald reads are checked, and a payload without them gets a 400 naming the field.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from herald.intake.targets import REF, targets_from
from herald.models.common import HttpUrl
from herald.models.events import EventIn, EventSource, EventStatus, Link, Severity

TITLE_MAX, MESSAGE_MAX, LABELS_MAX, LABEL_VALUE_MAX = 256, 8000, 64, 1024
SEVERITIES: dict[str, Severity] = {
    "critical": "critical",
    "error": "error",
    "high": "error",
    "warning": "warning",
    "info": "info",
}


class AlertIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: str | None = None
    endsAt: str | None = None
    generatorURL: str | None = None
    fingerprint: str | None = None
    # Grafana's extras that Herald shows as links
    silenceURL: str | None = None
    dashboardURL: str | None = None
    panelURL: str | None = None


class WebhookIn(BaseModel):
    """The body Alertmanager's `webhook_configs` and Grafana's webhook contact point POST."""

    model_config = ConfigDict(extra="ignore")
    version: Literal["4", "1"]
    receiver: str
    status: Literal["firing", "resolved"]
    alerts: Annotated[list[AlertIn], Field(max_length=1000)]
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str = ""
    groupKey: str = ""
    truncatedAlerts: int = 0
    # Grafana only
    orgId: int | None = None
    title: str | None = None
    state: str | None = None
    message: str | None = None


class AlertEvent(BaseModel):
    id: str
    dedupKey: str
    status: EventStatus
    deduplicated: bool


class IntakeAnswer(BaseModel):
    """One entry per alert, in the payload's order: the event created, or the open incident's event."""

    events: list[AlertEvent]


def source_of(payload: WebhookIn) -> EventSource:
    return "grafana" if payload.version == "1" else "alertmanager"


def dedup_key(alert: AlertIn) -> str:
    """The alert's fingerprint; without one, a stable hash of its sorted labels."""
    if alert.fingerprint:
        return alert.fingerprint[:255]
    return hashlib.sha256(json.dumps(alert.labels, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


def severity(labels: dict[str, str]) -> Severity:
    return SEVERITIES.get(labels.get("severity", "").strip().lower(), "error")


def _links(alert: AlertIn, payload: WebhookIn) -> list[Link]:
    candidates = [
        (alert.generatorURL, "Source"),
        (alert.dashboardURL, "Dashboard"),
        (alert.panelURL, "Panel"),
        (alert.silenceURL, "Silence"),
        (payload.externalURL, "Alertmanager" if payload.version == "4" else "Grafana"),
    ]
    return [
        Link(href=href, text=text) for href, text in candidates if href and href.startswith(("http://", "https://"))
    ]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_event(alert: AlertIn, payload: WebhookIn) -> tuple[EventIn, list[Link]]:
    labels = {k[:128]: v[:LABEL_VALUE_MAX] for k, v in sorted(alert.labels.items()) if k}
    labels = dict(list(labels.items())[:LABELS_MAX])
    title = alert.annotations.get("summary") or alert.labels.get("alertname") or payload.title or "Alert"
    message = alert.annotations.get("description")
    links = _links(alert, payload)
    body: dict[str, Any] = {
        "status": "triggered" if alert.status == "firing" else "recovered",
        "severity": severity(alert.labels),
        "title": _clip(title.strip() or "Alert", TITLE_MAX),
        "dedupKey": dedup_key(alert),
        "labels": labels,
    }
    if message:
        body["message"] = _clip(message, MESSAGE_MAX)
    monitor_id = alert.labels.get("monitorId", "")
    if REF.fullmatch(monitor_id):
        body["monitorId"] = monitor_id
    if links and _valid_url(links[0].href):
        body["url"] = links[0].href
    event = EventIn.model_validate(body)
    event.targets = targets_from(alert.labels, alert.annotations)
    return event, links


def _valid_url(url: str) -> bool:
    try:
        TypeAdapter(HttpUrl).validate_python(url)
    except ValidationError:
        return False
    return True
