"""Discord webhook: `content` plus one embed; mentions disabled; 429 bodies carry `retry_after`."""

from __future__ import annotations

from typing import Any

from herald.channels.base import Outcome, Target, body_retry_after, classify, send_json
from herald.channels.render import Notification, truncate

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096


def payload(notification: Notification) -> dict[str, Any]:
    embed: dict[str, Any] = {
        "title": truncate(notification.headline, MAX_TITLE),
        "color": notification.colour,
        "timestamp": notification.created_at,
        "fields": [{"name": k, "value": truncate(v, 1024), "inline": True} for k, v in notification.facts()][:25],
        "footer": {"text": f"Event {notification.event_id}"},
    }
    if notification.message:
        embed["description"] = truncate(notification.message, MAX_DESCRIPTION)
    if notification.url:
        embed["url"] = notification.url
    return {
        "content": truncate(notification.headline, MAX_CONTENT),
        "embeds": [embed],
        "allowed_mentions": {"parse": []},
    }


def send(notification: Notification, target: Target) -> Outcome:
    result = send_json(target.secrets["webhookUrl"], payload(notification))
    if isinstance(result, Outcome):
        return result
    outcome = classify(result)
    if result.status == 429 and outcome.retry_after is None:
        return Outcome.retry(outcome.detail, body_retry_after(result, "retry_after"))
    return outcome
