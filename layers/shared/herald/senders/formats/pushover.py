"""Grafana's Pushover notifier: a multipart form to the messages API with the user key(s), the application
token, priority (`okPriority` on ok; `retry`/`expire` with emergency priority 2), device, sound."""

from __future__ import annotations

from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, multipart_request
from herald.senders.render import Notification

API_URL = "https://api.pushover.net/1/messages.json"
MISSING_MESSAGE = "Notification message missing (Set a notification message to replace this text.)"


def build(notification: Notification, target: Target) -> list[Request]:
    config = target.config
    evaluated = rule(notification, config)
    ok = evaluated.state == "ok"
    message = evaluated.message
    for match in evaluated.eval_matches[:6]:
        message += f"\n<b>{match['metric']}</b>: {match['value']}"
    priority = config.get("okPriority" if ok else "priority") or "0"
    fields = {"user": target.secrets["userKey"], "token": target.secrets["apiToken"], "priority": priority}
    if priority == "2":
        fields["retry"] = config.get("retry") or "0"
        fields["expire"] = config.get("expire") or "0"
    if config.get("device"):
        fields["device"] = config["device"]
    sound = config.get("okSound" if ok else "sound") or ""
    if sound and sound != "default":
        fields["sound"] = sound
    fields.update(
        {
            "title": evaluated.title,
            "url": evaluated.url,
            "url_title": "Show dashboard with alert",
            "message": message or MISSING_MESSAGE,
            "html": "1",
        }
    )
    return [multipart_request(API_URL, fields)]
