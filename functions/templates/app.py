"""Herald's templates API: /v1/templates (per kind and per destination) and POST /v1/templates/preview."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.errors import uptime_error
from herald.api.family import PUBLIC, Family, principal
from herald.models.templates import DestinationRef, Kind, PreviewIn, ProviderRequest, Template, TemplateIn, TemplateList
from herald.observability import logger, metrics, tracer
from herald.templates import service

SCOPES = {
    "GET /v1/templates": "templates:read",
    "POST /v1/templates/preview": "templates:read",
    "GET /v1/templates/{kind}": "templates:read",
    "PUT /v1/templates/{kind}": "templates:write",
    "DELETE /v1/templates/{kind}": "templates:write",
    "GET /v1/templates/{kind}/{destinationRef}": "templates:read",
    "PUT /v1/templates/{kind}/{destinationRef}": "templates:write",
    "DELETE /v1/templates/{kind}/{destinationRef}": "templates:write",
    "GET /v1/templates/swagger": PUBLIC,
}
family = Family(name="templates", error_body=uptime_error, scopes=SCOPES)
app = family.app
app.enable_swagger(path="/v1/templates/swagger", title="Herald templates API", version="1.0.0")

KindPath = Annotated[Kind, Path()]
RefPath = Annotated[DestinationRef, Path()]


@app.get("/v1/templates")
def list_templates() -> TemplateList:
    return service.list_templates(principal().org_id)


@app.post("/v1/templates/preview")
def preview_template(body: Annotated[PreviewIn, Body()]) -> ProviderRequest:
    """The exact provider request a delivery of `event` would make, secrets masked; nothing is sent."""
    return service.run_preview(principal().org_id, body)


@app.get("/v1/templates/<kind>")
def get_kind_template(kind: KindPath) -> Template:
    return service.get(principal().org_id, kind, None)


@app.put("/v1/templates/<kind>")
def put_kind_template(kind: KindPath, body: Annotated[TemplateIn, Body()]) -> Template:
    return service.save(principal().org_id, kind, None, body)


@app.delete("/v1/templates/<kind>", responses={204: {"description": "Deleted"}})
def delete_kind_template(kind: KindPath) -> Response[None]:
    service.delete(principal().org_id, kind, None)
    return Response(status_code=204, content_type=content_types.APPLICATION_JSON, body=None)


@app.get("/v1/templates/<kind>/<destinationRef>")
def get_destination_template(kind: KindPath, destinationRef: RefPath) -> Template:
    return service.get(principal().org_id, kind, destinationRef)


@app.put("/v1/templates/<kind>/<destinationRef>")
def put_destination_template(
    kind: KindPath,
    destinationRef: RefPath,
    body: Annotated[TemplateIn, Body()],
) -> Template:
    return service.save(principal().org_id, kind, destinationRef, body)


@app.delete("/v1/templates/<kind>/<destinationRef>", responses={204: {"description": "Deleted"}})
def delete_destination_template(kind: KindPath, destinationRef: RefPath) -> Response[None]:
    service.delete(principal().org_id, kind, destinationRef)
    return Response(status_code=204, content_type=content_types.APPLICATION_JSON, body=None)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
