"""Slack incoming webhook: `text` plus Block Kit blocks in a coloured attachment; success is 200 `ok`."""

from __future__ import annotations

from typing import Any

from herald.channels.base import Outcome, Target, classify, send_json
from herald.channels.render import Notification, truncate

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000


def payload(notification: Notification, config: dict[str, str]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate(notification.headline, 150)}},
    ]
    if notification.message:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": truncate(notification.message, MAX_SECTION_TEXT)},
            }
        )
    fields = [{"type": "mrkdwn", "text": f"*{k}*\n{truncate(v, 500)}"} for k, v in notification.facts()][:10]
    if fields:  # a template's text stands alone (no facts); Slack refuses an empty `fields`
        blocks.append({"type": "section", "fields": fields})
    if notification.url:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"<{notification.url}|Open>"}})
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Event {notification.event_id} · {notification.created_at}"}],
        }
    )
    body: dict[str, Any] = {
        "text": truncate(notification.headline, 3000),
        "attachments": [{"color": f"#{notification.colour:06x}", "blocks": blocks[:MAX_BLOCKS]}],
    }
    if config.get("mention"):  # Mackerel channels: the mention text of the alert's state
        body["text"] = truncate(f"{config['mention']} {body['text']}", 3000)
    if config.get("channel"):
        body["channel"] = config["channel"]
    if config.get("username"):
        body["username"] = config["username"]
    return body


def send(notification: Notification, target: Target) -> Outcome:
    result = send_json(target.secrets["webhookUrl"], payload(notification, target.config))
    if isinstance(result, Outcome):
        return result
    outcome = classify(result)
    if outcome.result == "delivered" and result.status == 200 and result.text.strip() not in ("ok", ""):
        return Outcome.failed(f"Slack answered 200 with {result.text[:200]!r}")
    return outcome
