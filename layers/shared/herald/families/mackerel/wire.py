"""Mackerel's notification channels and notification groups (seeds/mackerel-notification-groups.md and
Mackerel's public channel docs): request and response bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from herald.errors import HeraldError
from herald.models.common import Email, TargetUrl

MackerelId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9]+$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
# The events a Mackerel channel can subscribe to. Herald's events (triggered / recovered) are "alert".
ChannelEvent = Literal["alert", "alertGroup", "hostStatus", "hostRegister", "hostRetire", "monitor"]
NotificationLevel = Literal["all", "critical"]
MonitorRefId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@/-]+$")]
ServiceName = Annotated[str, StringConstraints(min_length=1, max_length=128)]
MentionText = Annotated[str, StringConstraints(max_length=1000)]

MAX_LIST = 100


def _null_as_empty(value: object) -> object:
    """mackerel-client-go sends a nil slice as `null`: read it as an empty list."""
    return [] if value is None else value


def _default_events() -> list[ChannelEvent]:
    return ["alert"]


_STRICT = ConfigDict(strict=True, extra="ignore")

# --- channels -----------------------------------------------------------------------------------------


class Mentions(BaseModel):
    """Text added to a Slack notification, per state of the alert."""

    model_config = _STRICT
    ok: MentionText | None = None
    warning: MentionText | None = None
    critical: MentionText | None = None


Emails = Annotated[list[Email], BeforeValidator(_null_as_empty), Field(max_length=MAX_LIST)]
UserIds = Annotated[list[MackerelId], BeforeValidator(_null_as_empty), Field(max_length=MAX_LIST)]
Events = Annotated[list[ChannelEvent], BeforeValidator(_null_as_empty), Field(max_length=6)]


class _ChannelIn(BaseModel):
    model_config = _STRICT
    name: Name
    # Omitted: ["alert"] (Herald's events are alerts); an explicit [] subscribes to nothing.
    events: Events = Field(default_factory=_default_events)
    # Only read on create: also add the channel to the org's default notification group.
    addToDefaultNotificationGroup: bool = False


class EmailChannelIn(_ChannelIn):
    type: Literal["email"]
    emails: Emails = Field(default_factory=list)
    userIds: UserIds = Field(default_factory=list)


class SlackChannelIn(_ChannelIn):
    type: Literal["slack"]
    url: TargetUrl
    mentions: Mentions = Field(default_factory=Mentions)
    enabledGraphImage: bool = False


class WebhookChannelIn(_ChannelIn):
    type: Literal["webhook"]
    url: TargetUrl
    enabledGraphImage: bool = False


ChannelIn = Annotated[EmailChannelIn | SlackChannelIn | WebhookChannelIn, Field(discriminator="type")]
CHANNEL_TYPES = frozenset({"email", "slack", "webhook"})


class _Channel(BaseModel):
    id: str
    name: str
    suspendedAt: int | None = None
    events: list[ChannelEvent]


class EmailChannel(_Channel):
    type: Literal["email"]
    emails: list[str]
    userIds: list[str]


class SlackChannel(_Channel):
    type: Literal["slack"]
    url: str = Field(description="Masked: scheme and host of the stored URL, the rest hidden")
    mentions: dict[Literal["ok", "warning", "critical"], str] = Field(description="Only the states that have a text")
    enabledGraphImage: bool


class WebhookChannel(_Channel):
    type: Literal["webhook"]
    url: str = Field(description="Masked: scheme and host of the stored URL, the rest hidden")
    enabledGraphImage: bool


Channel = Annotated[EmailChannel | SlackChannel | WebhookChannel, Field(discriminator="type")]


class ChannelList(BaseModel):
    channels: list[Channel]


# --- notification groups ------------------------------------------------------------------------------


class MonitorRef(BaseModel):
    model_config = _STRICT
    id: MonitorRefId
    skipDefault: bool = False


class ServiceRef(BaseModel):
    model_config = _STRICT
    name: ServiceName


GroupIds = Annotated[list[MackerelId], BeforeValidator(_null_as_empty), Field(max_length=MAX_LIST)]
MonitorRefs = Annotated[list[MonitorRef], BeforeValidator(_null_as_empty), Field(max_length=MAX_LIST)]
ServiceRefs = Annotated[list[ServiceRef], BeforeValidator(_null_as_empty), Field(max_length=MAX_LIST)]


class NotificationGroupIn(BaseModel):
    """POST and PUT (full object). `id` and `type` in a body are ignored."""

    model_config = _STRICT
    name: Name
    notificationLevel: NotificationLevel
    childNotificationGroupIds: GroupIds = Field(default_factory=list)
    childChannelIds: GroupIds = Field(default_factory=list)
    monitors: MonitorRefs = Field(default_factory=list)
    services: ServiceRefs = Field(default_factory=list)


class NotificationGroup(BaseModel):
    id: str
    type: Literal["group", "group-default"]
    name: str
    notificationLevel: NotificationLevel
    childNotificationGroupIds: list[str]
    childChannelIds: list[str]
    monitors: list[MonitorRef]
    services: list[ServiceRef]


class NotificationGroupList(BaseModel):
    notificationGroups: list[NotificationGroup]


def mackerel_error(error: HeraldError) -> dict[str, Any]:
    """Mackerel (notification groups and channels): {"error": {"message": …}}."""
    return {"error": {"message": error.message}}
