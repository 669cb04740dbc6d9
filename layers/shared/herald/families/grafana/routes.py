"""Grafana legacy alert notification channels (seeds/grafana-alert-notification-channels.md):
/api/alert-notifications[/uid/{uid} | /{id} | /lookup | /test], plus /api/health and /api/frontend/settings
(grafana-client's connect()); each route with its scope."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from herald.api.family import PUBLIC, principal
from herald.api.scoped_router import ScopedRouter
from herald.families.grafana import service as channels
from herald.families.grafana.wire import (
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

GRAFANA_VERSION = "8.5.27"  # the API generation Herald speaks (legacy alerting), for clients that ask
router = ScopedRouter()

Uid = Annotated[str, Path(max_length=255)]
RawId = Annotated[str, Path(max_length=64)]


@router.get("/api/health", scope=PUBLIC)
def health() -> Health:
    return Health(commit="herald", database="ok", version=GRAFANA_VERSION)


@router.get("/api/frontend/settings", scope="notifications:read")
def frontend_settings() -> FrontendSettings:
    return FrontendSettings(
        buildInfo=BuildInfo(version=GRAFANA_VERSION, commit="herald", edition="Herald", env="production")
    )


@router.get("/api/alert-notifications", scope="notifications:read")
def list_channels() -> list[AlertNotification]:
    return channels.list_channels(principal().org_id)


@router.post("/api/alert-notifications", scope="notifications:write")
def create_channel(body: Annotated[ChannelIn, Body()]) -> AlertNotification:
    return channels.create_channel(principal().org_id, body)


@router.get("/api/alert-notifications/lookup", scope="notifications:read")
def lookup_channels() -> list[AlertNotificationLookup]:
    return channels.lookup_channels(principal().org_id)


@router.post(
    "/api/alert-notifications/test",
    scope="notifications:write",
    responses={500: {"description": "Failed to send alert notifications"}},
)
def test_channel(body: Annotated[NotificationTestIn, Body()]) -> Message:
    channels.send_test(principal().org_id, body)
    return Message(message="Test notification sent")


@router.get("/api/alert-notifications/uid/<uid>", scope="notifications:read")
def get_channel_by_uid(uid: Uid) -> AlertNotification:
    return channels.get_by_uid(principal().org_id, uid)


@router.put("/api/alert-notifications/uid/<uid>", scope="notifications:write")
def update_channel_by_uid(uid: Uid, body: Annotated[ChannelIn, Body()]) -> AlertNotification:
    return channels.update_by_uid(principal().org_id, uid, body)


@router.delete("/api/alert-notifications/uid/<uid>", scope="notifications:write")
def delete_channel_by_uid(uid: Uid) -> DeletedByUid:
    deleted = channels.delete_by_uid(principal().org_id, uid)
    return DeletedByUid(message="Notification deleted", id=deleted)


@router.get("/api/alert-notifications/<id>", scope="notifications:read")
def get_channel(id: RawId) -> AlertNotification:
    return channels.get_by_id(principal().org_id, channels.parse_id(id))


@router.put("/api/alert-notifications/<id>", scope="notifications:write")
def update_channel(id: RawId, body: Annotated[ChannelIn, Body()]) -> AlertNotification:
    return channels.update_by_id(principal().org_id, channels.parse_id(id), body)


@router.delete("/api/alert-notifications/<id>", scope="notifications:write")
def delete_channel(id: RawId) -> Message:
    channels.delete_by_id(principal().org_id, channels.parse_id(id))
    return Message(message="Notification deleted")
