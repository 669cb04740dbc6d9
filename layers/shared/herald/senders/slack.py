"""Slack incoming webhook: `text` plus Block Kit blocks in a coloured attachment; success is 200 `ok`."""

from __future__ import annotations

import json
from typing import Any

from herald.senders.base import Outcome, Target, classify, delivery_headers, send_json
from herald.senders.render import Notification, truncate
from herald.settings import get_settings
from herald.templates.escaping import slack_mrkdwn

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000


def payload(notification: Notification, config: dict[str, str]) -> dict[str, Any]:
    # Event fields are the sender's text, never Slack markup: `<!channel>` or `<https://evil|https://status…>`
    # in a title stays text. A template's output is escaped by the template engine already; the `mention`
    # settings (Mackerel, Grafana) stay the only way to mention anyone.
    esc = (lambda text: text) if notification.custom else slack_mrkdwn
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate(notification.headline, 150)}},
    ]
    if notification.message:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": truncate(esc(notification.message), MAX_SECTION_TEXT)},
            }
        )
    fields = [{"type": "mrkdwn", "text": f"*{esc(k)}*\n{truncate(esc(v), 500)}"} for k, v in notification.facts()][:10]
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
        "text": truncate(esc(notification.headline), 3000),
        "attachments": [{"color": f"#{notification.colour:06x}", "blocks": blocks[:MAX_BLOCKS]}],
    }
    if config.get("mention"):  # Mackerel channels: the mention text of the alert's state
        body["text"] = truncate(f"{config['mention']} {body['text']}", 3000)
    if config.get("channel"):
        body["channel"] = config["channel"]
    for key in ("username", "icon_emoji", "icon_url"):  # Grafana's Slack settings
        if config.get(key):
            body[key] = config[key]
    return body


def send(notification: Notification, target: Target) -> Outcome:
    if not target.secrets.get("webhookUrl") and target.secrets.get("token"):
        return send_with_token(notification, target)
    result = send_json(target.secrets["webhookUrl"], payload(notification, target.config), delivery_headers(target))
    if isinstance(result, Outcome):
        return result
    outcome = classify(result)
    if outcome.result == "delivered" and result.status == 200 and result.text.strip() not in ("ok", ""):
        return Outcome.failed(f"Slack answered 200 with {result.text[:200]!r}")
    return outcome


def send_with_token(notification: Notification, target: Target) -> Outcome:
    """A bot token instead of a webhook: Slack's chat.postMessage, to the destination's channel (or the
    one the notification's `channel` label names). Slack answers 200 with `ok: false` for its errors."""
    body = payload(notification, target.config)
    body["channel"] = target.config.get("channel") or notification.labels.get("channel", "")
    if not body["channel"]:
        return Outcome.failed("Slack token destination has no channel")
    headers = {"Authorization": f"Bearer {target.secrets['token']}", **delivery_headers(target)}
    result = send_json(chat_post_message_url(), body, headers)
    if isinstance(result, Outcome):
        return result
    outcome = classify(result)
    if outcome.result != "delivered":
        return outcome
    try:
        answer = json.loads(result.body)
    except ValueError:
        return Outcome.failed(f"Slack answered {result.text[:200]!r}")
    if not isinstance(answer, dict) or answer.get("ok") is not True:
        error = answer.get("error", "unknown") if isinstance(answer, dict) else "unknown"
        if error == "ratelimited":
            return Outcome.retry("Slack: ratelimited")
        return Outcome.failed(f"Slack chat.postMessage: {error}")
    return outcome


def chat_post_message_url() -> str:
    return get_settings().slack_api_url.rstrip("/") + "/chat.postMessage"
