"""Microsoft Teams Workflows webhook: one Adaptive Card (1.4) in a `message`; the whole JSON ≤ 28,000 bytes.

The "Post to a channel when a webhook request is received" workflow answers 202 Accepted; any 2xx is
delivered. 429 and 5xx are retried (honouring `Retry-After`), other 4xx fail at once.
"""

from __future__ import annotations

from typing import Any

from herald.senders.base import Outcome, Target, classify, delivery_headers, encode_json, send_json
from herald.senders.render import Notification, truncate, truncate_to_fit

MAX_BYTES = 28_000  # Teams refuses messages over ~28 KB; measured on the JSON we send
CARD_VERSION = "1.4"
MAX_FACTS = 20
# Adaptive Card colour names (TextRun.color) by state.
COLOURS = {"critical": "Attention", "error": "Attention", "warning": "Warning", "info": "Accent"}


def literal(text: str, **style: Any) -> dict[str, Any]:
    """Event text shown as it is. An Adaptive Card's TextBlock and FactSet read markdown (Teams renders
    `**bold**`, `[text](url)` links and list markers there), a RichTextBlock's TextRun does not: an
    event's `[click](https://evil)`, `**` or `<at>` stays text."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def fact(name: str, value: str) -> dict[str, Any]:
    bold = {"type": "TextRun", "text": f"{name}: ", "weight": "Bolder"}
    return {"type": "RichTextBlock", "inlines": [bold, {"type": "TextRun", "text": value}]}


def authored(text: str, **style: Any) -> dict[str, Any]:
    """A template's wording: its author's markdown, event fields in it already escaped (herald.templates)."""
    return {"type": "TextBlock", "text": text, **style, "wrap": True}


def card(notification: Notification, message: str | None, facts: list[tuple[str, str]], title: str) -> dict[str, Any]:
    colour = "Good" if notification.recovered else COLOURS.get(notification.severity, "Default")
    custom = notification.custom
    heading = authored if custom and custom.title else literal
    body: list[dict[str, Any]] = [heading(title, weight="Bolder", size="Medium", color=colour)]
    if message:
        body.append(authored(message) if custom and custom.text is not None else literal(message))
    body.extend(fact(name, value) for name, value in facts)
    body.append(literal(f"Event {notification.event_id} at {notification.created_at}", isSubtle=True, size="Small"))
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    if notification.url:
        content["actions"] = [{"type": "Action.OpenUrl", "title": "Open", "url": notification.url}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": content}
        ],
    }


def _size(body: dict[str, Any]) -> int:
    return len(encode_json(body))


def payload(notification: Notification, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """The card, shrunk until it fits: the message gives way first, then fact values, then the title."""
    title = truncate(notification.headline, 1000)
    facts = [(truncate(k, 100), truncate(v, 1000)) for k, v in notification.facts()[:MAX_FACTS]]
    for _ in range(64):  # without the message, make the rest fit (only huge labels or titles need this)
        excess = _size(card(notification, None, facts, title)) - max_bytes
        if excess <= 0:
            break
        if any(len(v) > 50 for _, v in facts):
            facts = [(k, truncate(v, max(50, len(v) // 2))) for k, v in facts]
        elif len(facts) > 2:
            facts = facts[: len(facts) // 2]
        else:
            title = truncate(title, max(20, len(title) - excess - 3))
    message = None
    if notification.message:
        fitted = truncate_to_fit(
            truncate(notification.message, 20_000),
            lambda m: _size(card(notification, m, facts, title)) <= max_bytes,
        )
        message = fitted if fitted and fitted != "…" else None
    return card(notification, message, facts, title)


def send(notification: Notification, target: Target) -> Outcome:
    result = send_json(target.secrets["url"], payload(notification), delivery_headers(target))
    return result if isinstance(result, Outcome) else classify(result)
