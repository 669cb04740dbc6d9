"""InfluxDB OSS v2 notification endpoints, labels and orgs, with InfluxDB's validation and messages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel

from herald import clock, ids, secrets
from herald.errors import Conflict, NotFound, ValidationFailed
from herald.families.influxdb import store as repo
from herald.families.influxdb.store import EndpointRecord, LabelRecord
from herald.families.influxdb.wire import (
    EndpointIn,
    EndpointPatch,
    HttpEndpoint,
    Label,
    LabelCreate,
    LabelPatch,
    LabelResponse,
    LabelsResponse,
    Links,
    NotificationEndpoints,
    Organization,
    Organizations,
    OrgLinks,
    PagerDutyEndpoint,
    SlackEndpoint,
    TelegramEndpoint,
)
from herald.netguard import check_saved_url
from herald.secrets_kept import Destination, keep_secrets

API = "/api/v2"
TYPES = ("slack", "pagerduty", "http", "telegram")
STATUSES = ("active", "inactive")
HTTP_METHODS = ("POST", "GET", "PUT")
HTTP_AUTH_METHODS = ("none", "basic", "bearer")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SECRET_PREFIX = "secret: "  # noqa: S105 - the marker of a secret reference, not a secret
ORG_NOT_FOUND = "organization not found"

# Secret fields per type: API field → (key of the sealed value, suffix of the returned reference).
SECRET_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "slack": {"token": ("token", "token")},
    "pagerduty": {"routingKey": ("routingKey", "routing-key")},
    "http": {
        "username": ("username", "username"),
        "password": ("password", "password"),
        "token": ("token", "token"),
    },
    "telegram": {"token": ("token", "token")},
}
# The URL a type delivers to is also sealed, under the key its channel adapter reads.
SEALED_URL = {"slack": "webhookUrl", "http": "url"}

RESPONSE_MODELS: dict[str, type[BaseModel]] = {
    "slack": SlackEndpoint,
    "pagerduty": PagerDutyEndpoint,
    "http": HttpEndpoint,
    "telegram": TelegramEndpoint,
}

_ID = re.compile(r"^[0-9a-fA-F]{16}$")


def parse_id(value: str) -> str:
    """InfluxDB's platform ID: 16 hex digits, not all zeros; answered in lower case."""
    if len(value) != 16:
        raise ValidationFailed("id must have a length of 16 bytes")
    if not _ID.match(value) or int(value, 16) == 0:
        raise ValidationFailed("invalid ID")
    return value.lower()


def _check_org(caller_org: str, org_id: str | None) -> None:
    """A body's or query's orgID: the caller's own org, or 404 as for any other org's resources."""
    if org_id is None:
        return
    try:
        parsed = parse_id(org_id)
    except ValidationFailed:
        raise ValidationFailed("orgID is invalid") from None
    if parsed != caller_org:
        raise NotFound(ORG_NOT_FOUND)


# --- responses ---


def label_out(record: LabelRecord) -> Label:
    return Label(id=record.id, orgID=record.org_id, name=record.name, properties=record.properties or None)


def _secret_reference(record: EndpointRecord, field: str) -> str:
    sealed_key, suffix = SECRET_FIELDS[record.type][field]
    return f"{SECRET_PREFIX}{record.id}-{suffix}" if sealed_key in record.sealed else ""


def endpoint_out(record: EndpointRecord, labels: dict[str, LabelRecord]) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": record.id,
        "orgID": record.org_id,
        "name": record.name,
        "description": record.description or None,
        "status": record.status,
        "labels": [label_out(labels[i]) for i in record.label_ids if i in labels],
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "links": {
            "self": f"{API}/notificationEndpoints/{record.id}",
            "labels": f"{API}/notificationEndpoints/{record.id}/labels",
            "members": f"{API}/notificationEndpoints/{record.id}/members",
            "owners": f"{API}/notificationEndpoints/{record.id}/owners",
        },
        "type": record.type,
    }
    base.update({field: _secret_reference(record, field) for field in SECRET_FIELDS[record.type]})
    config = record.config
    if record.type == "slack":
        base["url"] = config.get("url", "")
    elif record.type == "pagerduty":
        base["clientURL"] = config.get("clientURL", "")
    elif record.type == "http":
        base.update(
            url=config.get("url", ""),
            method=config.get("method", "POST"),
            authMethod=config.get("authMethod", "none"),
            contentTemplate=config.get("contentTemplate", ""),
            headers=json.loads(config["headers"]) if config.get("headers") else None,
        )
    else:
        base["channel"] = config.get("channel", "")
    return RESPONSE_MODELS[record.type].model_validate(base).model_dump()


