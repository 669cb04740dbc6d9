"""The built-in receiver: `POST /_sink/<name>` on the local API prints what arrives, with its Standard
Webhooks signature checked by the `standardwebhooks` package, so a webhook destination can be tried with
no second program. `GET /_sink/<name>` answers what arrived there (newest last), for scripts and tests.

Destinations sign with their own secret; the sink knows one: HERALD_SINK_SECRET (default below), which
the banner prints. A request signed with another secret is still accepted and printed as unverified.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from typing import Any

PREFIX = "/_sink/"
DEFAULT_SECRET = "whsec_aGVyYWxkLWxvY2FsLXNpbmstc2VjcmV0LTAxMjM0NTY="  # noqa: S105 - a documented local-only secret
MAX_KEPT = 200


def secret() -> str:
    return os.environ.get("HERALD_SINK_SECRET") or DEFAULT_SECRET


@dataclass
class Arrival:
    name: str
    method: str
    headers: dict[str, str]
    body: str
    signature: str  # "verified", "unsigned" or "invalid: <why>"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "method": self.method,
            "headers": self.headers,
            "body": self.body,
            "signature": self.signature,
        }


@dataclass
class Sink:
    arrivals: dict[str, list[Arrival]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def owns(path: str) -> bool:
        return path.startswith(PREFIX) and len(path) > len(PREFIX)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        name = path[len(PREFIX) :].strip("/")
        if method == "GET":
            with self.lock:
                kept = [arrival.as_json() for arrival in self.arrivals.get(name, [])]
            return 200, json.dumps(kept).encode()
        if method not in ("POST", "PUT"):
            return 405, b'{"message":"the sink takes POST and PUT"}'
        lowered = {key.lower(): value for key, value in headers.items()}
        arrival = Arrival(name, method, lowered, body.decode("utf-8", "replace"), verify(lowered, body))
        with self.lock:
            kept_list = self.arrivals.setdefault(name, [])
            kept_list.append(arrival)
            del kept_list[:-MAX_KEPT]
        print(describe(arrival), flush=True)
        return 204, b""


def verify(headers: dict[str, str], body: bytes) -> str:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    if "webhook-signature" not in headers:
        return "unsigned"
    try:
        Webhook(secret()).verify(body, headers, json_parse=False)
    except WebhookVerificationError as error:
        return f"invalid: {error} (signed with another secret than HERALD_SINK_SECRET?)"
    return "verified"


def describe(arrival: Arrival) -> str:
    """`[sink] orders ← POST alert.triggered "db down" (signature verified)` and the body, indented."""
    summary = ""
    try:
        data = json.loads(arrival.body)
        if isinstance(data, dict):
            kind = data.get("type") or data.get("event_type") or data.get("status") or ""
            inner: dict[str, Any] = data["data"] if isinstance(data.get("data"), dict) else data
            title = inner.get("title") or inner.get("summary") or inner.get("message") or ""
            summary = f"{kind} {json.dumps(title)}" if title else str(kind)
        pretty = json.dumps(data, indent=2)
    except ValueError:
        pretty = arrival.body
    pretty = pretty if len(pretty) <= 2000 else pretty[:2000] + "\n…"
    body = "        " + pretty.replace("\n", "\n        ")
    return f"[sink] {arrival.name} ← {arrival.method} {summary} (signature {arrival.signature})\n{body}"
