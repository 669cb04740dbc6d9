"""Grafana legacy alert notification channels (seeds/grafana-alert-notification-channels.md):
/api/alert-notifications[/uid/{uid} | /{id} | /lookup | /test], plus /api/health and /api/frontend/settings
(grafana-client's connect())."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.errors import grafana_error
from herald.api.family import PUBLIC, Family, principal
from herald.domain import grafana_channels as channels
from herald.models.grafana import (
    AlertNotification,
    AlertNotificationLookup,
    BuildInfo,
    ChannelIn,
    DeletedByUid,
    FrontendSettings,
    Health,
    Message,
    NotificationTestIn,
)
from herald.observability import logger, metrics, tracer

SCOPES = {
    "GET /api/alert-notifications": "notifications:read",
    "POST /api/alert-notifications": "notifications:write",
    "GET /api/alert-notifications/lookup": "notifications:read",
    "POST /api/alert-notifications/test": "notifications:write",
    "GET /api/alert-notifications/uid/{uid}": "notifications:read",
    "PUT /api/alert-notifications/uid/{uid}": "notifications:write",
    "DELETE /api/alert-notifications/uid/{uid}": "notifications:write",
    "GET /api/alert-notifications/{id}": "notifications:read",
    "PUT /api/alert-notifications/{id}": "notifications:write",
    "DELETE /api/alert-notifications/{id}": "notifications:write",
    "GET /api/health": PUBLIC,
    "GET /api/frontend/settings": "notifications:read",
}
GRAFANA_VERSION = "8.5.27"  # the API generation Herald speaks (legacy alerting), for clients that ask


def bad_request_data(_error: RequestValidationError) -> str:
    """Grafana answers every body it cannot bind with the same message."""
    return "bad request data"


family = Family(
    name="alert_notifications",
    error_body=grafana_error,
    scopes=SCOPES,
    invalid_request_message=bad_request_data,
)
app = family.app

Uid = Annotated[str, Path(max_length=255)]
RawId = Annotated[str, Path(max_length=64)]


@app.get("/api/health")
def health() -> Health:
    return Health(commit="herald", database="ok", version=GRAFANA_VERSION)


@app.get("/api/frontend/settings")
def frontend_settings() -> FrontendSettings:
    return FrontendSettings(
        buildInfo=BuildInfo(version=GRAFANA_VERSION, commit="herald", edition="Herald", env="production")
    )


@app.get("/api/alert-notifications")
def list_channels() -> list[AlertNotification]:
    return channels.list_channels(principal(app).org_id)


@app.post("/api/alert-notifications")
def create_channel(body: Annotated[ChannelIn, Body()]) -> AlertNotification:
    return channels.create_channel(principal(app).org_id, body)


@app.get("/api/alert-notifications/lookup")
def lookup_channels() -> list[AlertNotificationLookup]:
    return channels.lookup_channels(principal(app).org_id)


@app.post("/api/alert-notifications/test", responses={500: {"description": "Failed to send alert notifications"}})
def test_channel(body: Annotated[NotificationTestIn, Body()]) -> Message:
    channels.send_test(principal(app).org_id, body)
    return Message(message="Test notification sent")


@app.get("/api/alert-notifications/uid/<uid>")
def get_channel_by_uid(uid: Uid) -> AlertNotification:
    return channels.get_by_uid(principal(app).org_id, uid)


@app.put("/api/alert-notifications/uid/<uid>")
def update_channel_by_uid(uid: Uid, body: Annotated[ChannelIn, Body()]) -> AlertNotification:
    return channels.update_by_uid(principal(app).org_id, uid, body)


@app.delete("/api/alert-notifications/uid/<uid>")
def delete_channel_by_uid(uid: Uid) -> DeletedByUid:
    deleted = channels.delete_by_uid(principal(app).org_id, uid)
    return DeletedByUid(message="Notification deleted", id=deleted)


@app.get("/api/alert-notifications/<id>")
def get_channel(id: RawId) -> AlertNotification:
    return channels.get_by_id(principal(app).org_id, channels.parse_id(id))


@app.put("/api/alert-notifications/<id>")
def update_channel(id: RawId, body: Annotated[ChannelIn, Body()]) -> AlertNotification:
    return channels.update_by_id(principal(app).org_id, channels.parse_id(id), body)


@app.delete("/api/alert-notifications/<id>")
def delete_channel(id: RawId) -> Message:
    channels.delete_by_id(principal(app).org_id, channels.parse_id(id))
    return Message(message="Notification deleted")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
