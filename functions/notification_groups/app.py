"""Mackerel notification groups and channels (seeds/mackerel-notification-groups.md):
/api/v0/notification-groups[/{id}] and /api/v0/channels[/{id}]."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.errors import mackerel_error
from herald.api.family import PUBLIC, Family, principal
from herald.domain import notification_groups as domain
from herald.models.notification_groups import (
    Channel,
    ChannelIn,
    ChannelList,
    NotificationGroup,
    NotificationGroupIn,
    NotificationGroupList,
)
from herald.observability import logger, metrics, tracer

# Mackerel's Read permission = the :read scopes; Write = the :write scopes as well.
SCOPES = {
    "GET /api/v0/channels": "channels:read",
    "POST /api/v0/channels": "channels:write",
    "PUT /api/v0/channels/{id}": "channels:write",
    "DELETE /api/v0/channels/{id}": "channels:write",
    "GET /api/v0/notification-groups": "groups:read",
    "POST /api/v0/notification-groups": "groups:write",
    "PUT /api/v0/notification-groups/{id}": "groups:write",
    "DELETE /api/v0/notification-groups/{id}": "groups:write",
    "GET /api/v0/notification-groups/swagger": PUBLIC,
}
family = Family(
    name="notification_groups",
    error_body=mackerel_error,
    scopes=SCOPES,
    union_tags=frozenset({"email", "slack", "webhook"}),
)
app = family.app
app.enable_swagger(
    path="/api/v0/notification-groups/swagger", title="Herald Mackerel notification groups API", version="1.0.0"
)

Id = Annotated[str, Path(max_length=64)]


@app.get("/api/v0/channels")
def list_channels() -> ChannelList:
    return ChannelList(channels=domain.list_channels(principal(app).org_id))


@app.post("/api/v0/channels")
def create_channel(body: Annotated[ChannelIn, Body()]) -> Channel:
    return domain.create_channel(principal(app).org_id, body)


@app.put("/api/v0/channels/<id>")
def update_channel(id: Id, body: Annotated[ChannelIn, Body()]) -> Channel:
    return domain.update_channel(principal(app).org_id, id, body)


@app.delete("/api/v0/channels/<id>")
def delete_channel(id: Id) -> Channel:
    return domain.delete_channel(principal(app).org_id, id)


@app.get("/api/v0/notification-groups")
def list_groups() -> NotificationGroupList:
    return NotificationGroupList(notificationGroups=domain.list_groups(principal(app).org_id))


@app.post("/api/v0/notification-groups")
def create_group(body: Annotated[NotificationGroupIn, Body()]) -> NotificationGroup:
    return domain.create_group(principal(app).org_id, body)


@app.put("/api/v0/notification-groups/<id>")
def update_group(id: Id, body: Annotated[NotificationGroupIn, Body()]) -> NotificationGroup:
    return domain.update_group(principal(app).org_id, id, body)


@app.delete("/api/v0/notification-groups/<id>")
def delete_group(id: Id) -> NotificationGroup:
    return domain.delete_group(principal(app).org_id, id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
