"""How an event field is escaped in each kind's output, so a field can never inject that kind's markup.

Only values a template prints (`{{ … }}`) are escaped; the template's own text is the author's markup.
`{{ value | safe }}` opts out (the author's decision, as in Jinja)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

Escaper = Callable[[str], str]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def slack_mrkdwn(text: str) -> str:
    """Slack asks for exactly these three entities; `*`/`_` in a field cannot open a link or a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def telegram_html(text: str) -> str:
    return html.escape(text, quote=False)


def markdown(text: str) -> str:
    """Teams and Discord markdown: every markdown control character is backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def email_html(text: str) -> str:
    return html.escape(text, quote=True)


def json_string(text: str) -> str:
    """The inside of a JSON string literal: `"{{ title }}"` stays valid JSON whatever the title holds."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def plain(text: str) -> str:
    return text


# The escaper of each kind's text output; `body` (webhook/http) always uses json_string.
TEXT_ESCAPERS: dict[str, Escaper] = {
    "slack": slack_mrkdwn,
    "telegram": telegram_html,
    "teams": markdown,
    "discord": markdown,
    "email": plain,  # the plain-text part; the HTML part is rendered again with email_html
    "pagerduty": plain,
    "sms": plain,
    "voice": plain,
    "webhook": plain,
    "http": plain,
}

# The escaper of each kind's title. Slack's title is also the message's top-level `text`, which Slack reads
# as mrkdwn (`<!channel>` would ping): escaped like the text. Discord shows it as an embed title (plain) and
# as `content` with mentions never parsed (`allowed_mentions`): plain.
TITLE_ESCAPERS: dict[str, Escaper] = {**TEXT_ESCAPERS, "discord": plain}
