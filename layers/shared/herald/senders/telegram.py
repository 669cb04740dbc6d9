"""Telegram Bot API `sendMessage`: HTML (default) or MarkdownV2 text ≤ 4096, escaped, link previews off.

POST {HERALD_TELEGRAM_API_URL}/bot<token>/sendMessage with `chat_id`, `text`, `parse_mode`,
`disable_web_page_preview`. 200 `{"ok": true}` is delivered; 429 carries `parameters.retry_after`
(seconds); 5xx retries; 400 (chat not found, bad markup), 401 (bad token) and 403 (bot blocked or
kicked) fail at once.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, Literal

from herald.outbound import HttpResult
from herald.senders.base import Outcome, Target, body_retry_after, classify, delivery_headers, send_json
from herald.senders.render import Notification, truncate, truncate_to_fit
from herald.settings import get_settings

MAX_TEXT = 4096  # counted in UTF-16 code units, as Telegram counts, on the marked-up text (stricter than needed)
PARSE_MODES = ("HTML", "MarkdownV2")

# Every character MarkdownV2 reserves outside entities, plus the backslash itself.
_MD_SPECIAL = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")
_MD_CODE = re.compile(r"([`\\])")
_MD_LINK = re.compile(r"([)\\])")


def escape_html(text: str) -> str:
    """Telegram's HTML mode: `&`, `<` and `>` must be entities (quotes may stay)."""
    return html.escape(text, quote=False)


def escape_markdown_v2(text: str, entity: Literal["text", "code", "link"] = "text") -> str:
    """Telegram's MarkdownV2 rules: in text every reserved character is backslash-escaped; inside
    `code`/`pre` only ` and \\; inside a link's (...) only ) and \\."""
    pattern = {"text": _MD_SPECIAL, "code": _MD_CODE, "link": _MD_LINK}[entity]
    return pattern.sub(r"\\\1", text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def render(notification: Notification, parse_mode: str, message: str | None) -> str:
    facts = notification.facts()
    if parse_mode == "MarkdownV2":
        lines = [f"*{escape_markdown_v2(notification.headline)}*"]
        if message:
            lines += ["", escape_markdown_v2(message)]
        lines += [""] + [f"*{escape_markdown_v2(k)}:* {escape_markdown_v2(v)}" for k, v in facts]
        if notification.url:
            lines += ["", f"[Open]({escape_markdown_v2(notification.url, 'link')})"]
        lines += ["", f"_{escape_markdown_v2(f'Event {notification.event_id} at {notification.created_at}')}_"]
    else:
        lines = [f"<b>{escape_html(notification.headline)}</b>"]
        if message:
            lines += ["", escape_html(message)]
        lines += [""] + [f"<b>{escape_html(k)}:</b> {escape_html(v)}" for k, v in facts]
        if notification.url:
            lines += ["", f'<a href="{html.escape(notification.url, quote=True)}">Open</a>']
        lines += ["", f"<i>Event {escape_html(notification.event_id)} at {escape_html(notification.created_at)}</i>"]
    return "\n".join(lines)


def text(notification: Notification, parse_mode: str = "HTML", limit: int = MAX_TEXT) -> str:
    """The marked-up text within `limit`: the message is cut (before escaping, so no entity or tag is
    ever split); if the rest alone is too long, the plain headline is sent instead."""

    def fits(message: str | None) -> bool:
        return utf16_length(render(notification, parse_mode, message)) <= limit

    message = notification.message and truncate_to_fit(notification.message, fits)
    if fits(message):
        return render(notification, parse_mode, message)
    fallback = notification.headline
    escaped = escape_markdown_v2(fallback) if parse_mode == "MarkdownV2" else escape_html(fallback)
    while utf16_length(escaped) > limit:
        fallback = truncate(fallback, len(fallback) // 2)
        escaped = escape_markdown_v2(fallback) if parse_mode == "MarkdownV2" else escape_html(fallback)
    return escaped


def custom_text(notification: Notification) -> dict[str, str]:
    custom = notification.custom
    parts = [f"<b>{custom.title}</b>" if custom and custom.title else "", custom.text or "" if custom else ""]
    return {"text": truncate("\n".join(p for p in parts if p), MAX_TEXT), "parse_mode": "HTML"}


def payload(notification: Notification, config: dict[str, str]) -> dict[str, Any]:
    parse_mode = config.get("parseMode") or "HTML"
    if notification.custom is not None:  # a template renders Telegram HTML itself (fields already escaped)
        return {"chat_id": config["chatId"], **custom_text(notification), "disable_web_page_preview": True}
    if parse_mode not in PARSE_MODES:
        raise ValueError(f"parseMode must be one of {', '.join(PARSE_MODES)}")
    return {
        "chat_id": config["chatId"],
        "text": text(notification, parse_mode),
        "parse_mode": parse_mode,
        "disable_web_page_preview": True,
    }


def send_url(token: str) -> str:
    return f"{get_settings().telegram_api_url.rstrip('/')}/bot{token}/sendMessage"


def send(notification: Notification, target: Target) -> Outcome:
    token = target.secrets.get("token", "").strip()
    chat_id = target.config.get("chatId", "").strip()
    if not token or not chat_id:
        return Outcome.failed("telegram destination needs a bot token and a chatId")
    try:
        body = payload(notification, {**target.config, "chatId": chat_id})
    except ValueError as error:
        return Outcome.failed(str(error))
    result = send_json(send_url(token), body, delivery_headers(target))
    outcome = result if isinstance(result, Outcome) else _answer(result)
    # The token is part of the URL: make sure no error detail carries it into a delivery record.
    return Outcome(outcome.result, outcome.detail.replace(token, "<token>"), outcome.retry_after)


def _answer(result: HttpResult) -> Outcome:
    outcome = classify(result)
    try:
        answer: Any = json.loads(result.body)
    except ValueError:
        answer = None
    answer = answer if isinstance(answer, dict) else {}
    parameters = answer.get("parameters") if isinstance(answer.get("parameters"), dict) else {}
    if result.status == 429 and outcome.retry_after is None:
        return Outcome.retry(outcome.detail, body_retry_after(result, "parameters", "retry_after"))
    if outcome.result == "delivered" and answer.get("ok") is False:
        return Outcome.failed(f"Telegram answered ok=false: {str(answer.get('description', ''))[:200]}")
    if outcome.result == "failed" and parameters.get("migrate_to_chat_id") is not None:
        return Outcome.failed(
            f"{outcome.detail} (the group moved to chat {parameters['migrate_to_chat_id']}; update chatId)"
        )
    return outcome
