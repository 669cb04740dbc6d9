"""Grafana's Google Hangouts Chat notifier: one card with the message, the matches and a link button."""

from __future__ import annotations

from typing import Any

from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, json_request
from herald.senders.render import Notification


def build(notification: Notification, target: Target) -> list[Request]:
    evaluated = rule(notification, target.config)
    widgets: list[Any] = []
    if evaluated.message:
        widgets.append({"textParagraph": {"text": evaluated.message}})
    widgets.append(
        [{"textParagraph": {"text": f"<i>{m['metric']}: {m['value']}</i>"}} for m in evaluated.eval_matches[:6]]
    )
    widgets.append(
        {"buttons": [{"textButton": {"text": "OPEN IN GRAFANA", "onClick": {"openLink": {"url": evaluated.url}}}}]}
    )
    widgets.append({"textParagraph": {"text": f"Grafana | {notification.created_at}"}})
    body = {
        "previewText": evaluated.title,
        "fallbackText": evaluated.title,
        "cards": [{"header": {"title": evaluated.title}, "sections": [{"widgets": widgets}]}],
    }
    return [json_request(target.secrets["url"], body, {"Content-Type": "application/json; charset=UTF-8"})]
