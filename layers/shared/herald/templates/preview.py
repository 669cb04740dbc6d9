"""The exact provider request a delivery would make, made by the kind's real adapter and taken before it
leaves: HTTP kinds at herald.outbound, SES/SNS/voice at botocore's `before-send`. Nothing is sent.

Secrets are masked as the APIs mask them: a secret URL keeps its scheme and host, every other secret
value, and every Authorization header, becomes `***`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from herald import outbound
from herald.aws import client
from herald.senders.base import Target
from herald.senders.registry import ADAPTERS
from herald.senders.render import Notification

MASK = "***"
PREVIEW_DELIVERY_ID = "msg_preview"
AWS_SERVICES = {"email": "ses", "sms": "sns", "voice": "pinpoint-sms-voice-v2"}
MASKED_HEADERS = frozenset({"authorization", "x-amz-security-token"})

# What a kind's destination looks like when the preview names none (placeholder addresses).
SAMPLE_TARGETS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "slack": ({}, {"webhookUrl": "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX"}),
    "discord": ({}, {"webhookUrl": "https://discord.com/api/webhooks/0000/XXXXXXXX"}),
    "teams": ({}, {"url": "https://example.webhook.office.com/webhookb2/XXXXXXXX"}),
    "telegram": ({"chatId": "-1001234567890"}, {"token": "123456:XXXXXXXX"}),
    "pagerduty": ({}, {"routingKey": "R0000000000000000000000000000000"}),
    "webhook": ({}, {"url": "https://example.com/herald-webhook", "secret": "whsec_c2FtcGxlLXByZXZpZXctc2VjcmV0"}),
    "http": ({"method": "POST"}, {"url": "https://example.com/herald-http"}),
    "email": ({"email": "ops@example.com"}, {}),
    "sms": ({"phoneNumber": "+15555550100"}, {}),
    "voice": ({"phoneNumber": "+15555550100"}, {}),
}


@dataclass(frozen=True)
class TakenRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: str | None


class _Taken(Exception):
    """Stops the adapter once its request is taken: nothing reaches the network."""

    def __init__(self, request: TakenRequest) -> None:
        super().__init__("taken for preview")
        self.request = request


_previewing: ContextVar[bool] = ContextVar("herald_previewing", default=False)


def _take(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> None:
    text = body.decode("utf-8", errors="replace") if body is not None else None
    raise _Taken(TakenRequest(method, url, dict(headers), text))


def _take_aws(request: Any, **_kwargs: Any) -> None:
    if not _previewing.get():
        return
    body = request.body
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else (str(body) if body else None)
    headers = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in request.headers.items()}
    raise _Taken(TakenRequest(request.method, request.url, headers, text))


def _hook(service: str) -> None:
    """Idempotent (one unique id), and redone each time: a rebuilt client must get the hook too."""
    client(service).meta.events.register_first("before-send", _take_aws, unique_id="herald-template-preview")


@contextmanager
def _intercepting(kind: str) -> Iterator[None]:
    if kind in AWS_SERVICES:
        _hook(AWS_SERVICES[kind])
    token, flag = outbound.intercept.set(_take), _previewing.set(True)
    try:
        yield
    finally:
        outbound.intercept.reset(token)
        _previewing.reset(flag)


def take_request(kind: str, notification: Notification, target: Target) -> TakenRequest:
    adapter = ADAPTERS[kind]
    with _intercepting(kind):
        try:
            outcome = adapter(notification, target)
        except _Taken as taken:
            return mask(taken.request, target.secrets)
    # The adapter refused before sending (a config it cannot use): say why, as a delivery would.
    raise ValueError(outcome.detail or "the destination's settings cannot produce a request")


def _masked_url(value: str) -> str:
    parts = urlsplit(value)
    return f"{parts.scheme}://{parts.netloc}/{MASK}" if parts.scheme and parts.netloc else MASK


def mask(request: TakenRequest, secrets: dict[str, str]) -> TakenRequest:
    replacements = sorted(
        ((value, _masked_url(value) if "://" in value else MASK) for value in secrets.values() if len(value) >= 4),
        key=lambda pair: -len(pair[0]),
    )

    def hide(text: str) -> str:
        for value, masked in replacements:
            text = text.replace(value, masked)
        return text

    headers = {name: MASK if name.lower() in MASKED_HEADERS else hide(value) for name, value in request.headers.items()}
    url = hide(request.url)
    return TakenRequest(request.method, url, headers, hide(request.body) if request.body is not None else None)
