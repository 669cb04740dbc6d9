"""Message rendering in one place: wording, colours and bodies. Adapters only format what this gives."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from herald.events import StoredEvent

SEVERITY_COLOURS = {"critical": 0xE01E5A, "error": 0xE8712D, "warning": 0xECB22E, "info": 0x36C5F0}
RECOVERED_COLOUR = 0x2EB67D


@dataclass(frozen=True)
class Wording:
    """A user template's rendering (herald.templates), already escaped for the kind: `title` replaces the
    headline, `text` the message and facts, `html` the email HTML part, `body` the webhook/http body."""

    title: str | None = None
    text: str | None = None
    html: str | None = None
    body: str | None = None


class Notification(StoredEvent):
    """What a sender renders: the one event (`herald.events.StoredEvent`) plus the destination's wording
    (`custom`, from the org's template). Built with `from_item` from a delivery's copy of the event."""

    # A delivery's copy of the event does not carry its org (the record does), and rendering never needs it.
    org_id: str = ""
    custom: Wording | None = None

    @property
    def event_id(self) -> str:
        return self.id

    @property
    def recovered(self) -> bool:
        return self.status == "recovered"

    @property
    def state_word(self) -> str:
        return "RECOVERED" if self.recovered else "TRIGGERED"

    @property
    def headline(self) -> str:
        if self.custom and self.custom.title:
            return self.custom.title
        return f"[{self.state_word}] {self.title}"

    @property
    def colour(self) -> int:
        return RECOVERED_COLOUR if self.recovered else SEVERITY_COLOURS.get(self.severity, 0x888888)

    @property
    def subject_of(self) -> str:
        """What went bad or recovered: the monitor and/or the service."""
        parts = [
            p
            for p in (
                self.monitor_id and f"monitor {self.monitor_id}",
                self.service and f"service {self.service}",
            )
            if p
        ]
        return ", ".join(parts)

    def facts(self) -> list[tuple[str, str]]:
        if self.custom and self.custom.text is not None:
            return []  # the template's text says what it wants to say
        rows = [("Status", self.state_word.lower()), ("Severity", self.severity)]
        if self.monitor_id:
            rows.append(("Monitor", self.monitor_id))
        if self.service:
            rows.append(("Service", self.service))
        rows.extend((k, v) for k, v in sorted(self.labels.items()))
        return rows

    @property
    def summary(self) -> str:
        """One line for paging services: the title and what it is about (PagerDuty `payload.summary`)."""
        if self.custom and self.custom.title:
            return self.custom.title
        about = self.subject_of
        return f"{self.title} ({about})" if about else self.title

    def short_text(self) -> str:
        """SMS wording: headline, subject, message and link on a few lines, no markup."""
        if self.custom and (self.custom.text or self.custom.title):
            return self.custom.text or self.custom.title or ""
        lines = [self.headline]
        if self.subject_of:
            lines.append(self.subject_of[0].upper() + self.subject_of[1:])
        if self.message:
            lines.append(self.message)
        if self.url:
            lines.append(self.url)
        return "\n".join(lines)

    def spoken_text(self) -> str:
        """Voice-call wording: sentences a text-to-speech voice reads well (no URLs, no brackets)."""
        if self.custom and (self.custom.text or self.custom.title):
            return self.custom.text or self.custom.title or ""
        state = "has recovered" if self.recovered else "is triggered"
        sentences = [f"Herald {self.severity} alert. {self.title} {state}."]
        if self.subject_of:
            sentences.append(self.subject_of[0].upper() + self.subject_of[1:] + ".")
        if self.message:
            sentences.append(self.message.rstrip(".") + ".")
        return " ".join(sentences)

    def template_fields(self) -> dict[str, str]:
        """What a user-written template may name (HTTP `contentTemplate`); labels come as `labels.<name>`."""
        fields = {
            "eventId": self.event_id,
            "status": self.status,
            "severity": self.severity,
            "title": self.title,
            "headline": self.headline,
            "summary": self.summary,
            "message": self.message or "",
            "monitorId": self.monitor_id or "",
            "service": self.service or "",
            "url": self.url or "",
            "dedupKey": self.dedup_key or "",
            "createdAt": self.created_at,
            "text": self.text_body(),
        }
        fields.update({f"labels.{k}": v for k, v in self.labels.items()})
        return fields

    def text_body(self) -> str:
        if self.custom and self.custom.text is not None:
            return self.custom.text
        lines = [self.headline, ""]
        if self.message:
            lines += [self.message, ""]
        lines += [f"{k}: {v}" for k, v in self.facts()]
        if self.url:
            lines += ["", self.url]
        lines += ["", f"Event {self.event_id} at {self.created_at}"]
        return "\n".join(lines)

    def html_body(self) -> str:
        if self.custom and self.custom.html is not None:
            return self.custom.html
        rows = "".join(
            f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in self.facts()
        )
        message = f"<p>{html.escape(self.message)}</p>" if self.message else ""
        link = f"<p><a href='{html.escape(self.url, quote=True)}'>{html.escape(self.url)}</a></p>" if self.url else ""
        return (
            f"<html><body><h2 style='color:#{self.colour:06x}'>{html.escape(self.headline)}</h2>"
            f"{message}<table>{rows}</table>{link}"
            f"<p><small>Event {html.escape(self.event_id)} at {html.escape(self.created_at)}</small></p>"
            "</body></html>"
        )


def truncate(text: str, limit: int, marker: str = "…") -> str:
    return text if len(text) <= limit else text[: max(0, limit - len(marker))] + marker


def truncate_to_fit(text: str, fits: Callable[[str], bool], marker: str = "…") -> str | None:
    """The longest `truncate(text, n)` that `fits` (a rendering check: escaping and markup make the
    final length non-linear in n), found by bisection; None when not even the marker alone fits."""
    if fits(text):
        return text
    low, high = 0, len(text) - 1  # low: known to fit (or 0), high: the longest candidate left
    if not fits(truncate(text, 1, marker)):
        return None
    low = 1
    while low < high:
        middle = (low + high + 1) // 2
        if fits(truncate(text, middle, marker)):
            low = middle
        else:
            high = middle - 1
    return truncate(text, low, marker)
