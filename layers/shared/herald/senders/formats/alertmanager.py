"""Grafana's Prometheus Alertmanager notifier: the alert posted to `<url>/api/v1/alerts` of every
comma-separated Alertmanager URL (success when one accepts), with `endsAt` set on ok so Alertmanager
resolves it; basic auth when both user and password are set.

Alertmanager removed its v1 API in 0.27; Herald posts to `/api/v2/alerts`, which takes the same list of
alerts (a JSON array of {labels, annotations, startsAt, endsAt, generatorURL})."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, basic_auth, json_request
from herald.senders.render import Notification

LABEL_NAME = re.compile(r"[^a-zA-Z0-9_]")


def urls(setting: str) -> list[str]:
    return [part.strip() for part in setting.split(",") if part.strip()]


def build(notification: Notification, target: Target) -> list[Request]:
    evaluated = rule(notification, target.config)
    labels = {LABEL_NAME.sub("_", k): v for k, v in evaluated.tags.items()}
    labels["alertname"] = evaluated.name
    alert: dict[str, Any] = {"startsAt": notification.created_at, "generatorURL": evaluated.url, "labels": labels}
    annotations = {"summary": evaluated.name}
    if evaluated.message:
        annotations["description"] = evaluated.message
    alert["annotations"] = annotations
    if evaluated.state == "ok":
        alert["endsAt"] = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    headers = basic_auth(target.config.get("basicAuthUser", ""), target.secrets.get("basicAuthPassword", ""))
    return [json_request(url.rstrip("/") + "/api/v2/alerts", [alert], headers) for url in urls(target.secrets["url"])]