def _labels_by_id(org_id: str, records: list[EndpointRecord]) -> dict[str, LabelRecord]:
    """The org's labels, read only when one of the records has a label attached."""
    if not any(record.label_ids for record in records):
        return {}
    return {label.id: label for label in repo.list_labels(org_id)}


# --- validation of a POST/PUT body ---


@dataclass
class _Settings:
    type: str
    name: str
    description: str
    status: str
    config: dict[str, str]
    keep_sealed: dict[str, str]  # ciphertexts carried over from the stored endpoint
    to_seal: dict[str, str]  # new plaintext secrets


def _url_problem(url: str) -> str | None:
    try:
        check_saved_url(url)
    except ValueError as error:
        return str(error)
    return None


def _keepable(stored: EndpointRecord | None, kind: str, url: str) -> dict[str, str]:
    """The stored secrets this update may keep (herald.secrets_kept): none if the type or the URL's
    origin changes."""
    if stored is None:
        return {}
    old = Destination(stored.type, (stored.config.get("url", ""),))
    return keep_secrets(old, Destination(kind, (url,)), stored.sealed)


def _referenced(
    field: str, value: str, stored: EndpointRecord | None, keepable: dict[str, str], sealed_key: str, suffix: str
) -> str:
    """A `secret: <endpointID>-<field>` placeholder: this endpoint's own stored secret, and nothing else."""
    if stored is None or value != f"{SECRET_PREFIX}{stored.id}-{suffix}" or sealed_key not in stored.sealed:
        raise ValidationFailed(f"{field}: secret reference {value!r} names no stored secret of this endpoint")
    if sealed_key not in keepable:
        raise ValidationFailed(
            f"{field}: a stored secret is not kept when the endpoint's type or URL origin changes; send its value"
        )
    return keepable[sealed_key]


def _settings(body: EndpointIn, stored: EndpointRecord | None) -> _Settings:
    kind = body.type
    if kind not in TYPES:
        raise ValidationFailed(f"invalid notification endpoint type {kind or ''}".rstrip())
    if not body.name:
        raise ValidationFailed("Notification Endpoint Name can't be empty")
    status = body.status if body.status is not None else "active"
    if status not in STATUSES:
        raise ValidationFailed("invalid status")

    keep: dict[str, str] = {}
    to_seal: dict[str, str] = {}
    present: set[str] = set()
    keepable = _keepable(stored, kind, body.url or "")
    for field, (sealed_key, suffix) in SECRET_FIELDS[kind].items():
        value = getattr(body, field)
        if not value:
            continue
        if value.startswith(SECRET_PREFIX):
            keep[sealed_key] = _referenced(field, value, stored, keepable, sealed_key, suffix)
        else:
            to_seal[sealed_key] = value
        present.add(field)

    config: dict[str, str] = {}
    url = body.url or ""
    if kind == "slack":
        # As InfluxDB: a URL (incoming webhook) or a token (chat.postMessage, channel from the message)
        if not url and "token" not in present:
            raise ValidationFailed("slack endpoint URL must be provided")
        if url and (problem := _url_problem(url)):
            raise ValidationFailed(f"slack endpoint URL is invalid: {problem}")
        config["url"] = url
    elif kind == "http":
        if not url:
            raise ValidationFailed("http endpoint URL is empty")
        if problem := _url_problem(url):
            raise ValidationFailed(f"http endpoint URL is invalid: {problem}")
        if body.method not in HTTP_METHODS:
            raise ValidationFailed("invalid http http method")
        if body.authMethod not in HTTP_AUTH_METHODS:
            raise ValidationFailed("invalid http auth method")
        if body.authMethod == "basic" and not {"username", "password"} <= present:
            raise ValidationFailed("invalid http username/password for basic auth")
        if body.authMethod == "bearer" and "token" not in present:
            raise ValidationFailed("invalid http token for bearer auth")
        config.update(url=url, method=body.method, authMethod=body.authMethod)
        config["contentTemplate"] = body.contentTemplate or ""
        if body.headers:
            config["headers"] = json.dumps(body.headers, separators=(",", ":"), sort_keys=True)
    elif kind == "pagerduty":
        if "routingKey" not in present:
            raise ValidationFailed("pagerduty routing key is invalid")
        config["clientURL"] = body.clientURL or ""
    else:
        if "token" not in present:
            raise ValidationFailed("empty telegram bot token")
        if not body.channel:
            raise ValidationFailed("empty telegram channel")
        config["channel"] = body.channel

    if kind in SEALED_URL and url:
        sealed_key = SEALED_URL[kind]
        if stored is not None and stored.config.get("url", "") == url and sealed_key in stored.sealed:
            keep[sealed_key] = stored.sealed[sealed_key]
        else:
            to_seal[sealed_key] = url
    return _Settings(kind, body.name, body.description or "", status, config, keep, to_seal)


