"""The uptime alerts API (seeds/uptime-alerts.md): request and response bodies, to the letter."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from herald.models.common import Email, TargetUrl

AlertName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
MonitorId = Annotated[str, StringConstraints(pattern=r"^mon_[a-zA-Z0-9]+$", max_length=128)]


def _whole_number(value: object) -> object:
    """JSON Schema's `integer` takes any number with a zero fractional part: 5.0 is the integer 5."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


CooldownMinutes = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=1440)]
SubjectPrefix = Annotated[str, StringConstraints(max_length=50)]
Strategy = Literal["email", "webhook", "slack", "discord"]
# The schemas set no minLength: "" is accepted (an empty secret signs nothing, an empty channel is the
# webhook's own); the maximum lengths are Herald's, so that an alert stays a small item.
SecretText = Annotated[str, StringConstraints(max_length=1024)]
ChannelName = Annotated[str, StringConstraints(max_length=100)]

_STRICT = ConfigDict(strict=True, extra="ignore")


class _AlertCreateBase(BaseModel):
    model_config = _STRICT
    name: AlertName
    notifyOnRecovery: bool = True
    cooldownMinutes: CooldownMinutes = 0
    monitorId: MonitorId | None = None


class EmailAlertCreate(_AlertCreateBase):
    strategy: Literal["email"]
    email: Email
    subjectPrefix: SubjectPrefix | None = None


class WebhookAlertCreate(_AlertCreateBase):
    strategy: Literal["webhook"]
    url: TargetUrl
    secret: SecretText | None = None


class SlackAlertCreate(_AlertCreateBase):
    strategy: Literal["slack"]
    webhookUrl: TargetUrl
    channel: ChannelName | None = None


class DiscordAlertCreate(_AlertCreateBase):
    strategy: Literal["discord"]
    webhookUrl: TargetUrl


AlertCreate = Annotated[
    EmailAlertCreate | WebhookAlertCreate | SlackAlertCreate | DiscordAlertCreate,
    Field(discriminator="strategy"),
]


class AlertUpdate(BaseModel):
    """PUT is partial: only the fields sent change. `strategy` may be sent but not changed."""

    model_config = _STRICT
    name: AlertName | None = None
    strategy: Strategy | None = None
    email: Email | None = None
    subjectPrefix: SubjectPrefix | None = None
    url: TargetUrl | None = None
    secret: SecretText | None = None
    webhookUrl: TargetUrl | None = None
    channel: ChannelName | None = None
    notifyOnRecovery: bool | None = None
    cooldownMinutes: CooldownMinutes | None = None
    monitorId: MonitorId | None = None


# Which strategy-specific fields each strategy accepts.
STRATEGY_FIELDS: dict[str, frozenset[str]] = {
    "email": frozenset({"email", "subjectPrefix"}),
    "webhook": frozenset({"url", "secret"}),
    "slack": frozenset({"webhookUrl", "channel"}),
    "discord": frozenset({"webhookUrl"}),
}
SECRET_FIELDS = frozenset({"url", "secret", "webhookUrl"})


class Alert(BaseModel):
    """The response schema: exactly these fields, never a URL, an email or a secret."""

    id: Annotated[str, StringConstraints(pattern=r"^alt_[a-zA-Z0-9]+$")]
    name: AlertName
    strategy: Strategy
    notifyOnRecovery: bool
    cooldownMinutes: CooldownMinutes
    monitorId: MonitorId | None
    createdAt: str
    updatedAt: str


class AlertList(BaseModel):
    alerts: list[Alert]


class AlertEvent(BaseModel):
    id: Annotated[str, StringConstraints(pattern=r"^evt_[a-zA-Z0-9]+$")]
    alertId: str
    monitorId: str
    type: Literal["triggered", "recovered"]
    # "skipped" beyond the seed's three: a delivery held back by the alert's cooldown, or a stale trigger
    # (the reason is the delivery's lastError in GET /v1/events/{id}).
    status: Literal["pending", "delivered", "failed", "skipped"]
    createdAt: str


class AlertEventList(BaseModel):
    events: list[AlertEvent]
