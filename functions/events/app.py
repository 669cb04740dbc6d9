"""Herald's own event API: POST /v1/events (intake, with Idempotency-Key), GET /v1/events (list),
GET /v1/events/{id} (with every delivery), POST /v1/events/{id}/acknowledge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.errors import uptime_error
from herald.api.family import PUBLIC, Family, principal
from herald.data.events import EventFilter
from herald.domain import event_list, events
from herald.domain.replay_failed import replay_failed
from herald.intake import idempotency
from herald.models.events import (
    IDEMPOTENCY_RESPONSES,
    Event,
    EventIn,
    EventPage,
    EventSource,
    EventStatus,
    EventWithDeliveries,
)
from herald.observability import logger, metrics, tracer

SCOPES = {
    "POST /v1/events": "events:write",
    "GET /v1/events": "events:read",
    "GET /v1/events/{id}": "events:read",
    "POST /v1/events/{id}/acknowledge": "events:write",
    "POST /v1/events/{id}/replay": "events:write",
    "GET /v1/events/swagger": PUBLIC,
}
family = Family(name="events", error_body=uptime_error, scopes=SCOPES)
app = family.app
app.enable_swagger(path="/v1/events/swagger", title="Herald events API", version="1.0.0")


@app.post(
    "/v1/events",
    responses={
        202: {
            "description": "Accepted (or, for an open dedupKey, the incident's event: nobody is notified again)",
            "content": {"application/json": {"model": Event}},
        },
        **IDEMPOTENCY_RESPONSES,
    },
)
def submit_event(
    body: Annotated[EventIn, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", description="Same key and body within 24 h: the first answer again"),
    ] = None,
) -> Response[str]:
    # `idempotency_key` documents the header in OpenAPI; key_from reads it in both of the draft's forms
    org_id = principal().org_id
    key = idempotency.key_from(app.current_event.headers or {})

    def accept(event_id: str) -> idempotency.Answer:
        accepted = events.accept(org_id, body, event_id=event_id)
        if not accepted.deduplicated:
            metrics.add_metric(name="EventsAccepted", unit="Count", value=1)
        return idempotency.Answer(202, accepted.event.model_dump_json())

    def already_done(event_id: str) -> idempotency.Answer | None:
        stored = events.find_event(org_id, event_id)
        return idempotency.Answer(202, stored.model_dump_json()) if stored else None

    if key is None:
        answer = accept("")
    else:
        answer = idempotency.run(org_id, key, app.current_event.body or "", accept, already_done)
    headers = {idempotency.REPLAYED_HEADER: "true"} if answer.replayed else {}
    return Response(
        status_code=answer.status, content_type=content_types.APPLICATION_JSON, body=answer.body, headers=headers
    )


@app.get("/v1/events")
def list_events(
    status: Annotated[EventStatus | None, Query()] = None,
    dedupKey: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    monitorId: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    source: Annotated[EventSource | None, Query()] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601; events created at or after it")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601; events created at or before it")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(min_length=1, max_length=2048)] = None,
) -> EventPage:
    """The org's events, newest first, each with its incident and its deliveries counted by status."""
    return event_list.list_events(
        principal().org_id,
        limit=limit,
        cursor=cursor,
        since=since,
        until=until,
        filters=EventFilter(status=status, dedup_key=dedupKey, monitor_id=monitorId, source=source),
    )


@app.get("/v1/events/<id>")
def get_event(id: Annotated[str, Path(max_length=128)]) -> EventWithDeliveries:
    return events.get_event(principal().org_id, id)


@app.post("/v1/events/<id>/acknowledge")
def acknowledge_event(id: Annotated[str, Path(max_length=128)]) -> EventWithDeliveries:
    """Stops every pending escalation step of the event (OnCall rules); nothing is sent after it."""
    return events.acknowledge_event(principal().org_id, id)


@app.post("/v1/events/<id>/replay")
def replay_failed_deliveries(id: Annotated[str, Path(max_length=128)]) -> EventWithDeliveries:
    """Sends the event's failed deliveries again (each reset to pending); delivered ones are never resent."""
    return replay_failed(principal().org_id, id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