def _label_ids(values: list[Any] | None) -> list[str]:
    """POST may attach labels: ids, or label objects with an `id` (what influxdb-client sends)."""
    found = []
    for value in values or []:
        raw = value.get("id") if isinstance(value, dict) else value
        if isinstance(raw, str):
            found.append(raw)
    return found


# --- endpoints ---


def create_endpoint(org_id: str, body: EndpointIn) -> dict[str, Any]:
    _check_org(org_id, body.orgID)
    settings = _settings(body, None)
    now = clock.iso()
    record = EndpointRecord(
        org_id=org_id,
        id=ids.influx_id(),
        name=settings.name,
        description=settings.description,
        status=settings.status,
        type=settings.type,
        config=settings.config,
        sealed=secrets.seal(org_id, settings.to_seal),
        created_at=now,
        updated_at=now,
    )
    repo.create_endpoint(record)
    for label_id in _label_ids(body.labels):
        # As InfluxDB: labels that are malformed, unknown or already attached are left out, silently.
        try:
            parsed = parse_id(label_id)
            repo.add_endpoint_label(org_id, record.id, parsed)
        except (ValidationFailed, NotFound, Conflict):
            continue
        record.label_ids.append(parsed)
    return endpoint_out(record, _labels_by_id(org_id, [record]))


def get_endpoint(org_id: str, endpoint_id: str) -> dict[str, Any]:
    record = repo.get_endpoint(org_id, parse_id(endpoint_id))
    return endpoint_out(record, _labels_by_id(org_id, [record]))


def _page(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(f"{name} is invalid") from None


def list_endpoints(
    org_id: str, org_param: str | None, name_param: str | None, offset: str | None, limit: str | None
) -> NotificationEndpoints:
    start = _page(offset, "offset", 0)
    if start < 0:
        raise ValidationFailed("offset is invalid")
    size = _page(limit, "limit", DEFAULT_LIMIT)
    if not 1 <= size <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}")
    if org_param:
        _check_org(org_id, org_param)
    elif name_param:
        if name_param != org_name(org_id):
            raise NotFound(f'organization name "{name_param}" not found')
    else:
        raise ValidationFailed("Please provide either orgID or org")

    records = repo.list_endpoints(org_id)
    page = records[start : start + size]
    labels = _labels_by_id(org_id, page)

    def link(at: int) -> str:
        query = {"descending": "false", "limit": str(size), "offset": str(at)}
        query.update({"orgID": org_id} if org_param else {"org": name_param or ""})
        return f"{API}/notificationEndpoints?{urlencode(query)}"

    links = Links(
        self=link(start),
        next=link(start + size) if start + size < len(records) else None,
        prev=link(max(0, start - size)) if start > 0 else None,
    )
    return NotificationEndpoints.model_validate(
        {"notificationEndpoints": [endpoint_out(r, labels) for r in page], "links": links.model_dump()}
    )


def replace_endpoint(org_id: str, endpoint_id: str, body: EndpointIn) -> dict[str, Any]:
    stored = repo.get_endpoint(org_id, parse_id(endpoint_id))
    _check_org(org_id, body.orgID)
    settings = _settings(body, stored)
    sealed = {**settings.keep_sealed, **secrets.seal(org_id, settings.to_seal)}
    updated = stored.model_copy(
        update={
            "name": settings.name,
            "description": settings.description,
            "status": settings.status,
            "type": settings.type,
            "config": settings.config,
            "sealed": sealed,
            "updated_at": clock.iso(),
        }
    )
    repo.replace_endpoint(stored, updated)
    return endpoint_out(updated, _labels_by_id(org_id, [updated]))


def patch_endpoint(org_id: str, endpoint_id: str, body: EndpointPatch) -> dict[str, Any]:
    endpoint_id = parse_id(endpoint_id)
    sent = body.model_fields_set
    if "name" in sent and not body.name:
        raise ValidationFailed("Notification Endpoint Name can't be empty")
    if "description" in sent and not body.description:
        raise ValidationFailed("Notification Endpoint Description can't be empty")
    if "status" in sent and body.status not in STATUSES:
        raise ValidationFailed("invalid status")
    stored = repo.get_endpoint(org_id, endpoint_id)
    changes: dict[str, Any] = {"updated_at": clock.iso()}
    for field in ("name", "description", "status"):
        if field in sent:
            changes[field] = getattr(body, field)
    updated = stored.model_copy(update=changes)
    repo.replace_endpoint(stored, updated)
    return endpoint_out(updated, _labels_by_id(org_id, [updated]))


