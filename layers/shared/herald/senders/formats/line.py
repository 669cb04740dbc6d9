"""Grafana's LINE notifier: LINE Notify with the token as a bearer."""

from __future__ import annotations

from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, form_request
from herald.senders.render import Notification

API_URL = "https://notify-api.line.me/api/notify"


def build(notification: Notification, target: Target) -> list[Request]:
    evaluated = rule(notification, target.config)
    message = f"{evaluated.title} - {evaluated.url}\n{evaluated.message}"
    request = form_request(API_URL, {"message": message}, {"Authorization": f"Bearer {target.secrets['token']}"})
    request.headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"
    return [request]
