"""The one shape of an event from intake to rendering: `StoredEvent`, built once from the table item (or
from a delivery's copy of it) with `from_item`. Routing, fan-out, enqueue and replay work on it; the
delivery step and the senders render it (`herald.senders.render.Notification` is this model plus the
destination's wording); the events API answers `to_event()` of it. Field names in the table and on the wire
are the aliases (`monitorId`, `createdAt`, `ttl`, ...)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from herald.models.events import Event, Link, Targets

# The event fields a delivery record keeps as its `message` (what the senders render later).
SNAPSHOT_FIELDS = frozenset(
    {"id", "monitor_id", "service", "status", "severity", "title", "message", "url", "dedup_key", "labels"}
    | {"created_at"}
)
_EVENT_FIELDS = SNAPSHOT_FIELDS | {"source"}


class StoredEvent(BaseModel):
    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    id: str
    org_id: str
    status: str
    title: str
    created_at: str
    severity: str = "critical"
    message: str | None = None
    monitor_id: str | None = None
    service: str | None = None
    url: str | None = None
    dedup_key: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    # The event's explicit destinations (endpointIDs, notificationUids, userIds, important), as stored.
    targets: dict[str, Any] = Field(default_factory=dict)
    source: str = "api"
    links: list[dict[str, Any]] = Field(default_factory=list)
    expires_at: int | None = Field(default=None, validation_alias="ttl", serialization_alias="ttl")

    @field_validator("labels", mode="before")
    @classmethod
    def _labels_as_text(cls, value: Any) -> dict[str, str]:
        return {str(k): str(v) for k, v in (value or {}).items()}

    @field_validator("targets", mode="before")
    @classmethod
    def _plain_targets(cls, value: Any) -> dict[str, Any]:
        return {str(k): (list(v) if isinstance(v, list | set | tuple) else v) for k, v in (value or {}).items()}

    @field_validator("links", "expires_at", mode="before")
    @classmethod
    def _none_is_default(cls, value: Any, info: Any) -> Any:
        if info.field_name == "links":
            return list(value or [])
        return None if value is None else int(value)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        """The event of a table item (or of a delivery record's `message`); keys it does not know are ignored."""
        return cls.model_validate(item)

    @property
    def snapshot(self) -> dict[str, Any]:
        """The event as a delivery record keeps it (`message`): the rendered fields that are set."""
        return self.model_dump(by_alias=True, include=set(SNAPSHOT_FIELDS), exclude_none=True)

    def created_epoch(self, default: float) -> float:
        """The event's own time (its createdAt), else `default`."""
        try:
            return datetime.fromisoformat(self.created_at).timestamp()
        except ValueError:
            return default

    def to_event(self) -> Event:
        """The events API's answer for this event."""
        return Event.model_validate(
            {
                **self.model_dump(by_alias=True, include=set(_EVENT_FIELDS)),
                "targets": Targets.model_validate(self.targets) if self.targets else None,
                "links": [Link(href=str(link["href"]), text=str(link.get("text", ""))) for link in self.links],
            }
        )
