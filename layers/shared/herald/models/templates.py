"""Herald's templates API: PUT/GET/DELETE /v1/templates/{kind}[/{destinationRef}], POST /v1/templates/preview."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from herald.models.events import EventIn

Kind = Literal["email", "slack", "discord", "teams", "telegram", "pagerduty", "sms", "voice", "webhook", "http"]
Source = Annotated[str, StringConstraints(max_length=16_000)]
DestinationRef = Annotated[
    str,
    StringConstraints(pattern=r"^(grafana|influxdb|mackerel|uptime|oncall):[A-Za-z0-9_.@-]{1,128}$"),
]


class TemplateIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    title: Source | None = None
    text: Source | None = None
    body: Source | None = None


class Template(BaseModel):
    kind: str
    destinationRef: str | None
    title: str | None
    text: str | None
    body: str | None
    updatedAt: str


class TemplateList(BaseModel):
    templates: list[Template]


class PreviewIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    kind: Kind
    template: TemplateIn | None = None
    destinationRef: DestinationRef | None = None
    event: EventIn


class ProviderRequest(BaseModel):
    """The request Herald would send, secrets masked. `body` is the request body as text (SES and SNS
    calls show their API parameters as JSON)."""

    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    rendered: dict[str, str | None] = Field(default_factory=dict)
