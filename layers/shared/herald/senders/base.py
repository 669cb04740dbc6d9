"""What a send can come to, and how a provider's HTTP answer maps onto it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal, Protocol

from herald import clock
from herald.netguard import TargetRefused
from herald.outbound import HttpResult, TransportError, request
from herald.senders.render import Notification

RETRYABLE_STATUSES = frozenset({408, 429})
# Standard Webhooks' message id: the same on every attempt of one delivery, so a receiver can drop a repeat.
DELIVERY_ID_HEADER = "webhook-id"


@dataclass(frozen=True)
class Outcome:
    result: Literal["delivered", "retry", "failed"]
    detail: str = ""
    retry_after: float | None = None

    @classmethod
    def delivered(cls, detail: str = "") -> Outcome:
        return cls("delivered", detail)

    @classmethod
    def retry(cls, detail: str, retry_after: float | None = None) -> Outcome:
        return cls("retry", detail, retry_after)

    @classmethod
    def failed(cls, detail: str) -> Outcome:
        return cls("failed", detail)


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: the destination's plain settings and its decrypted secrets."""

    delivery_id: str
    config: dict[str, str]
    secrets: dict[str, str]


def delivery_headers(target: Target) -> dict[str, str]:
    """Sent by every HTTP kind: the stable per-delivery id (providers that ignore it lose nothing)."""
    return {DELIVERY_ID_HEADER: target.delivery_id}


class Adapter(Protocol):
    def __call__(self, notification: Notification, target: Target) -> Outcome: ...


def retry_after_header(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - clock.epoch())


def classify(result: HttpResult, ok: frozenset[int] = frozenset(range(200, 300))) -> Outcome:
    if result.status in ok:
        return Outcome.delivered(f"HTTP {result.status}")
    detail = f"HTTP {result.status}: {result.text[:300]}".strip()
    if result.status >= 500 or result.status in RETRYABLE_STATUSES:
        return Outcome.retry(detail, retry_after_header(result.headers.get("retry-after")))
    return Outcome.failed(detail)


def body_retry_after(result: HttpResult, *path: str) -> float | None:
    """Providers that put the wait in the JSON body (Discord `retry_after`, Telegram `parameters.retry_after`)."""
    try:
        value: object = json.loads(result.body)
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return float(value) if isinstance(value, int | float) else None
    except ValueError:
        return None


def encode_json(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def post(url: str, body: bytes | None, headers: dict[str, str], method: str = "POST") -> HttpResult | Outcome:
    """Sends one request; transport errors and refused targets come back as an Outcome, not raised."""
    try:
        return request(method, url, body, headers)
    except TargetRefused as error:
        return Outcome.failed(f"target refused: {error}")
    except TransportError as error:
        return Outcome.retry(str(error))


def send_json(
    url: str, payload: object, headers: dict[str, str] | None = None, method: str = "POST"
) -> HttpResult | Outcome:
    return post(url, encode_json(payload), {"Content-Type": "application/json", **(headers or {})}, method)
