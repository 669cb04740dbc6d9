"""Grafana's legacy alert notification channels API (seeds/grafana-alert-notification-channels.md).

Request bodies are bound like Grafana binds them: JSON types are enforced, `name` and `type` are
required and non-empty, unknown fields are ignored; anything else wrong is 400 "bad request data".
Notifier settings are checked by the domain (herald.families.grafana.service) with Grafana's reasons.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, StringConstraints

from herald.errors import HeraldError

_BIND = ConfigDict(strict=True, extra="ignore")

ChannelName = Annotated[str, StringConstraints(min_length=1, max_length=190)]
NotifierType = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Uid = Annotated[str, StringConstraints(max_length=255)]  # the 40-character limit is a validation error
Frequency = Annotated[str, StringConstraints(max_length=64)]


class ChannelIn(BaseModel):
    """Create and update body (update by id may carry `id`; the path's id wins)."""

    model_config = _BIND
    uid: Uid | None = None
    name: ChannelName
    type: NotifierType
    isDefault: bool = False
    sendReminder: bool = False
    disableResolveMessage: bool = False
    frequency: Frequency | None = None
    settings: dict[str, Any] | None = None
    secureSettings: dict[str, str] | None = None


class NotificationTestIn(BaseModel):
    """POST /api/alert-notifications/test: the channel to try, as the UI has it."""

    model_config = _BIND
    id: int | None = None  # a saved channel: its stored secure settings fill what the request leaves out
    name: Annotated[str, StringConstraints(max_length=190)] | None = None
    type: NotifierType
    settings: dict[str, Any] | None = None
    secureSettings: dict[str, str] | None = None


class AlertNotification(BaseModel):
    id: int
    uid: str
    name: str
    type: str
    isDefault: bool
    sendReminder: bool
    disableResolveMessage: bool
    frequency: str
    created: str
    updated: str
    settings: dict[str, Any]
    secureFields: dict[str, bool]


class AlertNotificationLookup(BaseModel):
    id: int
    uid: str
    name: str
    type: str
    isDefault: bool


class Message(BaseModel):
    message: str


class DeletedByUid(BaseModel):
    message: str
    id: int


class Health(BaseModel):
    commit: str
    database: str
    version: str


class BuildInfo(BaseModel):
    version: str
    commit: str
    edition: str
    env: str


class FrontendSettings(BaseModel):
    buildInfo: BuildInfo


def grafana_error(error: HeraldError) -> dict[str, Any]:
    """Grafana's legacy alert notifications API: {"message": …}."""
    return {"message": error.message}


def bad_request_data(_error: RequestValidationError) -> str:
    """Grafana answers every body it cannot bind with the same message."""
    return "bad request data"
