"""Mackerel notification groups and channels (seeds/mackerel-notification-groups.md):
/api/v0/notification-groups[/{id}] and /api/v0/channels[/{id}], each route with its scope (Mackerel's Read
permission = the :read scopes; Write = the :write scopes as well)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from herald.api.family import principal
from herald.api.scoped_router import ScopedRouter, Swagger
from herald.families.mackerel import service
from herald.families.mackerel.wire import (
    Channel,
    ChannelIn,
    ChannelList,
    NotificationGroup,
    NotificationGroupIn,
    NotificationGroupList,
)

router = ScopedRouter(
    swagger=Swagger("/api/v0/notification-groups/swagger", "Herald Mackerel notification groups API", "1.0.0")
)

Id = Annotated[str, Path(max_length=64)]


@router.get("/api/v0/channels", scope="channels:read")
def list_channels() -> ChannelList:
    return ChannelList(channels=service.list_channels(principal().org_id))


@router.post("/api/v0/channels", scope="channels:write")
def create_channel(body: Annotated[ChannelIn, Body()]) -> Channel:
    return service.create_channel(principal().org_id, body)


@router.put("/api/v0/channels/<id>", scope="channels:write")
def update_channel(id: Id, body: Annotated[ChannelIn, Body()]) -> Channel:
    return service.update_channel(principal().org_id, id, body)


@router.delete("/api/v0/channels/<id>", scope="channels:write")
def delete_channel(id: Id) -> Channel:
    return service.delete_channel(principal().org_id, id)


@router.get("/api/v0/notification-groups", scope="groups:read")
def list_groups() -> NotificationGroupList:
    return NotificationGroupList(notificationGroups=service.list_groups(principal().org_id))


@router.post("/api/v0/notification-groups", scope="groups:write")
def create_group(body: Annotated[NotificationGroupIn, Body()]) -> NotificationGroup:
    return service.create_group(principal().org_id, body)


@router.put("/api/v0/notification-groups/<id>", scope="groups:write")
def update_group(id: Id, body: Annotated[NotificationGroupIn, Body()]) -> NotificationGroup:
    return service.update_group(principal().org_id, id, body)


@router.delete("/api/v0/notification-groups/<id>", scope="groups:write")
def delete_group(id: Id) -> NotificationGroup:
    return service.delete_group(principal().org_id, id)
