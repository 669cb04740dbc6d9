"""Prints what the emulator 'sent': SES emails (subject and plain text) and SNS text messages, read from
moto's backends."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from html.parser import HTMLParser
from typing import Any

from herald_local.template import ACCOUNT_ID, REGION

_BLOCKS = {
    "p",
    "div",
    "br",
    "tr",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "hr",
    "pre",
    "blockquote",
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self.hidden += 1
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self.link = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title"):
            self.hidden = max(0, self.hidden - 1)
        if tag == "a" and self.link:
            self.parts.append(f" <{self.link}>")
            self.link = None
        if tag in _BLOCKS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML email body: blocks on their own lines, links after their text."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_text(body: str) -> str:
    return html_to_text(body) if re.search(r"<(html|body|p|div|br|table)\b", body, re.IGNORECASE) else body.strip()


def raw_parts(raw: str) -> tuple[str, str]:
    """Subject and plain text of a raw MIME message (send_raw_email)."""
    message = email.message_from_string(raw, policy=email.policy.default)
    subject = str(message.get("Subject", ""))
    part = message.get_body(preferencelist=("plain", "html")) if hasattr(message, "get_body") else None
    content = part.get_content() if part is not None else ""  # type: ignore[union-attr]
    return subject, plain_text(str(content))


def _indent(text: str, limit: int = 2000) -> str:
    text = text if len(text) <= limit else text[:limit] + "\n…"
    return "        " + text.replace("\n", "\n        ")


class OutboxPrinter(threading.Thread):
    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(name="outbox", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self._emails_seen = 0
        self._sms_seen: set[str] = set()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                self.print_new()
            except Exception as error:
                print(f"[outbox] {type(error).__name__}: {error}", flush=True)

    def print_new(self) -> None:
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends

        sent: list[Any] = list(ses_backends[ACCOUNT_ID][REGION].sent_messages)
        for message in sent[self._emails_seen :]:
            if hasattr(message, "raw_data"):
                to = ", ".join(getattr(message, "destinations", []) or [])
                subject, text = raw_parts(str(message.raw_data))
            else:
                to = ", ".join(getattr(message, "destinations", {}).get("ToAddresses", []))
                subject, text = str(getattr(message, "subject", "")), plain_text(str(getattr(message, "body", "")))
            print(f"[email] to {to}: {subject}", flush=True)
            if text:
                print(_indent(text), flush=True)
        self._emails_seen = len(sent)
        for message_id, sms in list(sns_backends[ACCOUNT_ID][REGION].sms_messages.items()):
            if message_id not in self._sms_seen:
                self._sms_seen.add(message_id)
                number, text = sms[0], sms[1]
                print(f"[sms] to {number}: {text}", flush=True)

    def stop(self) -> None:
        self.stopping.set()