def delete_endpoint(org_id: str, endpoint_id: str) -> None:
    repo.delete_endpoint(org_id, parse_id(endpoint_id))


def endpoint_labels(org_id: str, endpoint_id: str) -> LabelsResponse:
    record = repo.get_endpoint(org_id, parse_id(endpoint_id))
    labels = _labels_by_id(org_id, [record])
    return LabelsResponse(
        labels=[label_out(labels[i]) for i in record.label_ids if i in labels], links=Links(self=f"{API}/labels")
    )


def add_endpoint_label(org_id: str, endpoint_id: str, label_id: str | None) -> LabelResponse:
    endpoint_id = parse_id(endpoint_id)
    if not label_id:
        raise ValidationFailed("label id is required")
    label_id = parse_id(label_id)
    repo.add_endpoint_label(org_id, endpoint_id, label_id)
    label = repo.get_label(org_id, label_id)
    return LabelResponse(label=label_out(label), links=Links(self=f"{API}/labels/{label.id}"))


def remove_endpoint_label(org_id: str, endpoint_id: str, label_id: str) -> None:
    repo.remove_endpoint_label(org_id, parse_id(endpoint_id), parse_id(label_id))


# --- labels ---


def _label_response(record: LabelRecord) -> LabelResponse:
    return LabelResponse(label=label_out(record), links=Links(self=f"{API}/labels/{record.id}"))


def create_label(org_id: str, body: LabelCreate) -> LabelResponse:
    if not body.orgID:
        raise ValidationFailed("orgID is required")
    _check_org(org_id, body.orgID)
    if not body.name:
        raise ValidationFailed("label name is required")
    record = LabelRecord(org_id=org_id, id=ids.influx_id(), name=body.name, properties=body.properties or {})
    repo.create_label(record)
    return _label_response(record)


def list_labels(org_id: str, org_param: str | None) -> LabelsResponse:
    if org_param:
        _check_org(org_id, org_param)
    labels = sorted(repo.list_labels(org_id), key=lambda label: label.id)
    return LabelsResponse(labels=[label_out(label) for label in labels], links=Links(self=f"{API}/labels"))


def get_label(org_id: str, label_id: str) -> LabelResponse:
    return _label_response(repo.get_label(org_id, parse_id(label_id)))


def patch_label(org_id: str, label_id: str, body: LabelPatch) -> LabelResponse:
    """`name` renames (unique per org); `properties` are merged, and a key sent with "" is removed."""
    stored = repo.get_label(org_id, parse_id(label_id))
    if "name" in body.model_fields_set and not body.name:
        raise ValidationFailed("label name is required")
    properties = dict(stored.properties)
    for key, value in (body.properties or {}).items():
        if value == "":
            properties.pop(key, None)
        else:
            properties[key] = value
    updated = stored.model_copy(update={"name": body.name or stored.name, "properties": properties})
    repo.replace_label(stored, updated)
    return _label_response(updated)


def delete_label(org_id: str, label_id: str) -> None:
    repo.delete_label(org_id, parse_id(label_id))


# --- orgs ---


def org_name(org_id: str) -> str:
    return str(repo.get_org(org_id).get("name") or org_id)


def organization(org_id: str) -> Organization:
    item = repo.get_org(org_id)
    created = str(item.get("createdAt") or clock.iso())
    base = f"{API}/orgs/{org_id}"
    return Organization(
        id=org_id,
        name=str(item.get("name") or org_id),
        description=str(item.get("description") or ""),
        status="active",
        createdAt=created,
        updatedAt=str(item.get("updatedAt") or created),
        links=OrgLinks(
            self=base,
            members=f"{base}/members",
            owners=f"{base}/owners",
            labels=f"{base}/labels",
            secrets=f"{base}/secrets",
            buckets=f"{API}/buckets?org={org_id}",
            tasks=f"{API}/tasks?org={org_id}",
            dashboards=f"{API}/dashboards?org={org_id}",
        ),
    )


def list_orgs(org_id: str, name: str | None, org_param: str | None) -> Organizations:
    """The caller's org only (a key belongs to one org); filters that name another org find nothing."""
    org = organization(org_id)
    if org_param is not None:
        _check_org(org_id, org_param)
    if name is not None and name != org.name:
        raise NotFound(f'organization name "{name}" not found')
    return Organizations(orgs=[org], links=Links(self=f"{API}/orgs"))


def get_org(org_id: str, requested: str) -> Organization:
    if parse_id(requested) != org_id:
        raise NotFound(ORG_NOT_FOUND)
    return organization(org_id)
