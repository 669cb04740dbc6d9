"""PagerDuty Events API v2 (`POST /v2/enqueue`) and change events (`POST /v2/change/enqueue`), so that a
PagerDuty client or integration works when pointed at Herald.

The `routing_key` is a Herald key with `events:write`. Answers and errors are PagerDuty's:
202 `{"status": "success", "message": "Event processed", "dedup_key": …}` and
400 `{"status": "invalid event", "message": "Event object is invalid", "errors": [...]}`.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from herald.errors import HeraldError, RateLimited, ValidationFailed
from herald.intake.targets import targets_from
from herald.models.events import Event, EventIn, Link

SUMMARY_MAX, DEDUP_KEY_MAX = 1024, 255
TITLE_MAX, MESSAGE_MAX, LABEL_VALUE_MAX = 256, 8000, 1024
SEVERITIES = ("critical", "error", "warning", "info")


class PayloadIn(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    summary: Annotated[str, StringConstraints(min_length=1, max_length=SUMMARY_MAX)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=LABEL_VALUE_MAX)]
    severity: Literal["critical", "error", "warning", "info"]
    timestamp: str | None = None
    component: str | None = None
    group: str | None = None
    class_: str | None = Field(default=None, alias="class")
    custom_details: Any = None


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    href: str
    text: str = ""


class ImageIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    src: str
    href: str | None = None
    alt: str = ""


class EnqueueIn(BaseModel):
    """An Events API v2 event: `trigger`, `acknowledge` or `resolve`."""

    model_config = ConfigDict(extra="ignore")
    routing_key: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    event_action: Literal["trigger", "acknowledge", "resolve"]
    dedup_key: Annotated[str, StringConstraints(min_length=1, max_length=DEDUP_KEY_MAX)] | None = None
    payload: PayloadIn | None = None
    client: str | None = None
    client_url: str | None = None
    links: Annotated[list[LinkIn], Field(max_length=50)] = Field(default_factory=list)
    images: Annotated[list[ImageIn], Field(max_length=50)] = Field(default_factory=list)


class ChangePayloadIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    summary: Annotated[str, StringConstraints(min_length=1, max_length=SUMMARY_MAX)]
    source: str | None = None
    timestamp: str | None = None
    custom_details: Any = None


class ChangeIn(BaseModel):
    """A change event: a deploy, a config change; stored as an `info` event."""

    model_config = ConfigDict(extra="ignore")
    routing_key: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    payload: ChangePayloadIn
    links: Annotated[list[LinkIn], Field(max_length=50)] = Field(default_factory=list)
    images: Annotated[list[ImageIn], Field(max_length=50)] = Field(default_factory=list)


class Accepted(BaseModel):
    status: Literal["success"] = "success"
    message: str = "Event processed"
    dedup_key: str | None = None


class ErrorAnswer(BaseModel):
    """PagerDuty's error body: 400 `invalid event`, 429 `throttle event`."""

    status: str
    message: str
    errors: list[str] = Field(default_factory=list)


class InvalidEvent(ValidationFailed):
    """A 400 with PagerDuty's list of errors."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


# --- PagerDuty's answers ---------------------------------------------------------------------------


def error_body(error: HeraldError) -> dict[str, Any]:
    if isinstance(error, InvalidEvent):
        return {"status": "invalid event", "message": "Event object is invalid", "errors": error.errors}
    if isinstance(error, ValidationFailed):
        return {"status": "invalid event", "message": "Event object is invalid", "errors": error.message.split("\n")}
    if isinstance(error, RateLimited):
        return {
            "status": "throttle event",
            "message": "Requests for this service are arriving too quickly.",
            "errors": [],
        }
    return {"status": "error", "message": error.message, "errors": []}


def invalid_request_message(error: RequestValidationError) -> str:
    """Pydantic's errors in PagerDuty's words, one line per field (split again by error_body)."""
    lines = []
    for detail in error.errors():
        loc = [str(p) for p in detail.get("loc", ()) if p != "body"]
        where = ".".join(loc)
        kind = str(detail.get("type", ""))
        if kind == "json_invalid":
            return "Event object is not valid JSON"
        if not where:
            lines.append("Event object must be a JSON object")
        elif kind == "missing" or (kind == "string_too_short" and detail.get("input") == ""):
            lines.append(f"'{where}' is missing or blank")
        elif where == "event_action":
            lines.append(
                "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')"
            )
        elif where == "payload.severity":
            lines.append(
                "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')"
            )
        elif kind == "string_too_long":
            limit = (detail.get("ctx") or {}).get("max_length")
            lines.append(f"'{where}' is too long (must be at most {limit} characters)")
        else:
            lines.append(f"'{where}' is invalid: {detail.get('msg', 'invalid value')}")
    return "\n".join(lines) or "Event object is invalid"


# --- translation -----------------------------------------------------------------------------------


def new_dedup_key() -> str:
    """What PagerDuty gives a trigger without one: a random key, answered to the client."""
    return uuid.uuid4().hex


def links_of(event: EnqueueIn | ChangeIn) -> list[Link]:
    links = [Link(href=link.href, text=link.text) for link in event.links]
    links += [Link(href=image.href or image.src, text=image.alt or "image") for image in event.images]
    if isinstance(event, EnqueueIn) and event.client_url:
        links.append(Link(href=event.client_url, text=event.client or "client"))
    return [link for link in links if link.href.startswith(("http://", "https://")) and len(link.href) <= 2048]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _details(custom_details: Any, summary: str) -> str | None:
    parts = [summary] if len(summary) > TITLE_MAX else []
    if custom_details not in (None, "", {}, []):
        parts.append(
            custom_details if isinstance(custom_details, str) else json.dumps(custom_details, indent=2, default=str)
        )
    return _clip("\n\n".join(parts), MESSAGE_MAX) if parts else None


def trigger_event(event: EnqueueIn, dedup_key: str) -> EventIn:
    payload = event.payload
    if payload is None:
        raise InvalidEvent(["'payload' is missing or blank"])
    labels = {
        name: _clip(value, LABEL_VALUE_MAX)
        for name, value in (
            ("source", payload.source),
            ("component", payload.component),
            ("group", payload.group),
            ("class", payload.class_),
        )
        if value
    }
    translated = EventIn.model_validate(
        {
            "status": "triggered",
            "severity": payload.severity,
            "title": _clip(payload.summary, TITLE_MAX),
            "message": _details(payload.custom_details, payload.summary),
            "dedupKey": dedup_key,
            "labels": labels,
        }
    )
    if isinstance(payload.custom_details, dict):
        translated.targets = targets_from(payload.custom_details)
    return translated


def resolve_event(opening: Event, event: EnqueueIn) -> EventIn:
    """The recovery of an open incident: it keeps the title and severity of the event that opened it."""
    message = _details(event.payload.custom_details, event.payload.summary) if event.payload else None
    return EventIn.model_validate(
        {
            "status": "recovered",
            "severity": opening.severity,
            "title": opening.title,
            "message": message,
            "dedupKey": opening.dedupKey,
            "labels": opening.labels,
        }
    )


def change_event(event: ChangeIn) -> EventIn:
    labels = {"source": _clip(event.payload.source, LABEL_VALUE_MAX)} if event.payload.source else {}
    return EventIn.model_validate(
        {
            "status": "triggered",
            "severity": "info",
            "title": _clip(event.payload.summary, TITLE_MAX),
            "message": _details(event.payload.custom_details, event.payload.summary),
            "labels": {**labels, "pagerduty": "change"},
        }
    )
