"""Herald's own event API: POST /v1/events and GET /v1/events/{id}."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from herald.models.common import HttpUrl

Ref = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@/-]+$")]
LabelKey = Annotated[str, StringConstraints(min_length=1, max_length=128)]
LabelValue = Annotated[str, StringConstraints(max_length=1024)]
EventStatus = Literal["triggered", "recovered"]
Severity = Literal["critical", "error", "warning", "info"]
DeliveryStatus = Literal["pending", "delivered", "failed", "skipped"]
# Where an event came in: Herald's own API or one of the intakes (herald/intake/).
EventSource = Literal["api", "alertmanager", "grafana", "pagerduty"]
IncidentState = Literal["open", "acknowledged", "closed"]


class Link(BaseModel):
    """A link shown with the event (Alertmanager's generatorURL and externalURL, PagerDuty's links)."""

    href: str
    text: str = ""


class Targets(BaseModel):
    """Explicit destinations an event names, for the families that route by name."""

    model_config = ConfigDict(strict=True, extra="forbid")
    endpointIDs: Annotated[list[Ref], Field(max_length=50)] = Field(default_factory=list)
    notificationUids: Annotated[list[Ref], Field(max_length=50)] = Field(default_factory=list)
    userIds: Annotated[list[Ref], Field(max_length=50)] = Field(default_factory=list)
    important: bool = False


class EventIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    monitorId: Ref | None = None
    service: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    status: EventStatus
    severity: Severity = "critical"
    title: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    message: Annotated[str, StringConstraints(max_length=8000)] | None = None
    url: HttpUrl | None = None
    dedupKey: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    labels: Annotated[dict[LabelKey, LabelValue], Field(max_length=64)] = Field(default_factory=dict)
    targets: Targets | None = None


class Event(BaseModel):
    id: str
    monitorId: str | None
    service: str | None
    status: EventStatus
    severity: Severity
    title: str
    message: str | None
    url: str | None
    dedupKey: str | None
    labels: dict[str, str]
    targets: Targets | None
    createdAt: str
    source: EventSource = "api"
    links: list[Link] = Field(default_factory=list)


class Destination(BaseModel):
    family: str
    kind: str
    id: str
    name: str


class Delivery(BaseModel):
    id: str
    destination: Destination
    status: DeliveryStatus
    attempts: int
    lastError: str | None
    createdAt: str
    updatedAt: str
    deliveredAt: str | None
    nextRetryAt: str | None = Field(
        default=None, description="A pending delivery waiting for its next attempt (a retry or a hold): when it is due"
    )


EscalationStepStatus = Literal["planned", "waiting", "sent", "failed", "cancelled", "done"]


class EscalationStep(BaseModel):
    """One rule of a paged user's chain: planned → sent | failed (notify) or waiting → done (wait),
    or cancelled by an acknowledgement or a recovery. `at` is when the status last changed."""

    position: int
    ruleId: str
    type: str
    status: EscalationStepStatus
    duration: int | None = None
    kind: str | None = None
    deliveryId: str | None = None
    reason: str | None = None
    at: str | None = None
    until: str | None = None


class Escalation(BaseModel):
    userId: str
    important: bool
    state: Literal["active", "acknowledged", "resolved", "done"]
    reason: str | None = None
    createdAt: str
    updatedAt: str
    steps: list[EscalationStep]


class EventWithDeliveries(Event):
    deliveries: list[Delivery]
    escalations: list[Escalation] = Field(default_factory=list)


class Incident(BaseModel):
    """The incident an event belongs to (herald/incidents.py): one per open dedupKey."""

    id: str
    state: IncidentState
    count: int
    firstSeenAt: str
    lastSeenAt: str
    closedAt: str | None = None


class DeliveryCounts(BaseModel):
    pending: int = 0
    delivered: int = 0
    failed: int = 0
    skipped: int = 0


class EventListItem(Event):
    incident: Incident | None
    deliveries: DeliveryCounts


class EventPage(BaseModel):
    """GET /v1/events: newest first; `cursor` is null on the last page."""

    events: list[EventListItem]
    cursor: str | None


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """The error shape of Herald's own API (and the uptime alerts API)."""

    error: ErrorDetail


# The answers every route that honours `Idempotency-Key` documents besides its own.
IDEMPOTENCY_RESPONSES: dict[int, OpenAPIResponse] = {
    409: {
        "description": "A request with this Idempotency-Key is still being processed",
        "content": {"application/json": {"model": ErrorBody}},
    },
    422: {
        "description": "The Idempotency-Key was already used with a different body",
        "content": {"application/json": {"model": ErrorBody}},
    },
}
