"""InfluxDB OSS v2 API (seeds/influxdb-notification-endpoints.md): /api/v2/notificationEndpoints, plus
/api/v2/labels, /api/v2/orgs, /health and /ping so that influxdb-client works unchanged."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.errors import influx_error, influx_error_headers, influx_status
from herald.api.family import PUBLIC, Family, principal
from herald.domain import notification_endpoints as endpoints
from herald.models.notification_endpoints import (
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
from herald.observability import logger, metrics, tracer

READ, WRITE = "endpoints:read", "endpoints:write"
SCOPES = {
    "GET /api/v2/notificationEndpoints": READ,
    "POST /api/v2/notificationEndpoints": WRITE,
    "GET /api/v2/notificationEndpoints/{endpointID}": READ,
    "PUT /api/v2/notificationEndpoints/{endpointID}": WRITE,
    "PATCH /api/v2/notificationEndpoints/{endpointID}": WRITE,
    "DELETE /api/v2/notificationEndpoints/{endpointID}": WRITE,
    "GET /api/v2/notificationEndpoints/{endpointID}/labels": READ,
    "POST /api/v2/notificationEndpoints/{endpointID}/labels": WRITE,
    "DELETE /api/v2/notificationEndpoints/{endpointID}/labels/{labelID}": WRITE,
    "GET /api/v2/labels": READ,
    "POST /api/v2/labels": WRITE,
    "GET /api/v2/labels/{labelID}": READ,
    "PATCH /api/v2/labels/{labelID}": WRITE,
    "DELETE /api/v2/labels/{labelID}": WRITE,
    "GET /api/v2/orgs": READ,
    "GET /api/v2/orgs/{orgID}": READ,
    "GET /health": PUBLIC,
    "GET /ping": PUBLIC,
    "GET /api/v2/notificationEndpoints/swagger": PUBLIC,
}
family = Family(
    name="notification_endpoints",
    error_body=influx_error,
    scopes=SCOPES,
    error_headers=influx_error_headers,
    status_of=influx_status,
)
app = family.app
app.enable_swagger(
    path="/api/v2/notificationEndpoints/swagger", title="Herald InfluxDB notification endpoints API", version="2.0.0"
)

Id = Annotated[str, Path(max_length=64)]
OptionalParam = Annotated[str | None, Query(max_length=256)]
# What /ping and /health report: the InfluxDB OSS API version this implements.
BUILD, VERSION = "OSS", "2.7.0"


def _org() -> str:
    return principal(app).org_id


def _created(body: Any) -> Response[Any]:
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


@app.get("/api/v2/notificationEndpoints")
def list_endpoints(
    orgID: OptionalParam = None,
    org: OptionalParam = None,
    offset: OptionalParam = None,
    limit: OptionalParam = None,
) -> NotificationEndpoints:
    return endpoints.list_endpoints(_org(), orgID, org, offset, limit)


@app.post("/api/v2/notificationEndpoints", responses={201: {"description": "Created"}})
def create_endpoint(body: Annotated[EndpointIn, Body()]) -> Response[NotificationEndpoint]:
    return _created(endpoints.create_endpoint(_org(), body))


@app.get("/api/v2/notificationEndpoints/<endpointID>")
def get_endpoint(endpointID: Id) -> NotificationEndpoint:
    return endpoints.get_endpoint(_org(), endpointID)  # type: ignore[return-value]


@app.put("/api/v2/notificationEndpoints/<endpointID>")
def replace_endpoint(endpointID: Id, body: Annotated[EndpointIn, Body()]) -> NotificationEndpoint:
    return endpoints.replace_endpoint(_org(), endpointID, body)  # type: ignore[return-value]


@app.patch("/api/v2/notificationEndpoints/<endpointID>")
def patch_endpoint(endpointID: Id, body: Annotated[EndpointPatch, Body()]) -> NotificationEndpoint:
    return endpoints.patch_endpoint(_org(), endpointID, body)  # type: ignore[return-value]


@app.delete("/api/v2/notificationEndpoints/<endpointID>", responses={204: {"description": "No Content"}})
def delete_endpoint(endpointID: Id) -> Response[str]:
    endpoints.delete_endpoint(_org(), endpointID)
    return Response(status_code=204, body="")


@app.get("/api/v2/notificationEndpoints/<endpointID>/labels")
def list_endpoint_labels(endpointID: Id) -> LabelsResponse:
    return endpoints.endpoint_labels(_org(), endpointID)


@app.post("/api/v2/notificationEndpoints/<endpointID>/labels", responses={201: {"description": "Created"}})
def add_endpoint_label(endpointID: Id, body: Annotated[LabelMappingIn, Body()]) -> Response[LabelResponse]:
    return _created(endpoints.add_endpoint_label(_org(), endpointID, body.labelID))


@app.delete(
    "/api/v2/notificationEndpoints/<endpointID>/labels/<labelID>", responses={204: {"description": "No Content"}}
)
def remove_endpoint_label(endpointID: Id, labelID: Id) -> Response[str]:
    endpoints.remove_endpoint_label(_org(), endpointID, labelID)
    return Response(status_code=204, body="")


@app.get("/api/v2/labels")
def list_labels(orgID: OptionalParam = None) -> LabelsResponse:
    return endpoints.list_labels(_org(), orgID)


@app.post("/api/v2/labels", responses={201: {"description": "Created"}})
def create_label(body: Annotated[LabelCreate, Body()]) -> Response[LabelResponse]:
    return _created(endpoints.create_label(_org(), body))


@app.get("/api/v2/labels/<labelID>")
def get_label(labelID: Id) -> LabelResponse:
    return endpoints.get_label(_org(), labelID)


@app.patch("/api/v2/labels/<labelID>")
def patch_label(labelID: Id, body: Annotated[LabelPatch, Body()]) -> LabelResponse:
    return endpoints.patch_label(_org(), labelID, body)


@app.delete("/api/v2/labels/<labelID>", responses={204: {"description": "No Content"}})
def delete_label(labelID: Id) -> Response[str]:
    endpoints.delete_label(_org(), labelID)
    return Response(status_code=204, body="")


@app.get("/api/v2/orgs")
def list_orgs(org: OptionalParam = None, orgID: OptionalParam = None) -> Organizations:
    return endpoints.list_orgs(_org(), org, orgID)


@app.get("/api/v2/orgs/<orgID>")
def get_org(orgID: Id) -> Organization:
    return endpoints.get_org(_org(), orgID)


@app.get("/health")
def health() -> HealthCheck:
    return HealthCheck(
        name="influxdb", message="ready for queries and writes", status="pass", checks=[], version=VERSION, commit=""
    )


@app.get("/ping", responses={204: {"description": "No Content"}})
def ping() -> Response[str]:
    return Response(status_code=204, body="", headers={"X-Influxdb-Build": BUILD, "X-Influxdb-Version": VERSION})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
