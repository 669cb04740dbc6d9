"""Uptime alerts API (seeds/uptime-alerts.md): /v1/alerts[/{id}[/events]]."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.errors import uptime_error
from herald.api.family import PUBLIC, Family, principal
from herald.domain import alerts
from herald.models.alerts import STRATEGY_FIELDS, AlertCreate, AlertEventList, AlertList, AlertUpdate
from herald.models.alerts import Alert as AlertOut
from herald.observability import logger, metrics, tracer

SCOPES = {
    "GET /v1/alerts": "alerts:read",
    "POST /v1/alerts": "alerts:write",
    "GET /v1/alerts/{id}": "alerts:read",
    "PUT /v1/alerts/{id}": "alerts:write",
    "DELETE /v1/alerts/{id}": "alerts:write",
    "GET /v1/alerts/{id}/events": "alerts:read",
    "GET /v1/alerts/swagger": PUBLIC,
}
family = Family(name="alerts", error_body=uptime_error, scopes=SCOPES, union_tags=frozenset(STRATEGY_FIELDS))
app = family.app
app.enable_swagger(path="/v1/alerts/swagger", title="Herald uptime alerts API", version="1.0.0")

AlertId = Annotated[str, Path(max_length=128)]


@app.get("/v1/alerts")
def list_alerts() -> AlertList:
    return AlertList(alerts=alerts.list_alerts(principal(app).org_id))


@app.post("/v1/alerts", responses={201: {"description": "Created"}, 409: {"description": "LIMIT_EXCEEDED"}})
def create_alert(body: Annotated[AlertCreate, Body()]) -> Response[AlertOut]:
    created = alerts.create_alert(principal(app).org_id, body)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)


@app.get("/v1/alerts/<id>")
def get_alert(id: AlertId) -> AlertOut:
    return alerts.get_alert(principal(app).org_id, id)


@app.put("/v1/alerts/<id>")
def update_alert(id: AlertId, body: Annotated[AlertUpdate, Body()]) -> AlertOut:
    return alerts.update_alert(principal(app).org_id, id, body)


@app.delete("/v1/alerts/<id>", responses={204: {"description": "No Content"}})
def delete_alert(id: AlertId) -> Response[str]:
    alerts.delete_alert(principal(app).org_id, id)
    return Response(status_code=204, body="")


@app.get("/v1/alerts/<id>/events")
def list_alert_events(id: AlertId, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> AlertEventList:
    return AlertEventList(events=alerts.alert_history(principal(app).org_id, id, limit))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
