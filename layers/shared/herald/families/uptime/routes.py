"""Uptime alerts API (seeds/uptime-alerts.md): /v1/alerts[/{id}[/events]], each route with its scope."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from herald.api.family import principal
from herald.api.scoped_router import ScopedRouter, Swagger
from herald.families.uptime import service
from herald.families.uptime.wire import Alert as AlertOut
from herald.families.uptime.wire import AlertCreate, AlertEventList, AlertList, AlertUpdate

router = ScopedRouter(swagger=Swagger("/v1/alerts/swagger", "Herald uptime alerts API", "1.0.0"))

AlertId = Annotated[str, Path(max_length=128)]


@router.get("/v1/alerts", scope="alerts:read")
def list_alerts() -> AlertList:
    return AlertList(alerts=service.list_alerts(principal().org_id))


@router.post(
    "/v1/alerts",
    scope="alerts:write",
    responses={201: {"description": "Created"}, 409: {"description": "LIMIT_EXCEEDED"}},
)
def create_alert(body: Annotated[AlertCreate, Body()]) -> Response[AlertOut]:
    created = service.create_alert(principal().org_id, body)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)


@router.get("/v1/alerts/<id>", scope="alerts:read")
def get_alert(id: AlertId) -> AlertOut:
    return service.get_alert(principal().org_id, id)


@router.put("/v1/alerts/<id>", scope="alerts:write")
def update_alert(id: AlertId, body: Annotated[AlertUpdate, Body()]) -> AlertOut:
    return service.update_alert(principal().org_id, id, body)


@router.delete("/v1/alerts/<id>", scope="alerts:write", responses={204: {"description": "No Content"}})
def delete_alert(id: AlertId) -> Response[str]:
    service.delete_alert(principal().org_id, id)
    return Response(status_code=204, body="")


@router.get("/v1/alerts/<id>/events", scope="alerts:read")
def list_alert_events(id: AlertId, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> AlertEventList:
    return AlertEventList(events=service.alert_history(principal().org_id, id, limit))
