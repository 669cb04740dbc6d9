"""Discord webhook: `content` plus one embed; mentions disabled; 429 bodies carry `retry_after`."""

from __future__ import annotations

from typing import Any

from herald.senders.base import Outcome, Target, body_retry_after, classify, delivery_headers, send_json
from herald.senders.render import Notification, truncate

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_EMBED_TOTAL = 6000  # title + description + field names and values + footer; Discord answers 400 above it


def _fields(facts: list[tuple[str, str]], budget: int) -> list[dict[str, Any]]:
    """Facts in order while they fit the embed's remaining characters; the last one may be cut short."""
    fields: list[dict[str, Any]] = []
    for name, value in facts[:MAX_FIELDS]:
        name = truncate(name, MAX_FIELD_NAME)
        room = min(MAX_FIELD_VALUE, budget - len(name))
        if room < 1:
            break
        value = truncate(value or "-", room)  # Discord refuses empty field values
        fields.append({"name": name, "value": value, "inline": True})
        budget -= len(name) + len(value)
    return fields


def payload(notification: Notification, config: dict[str, str] | None = None) -> dict[str, Any]:
    title = truncate(notification.headline, MAX_TITLE)
    footer = f"Event {notification.event_id}"
    budget = MAX_EMBED_TOTAL - len(title) - len(footer)
    embed: dict[str, Any] = {"title": title, "color": notification.colour, "timestamp": notification.created_at}
    if notification.message:
        embed["description"] = truncate(notification.message, min(MAX_DESCRIPTION, budget))
        budget -= len(embed["description"])
    embed["fields"] = _fields(notification.facts(), budget)
    embed["footer"] = {"text": footer}
    if notification.url:
        embed["url"] = notification.url
    config = config or {}
    body: dict[str, Any] = {
        "content": truncate(config.get("content") or notification.headline, MAX_CONTENT),
        "embeds": [embed],
        "allowed_mentions": {"parse": []},
    }
    if config.get("avatarUrl"):  # Grafana's Discord settings
        body["avatar_url"] = config["avatarUrl"]
    if config.get("use_discord_username") == "false":
        body["username"] = "Grafana"
    return body


def send(notification: Notification, target: Target) -> Outcome:
    result = send_json(target.secrets["webhookUrl"], payload(notification, target.config), delivery_headers(target))
    if isinstance(result, Outcome):
        return result
    outcome = classify(result)
    if result.status == 429 and outcome.retry_after is None:
        return Outcome.retry(outcome.detail, body_retry_after(result, "retry_after"))
    return outcome
