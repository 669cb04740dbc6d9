"""What a format builds: one HTTP request, or a deliberate reason to send nothing."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes | None
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"


@dataclass(frozen=True)
class Skip:
    """The destination's settings say this notification is not sent (e.g. autoResolve off on a recovery)."""

    reason: str


def json_request(url: str, payload: object, headers: dict[str, str] | None = None, method: str = "POST") -> Request:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Request(url, body, {"Content-Type": "application/json", **(headers or {})}, method)


def form_request(url: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Request:
    body = urlencode(fields).encode()
    return Request(url, body, {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


def multipart_request(url: str, fields: dict[str, str]) -> Request:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return Request(url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def basic_auth(username: str, password: str) -> dict[str, str]:
    """Grafana's webhook sender adds basic auth only when both the user and the password are set."""
    if not username or not password:
        return {}
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}
