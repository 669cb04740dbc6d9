"""Herald's own event API: POST /v1/events (intake) and GET /v1/events/{id} (with every delivery)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.errors import uptime_error
from herald.api.family import PUBLIC, Family, principal
from herald.domain import events
from herald.domain.replay_failed import replay_failed
from herald.models.events import Event, EventIn, EventWithDeliveries
from herald.observability import logger, metrics, tracer

SCOPES = {
    "POST /v1/events": "events:write",
    "GET /v1/events/{id}": "events:read",
    "POST /v1/events/{id}/acknowledge": "events:write",
    "POST /v1/events/{id}/replay": "events:write",
    "GET /v1/events/swagger": PUBLIC,
}
family = Family(name="events", error_body=uptime_error, scopes=SCOPES)
app = family.app
app.enable_swagger(path="/v1/events/swagger", title="Herald events API", version="1.0.0")


@app.post("/v1/events", responses={202: {"description": "Accepted"}})
def submit_event(body: Annotated[EventIn, Body()]) -> Response[Event]:
    accepted = events.submit_event(principal(app).org_id, body)
    metrics.add_metric(name="EventsAccepted", unit="Count", value=1)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted)


@app.get("/v1/events/<id>")
def get_event(id: Annotated[str, Path(max_length=128)]) -> EventWithDeliveries:
    return events.get_event(principal(app).org_id, id)


@app.post("/v1/events/<id>/acknowledge")
def acknowledge_event(id: Annotated[str, Path(max_length=128)]) -> EventWithDeliveries:
    """Stops every pending escalation step of the event (OnCall rules); nothing is sent after it."""
    return events.acknowledge_event(principal(app).org_id, id)


@app.post("/v1/events/<id>/replay")
def replay_failed_deliveries(id: Annotated[str, Path(max_length=128)]) -> EventWithDeliveries:
    """Sends the event's failed deliveries again (each reset to pending); delivered ones are never resent."""
    return replay_failed(principal(app).org_id, id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
