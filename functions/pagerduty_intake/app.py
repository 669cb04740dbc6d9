"""PagerDuty Events API v2: POST /v2/enqueue and POST /v2/change/enqueue, PagerDuty's answers and errors.

PagerDuty sends no auth header: the body's `routing_key` is the Herald key (scope `events:write`)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.family import PUBLIC, Family
from herald.auth import middleware
from herald.domain import intake
from herald.intake import pagerduty
from herald.intake.pagerduty import Accepted, ChangeIn, EnqueueIn, ErrorAnswer, InvalidEvent
from herald.observability import logger, metrics, tracer

SCOPE = "events:write"
# PUBLIC to the family's header check: the key travels in the body and is checked by each route.
SCOPES = {"POST /v2/enqueue": PUBLIC, "POST /v2/change/enqueue": PUBLIC}
family = Family(
    name="pagerduty_intake",
    error_body=pagerduty.error_body,
    scopes=SCOPES,
    invalid_request_message=pagerduty.invalid_request_message,
)
app = family.app

ANSWERS: dict[int, OpenAPIResponse] = {
    202: {"description": "Event processed", "content": {"application/json": {"model": Accepted}}},
    400: {
        "description": "Invalid event, or an unknown or revoked routing key",
        "content": {"application/json": {"model": ErrorAnswer}},
    },
    429: {
        "description": "Too many events for this routing key (Retry-After)",
        "content": {"application/json": {"model": ErrorAnswer}},
    },
}


def _org_of(routing_key: str) -> str:
    principal = middleware.authenticate_token(routing_key)
    if principal is None:
        raise InvalidEvent(["Invalid routing key"])
    if not principal.can(SCOPE):
        raise InvalidEvent([f"Invalid routing key: the key lacks the {SCOPE} scope"])
    middleware.authorize_principal(principal, SCOPE)  # the key's rate limit: 429
    return principal.org_id


def _accepted(answer: Accepted) -> Response[str]:
    return Response(202, content_types.APPLICATION_JSON, answer.model_dump_json(exclude_none=True))


@app.post("/v2/enqueue", responses=ANSWERS)
def enqueue(body: Annotated[EnqueueIn, Body()]) -> Response[str]:
    """trigger → a triggered event; resolve → its recovery; acknowledge → as POST /v1/events/{id}/acknowledge."""
    dedup_key = intake.pagerduty_enqueue(_org_of(body.routing_key), body)
    metrics.add_metric(name="PagerDutyEvents", unit="Count", value=1)
    return _accepted(Accepted(dedup_key=dedup_key))


@app.post("/v2/change/enqueue", responses=ANSWERS)
def change_enqueue(body: Annotated[ChangeIn, Body()]) -> Response[str]:
    """A change event, stored as an `info` event."""
    intake.pagerduty_change(_org_of(body.routing_key), body)
    return _accepted(Accepted(message="Change event processed"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
