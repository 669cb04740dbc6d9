"""Grafana's Threema Gateway notifier: `send_simple` from a Basic gateway ID to one recipient ID."""

from __future__ import annotations

from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, form_request
from herald.senders.render import Notification

API_URL = "https://msgapi.threema.ch/send_simple"
EMOJI = {"ok": "\u2705 ", "no_data": "\u2753\ufe0f ", "alerting": "\u26a0\ufe0f "}


def build(notification: Notification, target: Target) -> list[Request]:
    evaluated = rule(notification, target.config)
    text = f"{EMOJI.get(evaluated.state, '')}{evaluated.title}\n\n"
    text += f"*State:* {evaluated.name}\n*Message:* {evaluated.message}\n"
    if evaluated.url:
        text += f"*URL:* {evaluated.url}\n"
    fields = {
        "from": target.config["gateway_id"],
        "to": target.config["recipient_id"],
        "secret": target.secrets["api_secret"],
        "text": text,
    }
    return [form_request(API_URL, fields)]
