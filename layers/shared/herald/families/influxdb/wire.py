"""InfluxDB OSS v2 notification endpoints, labels and orgs: request and response bodies.

Request bodies are read leniently (JSON types are checked, unknown fields ignored) and validated by the
domain, so that every error carries InfluxDB's own message. Response models drop absent optional fields
(InfluxDB omits an empty `description` and unset `headers`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from herald.errors import HeraldError

EndpointType = Literal["slack", "pagerduty", "http", "telegram"]
EndpointStatus = Literal["active", "inactive"]

_LENIENT = ConfigDict(extra="ignore")


def _omitted(value: Any) -> bool:
    return value is None


def _optional(**kwargs: Any) -> Any:
    """An optional response field that is left out of the JSON when absent."""
    return Field(default=None, exclude_if=_omitted, **kwargs)


class EndpointIn(BaseModel):
    """POST and PUT body: a NotificationEndpoint of one of the four types (validated per type)."""

    model_config = _LENIENT
    type: str | None = None
    name: str | None = None
    description: str | None = None
    status: str | None = None
    orgID: str | None = None
    id: str | None = None
    userID: str | None = None
    labels: list[Any] | None = Field(default=None, description="label ids, or label objects with an `id`")
    url: str | None = Field(default=None, description="slack, http")
    token: str | None = Field(default=None, description="slack, http, telegram (secret)")
    clientURL: str | None = Field(default=None, description="pagerduty")
    routingKey: str | None = Field(default=None, description="pagerduty (secret)")
    method: str | None = Field(default=None, description="http: POST, GET or PUT")
    authMethod: str | None = Field(default=None, description="http: none, basic or bearer")
    username: str | None = Field(default=None, description="http (secret)")
    password: str | None = Field(default=None, description="http (secret)")
    contentTemplate: str | None = Field(default=None, description="http")
    headers: dict[str, str] | None = Field(default=None, description="http")
    channel: str | None = Field(default=None, description="telegram")


class EndpointPatch(BaseModel):
    model_config = _LENIENT
    name: str | None = None
    description: str | None = None
    status: str | None = None


class LabelMappingIn(BaseModel):
    model_config = _LENIENT
    labelID: str | None = None


class LabelCreate(BaseModel):
    model_config = _LENIENT
    orgID: str | None = None
    name: str | None = None
    properties: dict[str, str] | None = None


class LabelPatch(BaseModel):
    model_config = _LENIENT
    name: str | None = None
    properties: dict[str, str] | None = None


class Label(BaseModel):
    id: str
    orgID: str
    name: str
    properties: dict[str, str] | None = _optional()


class Links(BaseModel):
    self: str
    next: str | None = _optional()
    prev: str | None = _optional()


class LabelResponse(BaseModel):
    label: Label
    links: Links


class LabelsResponse(BaseModel):
    labels: list[Label]
    links: Links


class EndpointLinks(BaseModel):
    self: str
    labels: str
    members: str
    owners: str


class _EndpointBase(BaseModel):
    id: str
    orgID: str
    name: str
    description: str | None = _optional()
    status: EndpointStatus
    labels: list[Label]
    createdAt: str
    updatedAt: str
    links: EndpointLinks


class SlackEndpoint(_EndpointBase):
    type: Literal["slack"]
    url: str
    token: str


class PagerDutyEndpoint(_EndpointBase):
    type: Literal["pagerduty"]
    clientURL: str
    routingKey: str


class HttpEndpoint(_EndpointBase):
    type: Literal["http"]
    url: str
    method: Literal["POST", "GET", "PUT"]
    authMethod: Literal["none", "basic", "bearer"]
    username: str
    password: str
    token: str
    contentTemplate: str
    headers: dict[str, str] | None = _optional()


class TelegramEndpoint(_EndpointBase):
    type: Literal["telegram"]
    token: str
    channel: str


NotificationEndpoint = Annotated[
    SlackEndpoint | PagerDutyEndpoint | HttpEndpoint | TelegramEndpoint, Field(discriminator="type")
]


class NotificationEndpoints(BaseModel):
    notificationEndpoints: list[NotificationEndpoint]
    links: Links


class OrgLinks(BaseModel):
    self: str
    members: str
    owners: str
    labels: str
    secrets: str
    buckets: str
    tasks: str
    dashboards: str


class Organization(BaseModel):
    id: str
    name: str
    description: str
    status: EndpointStatus
    createdAt: str
    updatedAt: str
    links: OrgLinks


class Organizations(BaseModel):
    orgs: list[Organization]
    links: Links


class HealthCheck(BaseModel):
    name: str
    message: str
    status: Literal["pass", "fail"]
    checks: list[Any]
    version: str
    commit: str


# InfluxDB OSS v2: {"code": …, "message": …} plus the X-Platform-Error-Code header; a conflict is 422.
_INFLUX_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    413: "request too large",
    415: "unsupported media type",
    422: "conflict",
    429: "too many requests",
    501: "not implemented",
    503: "unavailable",
}


def influx_status(error: HeraldError) -> int:
    return 422 if error.status == 409 else error.status


def influx_code(error: HeraldError) -> str:
    return _INFLUX_CODES.get(influx_status(error), "internal error")


def influx_error(error: HeraldError) -> dict[str, Any]:
    code = influx_code(error)
    message = {"unauthorized": "unauthorized access", "internal error": "internal error"}.get(code, error.message)
    return {"code": code, "message": message}


def influx_error_headers(error: HeraldError) -> dict[str, str]:
    return {"X-Platform-Error-Code": influx_code(error)}
