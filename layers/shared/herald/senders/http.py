"""InfluxDB's `http` notification endpoint: method POST|GET|PUT, authMethod none|basic|bearer, extra
headers, and an optional contentTemplate.

Without a template the body is Herald's webhook JSON (see webhook.payload). With one, the body is the
template with `{{ .field }}` placeholders replaced by the notification's values as they are, and
`{{ .field | json }}` by the value as a JSON string literal (quoted and escaped: use it inside JSON
templates). Fields: see Notification.template_fields (`eventId`, `status`, `severity`, `title`,
`headline`, `summary`, `message`, `monitorId`, `service`, `url`, `dedupKey`, `createdAt`, `text`,
`labels.<name>`). A missing label is empty; any other unknown name fails the delivery (a config error).
GET sends no body. Answers: 2xx delivered; 408, 429, 5xx retried (with `Retry-After`); other 4xx failed.
"""

from __future__ import annotations

import base64
import json
import re

from herald.senders.base import Outcome, Target, classify, delivery_headers, encode_json, post
from herald.senders.render import Notification
from herald.senders.webhook import payload as webhook_payload

METHODS = ("POST", "GET", "PUT")
AUTH_METHODS = ("none", "basic", "bearer")
# Headers the transport owns; a destination cannot set them.
RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
PLACEHOLDER = re.compile(r"\{\{\s*\.([^\s|{}]+)\s*(?:\|\s*(json)\s*)?\}\}")


_BLANK = Notification(id="", status="", severity="", title="", created_at="")


class ConfigError(ValueError):
    """The destination's settings cannot produce a request: failed at once, never retried."""


def unknown_fields(template: str, notification: Notification | None = None) -> list[str]:
    """Placeholders a template names that no notification has (also for validation when it is saved)."""
    known = set((notification or _BLANK).template_fields())
    names = {m.group(1) for m in PLACEHOLDER.finditer(template)}
    return sorted(n for n in names if n not in known and not n.startswith("labels."))


def render_template(template: str, notification: Notification) -> str:
    unknown = unknown_fields(template, notification)
    if unknown:
        raise ConfigError(f"contentTemplate names unknown fields: {', '.join(unknown)}")
    fields = notification.template_fields()

    def substitute(match: re.Match[str]) -> str:
        value = fields.get(match.group(1), "")
        return json.dumps(value, ensure_ascii=False) if match.group(2) else value

    return PLACEHOLDER.sub(substitute, template)


def extra_headers(raw: str | None) -> dict[str, str]:
    if not raw or not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise ConfigError("headers must be a JSON object of strings") from None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise ConfigError("headers must be a JSON object of strings")
    headers: dict[str, str] = {}
    for name, value in parsed.items():
        if any(c in name + value for c in "\r\n") or not name.strip():
            raise ConfigError(f"invalid header {name!r}")
        if name.lower() not in RESERVED_HEADERS:
            headers[name] = value
    return headers


def auth_header(config: dict[str, str], secrets: dict[str, str]) -> dict[str, str]:
    method = (config.get("authMethod") or "none").lower()
    if method not in AUTH_METHODS:
        raise ConfigError("invalid http auth method")
    if method == "basic":
        username, password = secrets.get("username", ""), secrets.get("password", "")
        if not username or not password:
            raise ConfigError("invalid http username/password for basic auth")
        return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}
    if method == "bearer":
        token = secrets.get("token", "")
        if not token:
            raise ConfigError("invalid http token for bearer auth")
        return {"Authorization": f"Bearer {token}"}
    return {}


def build(notification: Notification, target: Target) -> tuple[str, bytes | None, dict[str, str]]:
    """(method, body, headers) for one send; raises ConfigError for settings that cannot work."""
    method = (target.config.get("method") or "POST").upper()
    if method not in METHODS:
        raise ConfigError("invalid http method")
    headers: dict[str, str] = {}
    body: bytes | None = None
    if method != "GET":
        template = target.config.get("contentTemplate") or ""
        if notification.custom and notification.custom.body:  # a Herald template's JSON body
            body = notification.custom.body.encode()
            headers["Content-Type"] = "application/json"
        elif template.strip():
            text = render_template(template, notification)
            body = text.encode()
            try:
                json.loads(text)
                headers["Content-Type"] = "application/json"
            except ValueError:
                headers["Content-Type"] = "text/plain; charset=utf-8"
        else:
            body = encode_json(webhook_payload(notification, target.config))
            headers["Content-Type"] = "application/json"
    user = extra_headers(target.config.get("headers"))
    lowered = {k.lower() for k in user}
    headers = {k: v for k, v in headers.items() if k.lower() not in lowered}
    auth = auth_header(target.config, target.secrets)
    if auth:
        user = {k: v for k, v in user.items() if k.lower() != "authorization"}
    return method, body, {**delivery_headers(target), **headers, **user, **auth}


def send(notification: Notification, target: Target) -> Outcome:
    url = target.secrets.get("url", "")
    if not url:
        return Outcome.failed("http endpoint URL is empty")
    try:
        method, body, headers = build(notification, target)
    except ConfigError as error:
        return Outcome.failed(str(error))
    result = post(url, body, headers, method)
    return result if isinstance(result, Outcome) else classify(result)
