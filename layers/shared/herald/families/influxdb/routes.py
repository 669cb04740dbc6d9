"""InfluxDB OSS v2 API (seeds/influxdb-notification-endpoints.md): /api/v2/notificationEndpoints, plus
/api/v2/labels, /api/v2/orgs, /health and /ping so that influxdb-client works unchanged; each route with its scope."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from herald.api.family import PUBLIC, principal
from herald.api.scoped_router import ScopedRouter, Swagger
from herald.families.influxdb import service as endpoints
from herald.families.influxdb.wire import (
    EndpointIn,
    EndpointPatch,
    HealthCheck,
    LabelCreate,
    LabelMappingIn,
    LabelPatch,
    LabelResponse,
    LabelsResponse,
    NotificationEndpoint,
    NotificationEndpoints,
    Organization,
    Organizations,
)

READ, WRITE = "endpoints:read", "endpoints:write"
router = ScopedRouter(
    swagger=Swagger("/api/v2/notificationEndpoints/swagger", "Herald InfluxDB notification endpoints API", "2.0.0")
)

Id = Annotated[str, Path(max_length=64)]
OptionalParam = Annotated[str | None, Query(max_length=256)]
# What /ping and /health report: the InfluxDB OSS API version this implements.
BUILD, VERSION = "OSS", "2.7.0"


def _org() -> str:
    return principal().org_id


def _created(body: Any) -> Response[Any]:
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


@router.get("/api/v2/notificationEndpoints", scope=READ)
def list_endpoints(
    orgID: OptionalParam = None,
    org: OptionalParam = None,
    offset: OptionalParam = None,
    limit: OptionalParam = None,
) -> NotificationEndpoints:
    return endpoints.list_endpoints(_org(), orgID, org, offset, limit)


@router.post("/api/v2/notificationEndpoints", scope=WRITE, responses={201: {"description": "Created"}})
def create_endpoint(body: Annotated[EndpointIn, Body()]) -> Response[NotificationEndpoint]:
    return _created(endpoints.create_endpoint(_org(), body))


@router.get("/api/v2/notificationEndpoints/<endpointID>", scope=READ)
def get_endpoint(endpointID: Id) -> NotificationEndpoint:
    return endpoints.get_endpoint(_org(), endpointID)  # type: ignore[return-value]


@router.put("/api/v2/notificationEndpoints/<endpointID>", scope=WRITE)
def replace_endpoint(endpointID: Id, body: Annotated[EndpointIn, Body()]) -> NotificationEndpoint:
    return endpoints.replace_endpoint(_org(), endpointID, body)  # type: ignore[return-value]


@router.patch("/api/v2/notificationEndpoints/<endpointID>", scope=WRITE)
def patch_endpoint(endpointID: Id, body: Annotated[EndpointPatch, Body()]) -> NotificationEndpoint:
    return endpoints.patch_endpoint(_org(), endpointID, body)  # type: ignore[return-value]


@router.delete(
    "/api/v2/notificationEndpoints/<endpointID>", scope=WRITE, responses={204: {"description": "No Content"}}
)
def delete_endpoint(endpointID: Id) -> Response[str]:
    endpoints.delete_endpoint(_org(), endpointID)
    return Response(status_code=204, body="")


@router.get("/api/v2/notificationEndpoints/<endpointID>/labels", scope=READ)
def list_endpoint_labels(endpointID: Id) -> LabelsResponse:
    return endpoints.endpoint_labels(_org(), endpointID)


@router.post(
    "/api/v2/notificationEndpoints/<endpointID>/labels", scope=WRITE, responses={201: {"description": "Created"}}
)
def add_endpoint_label(endpointID: Id, body: Annotated[LabelMappingIn, Body()]) -> Response[LabelResponse]:
    return _created(endpoints.add_endpoint_label(_org(), endpointID, body.labelID))


@router.delete(
    "/api/v2/notificationEndpoints/<endpointID>/labels/<labelID>",
    scope=WRITE,
    responses={204: {"description": "No Content"}},
)
def remove_endpoint_label(endpointID: Id, labelID: Id) -> Response[str]:
    endpoints.remove_endpoint_label(_org(), endpointID, labelID)
    return Response(status_code=204, body="")


@router.get("/api/v2/labels", scope=READ)
def list_labels(orgID: OptionalParam = None) -> LabelsResponse:
    return endpoints.list_labels(_org(), orgID)


@router.post("/api/v2/labels", scope=WRITE, responses={201: {"description": "Created"}})
def create_label(body: Annotated[LabelCreate, Body()]) -> Response[LabelResponse]:
    return _created(endpoints.create_label(_org(), body))


@router.get("/api/v2/labels/<labelID>", scope=READ)
def get_label(labelID: Id) -> LabelResponse:
    return endpoints.get_label(_org(), labelID)


@router.patch("/api/v2/labels/<labelID>", scope=WRITE)
def patch_label(labelID: Id, body: Annotated[LabelPatch, Body()]) -> LabelResponse:
    return endpoints.patch_label(_org(), labelID, body)


@router.delete("/api/v2/labels/<labelID>", scope=WRITE, responses={204: {"description": "No Content"}})
def delete_label(labelID: Id) -> Response[str]:
    endpoints.delete_label(_org(), labelID)
    return Response(status_code=204, body="")


@router.get("/api/v2/orgs", scope=READ)
def list_orgs(org: OptionalParam = None, orgID: OptionalParam = None) -> Organizations:
    return endpoints.list_orgs(_org(), org, orgID)


@router.get("/api/v2/orgs/<orgID>", scope=READ)
def get_org(orgID: Id) -> Organization:
    return endpoints.get_org(_org(), orgID)


@router.get("/health", scope=PUBLIC)
def health() -> HealthCheck:
    return HealthCheck(
        name="influxdb", message="ready for queries and writes", status="pass", checks=[], version=VERSION, commit=""
    )


@router.get("/ping", scope=PUBLIC, responses={204: {"description": "No Content"}})
def ping() -> Response[str]:
    return Response(status_code=204, body="", headers={"X-Influxdb-Build": BUILD, "X-Influxdb-Version": VERSION})
