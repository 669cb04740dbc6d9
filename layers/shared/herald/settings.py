"""Environment, parsed once per container into a typed model; a bad value fails loudly at cold start."""

from __future__ import annotations

import functools
import os
from typing import Any

from pydantic import BaseModel, Field

# One queue per delivery kind (herald.delivery.contract declares the kinds): QUEUE_URL_<KIND> names it.
QUEUE_PREFIX = "QUEUE_URL_"
# Sender threads per delivery batch (HERALD_DELIVERY_CONCURRENCY) at most; AWS clients keep as many connections.
MAX_DELIVERY_CONCURRENCY = 100


def __getattr__(name: str) -> Any:
    if name == "DELIVERY_KINDS":  # kept for callers of the old table; the contract is its one home
        from herald.delivery.contract import KINDS

        return KINDS
    raise AttributeError(name)


class Settings(BaseModel):
    table_name: str = Field(min_length=1)
    kms_key_id: str = ""
    queue_urls: dict[str, str] = Field(default_factory=dict)
    allow_private_targets: bool = False
    email_from: str = "herald@example.com"
    max_attempts: int = Field(default=5, ge=1, le=50)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_cap_seconds: float = Field(default=900.0, gt=0)
    retry_horizon_seconds: float = Field(default=86400.0, gt=0)
    max_receives: int = Field(default=100, ge=2, le=1000)
    http_timeout_seconds: float = Field(default=10.0, gt=0)
    send_deadline_seconds: float = Field(default=15.0, gt=0, le=600)
    sweep_after_seconds: float = Field(default=900.0, gt=0)
    key_cache_seconds: float = Field(default=5.0, ge=0, le=5)
    rate_limit_per_second: float = Field(default=20.0, gt=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    event_retention_days: int = Field(default=30, ge=1)
    telegram_api_url: str = "https://api.telegram.org"
    pagerduty_events_url: str = "https://events.pagerduty.com/v2/enqueue"
    slack_api_url: str = "https://slack.com/api"
    voice_origination: str = ""
    breaker_threshold: int = Field(default=5, ge=1)
    breaker_probe_seconds: float = Field(default=5.0, gt=0)
    breaker_cooloff_seconds: float = Field(default=60.0, gt=0)
    delivery_concurrency: int = Field(default=10, ge=1, le=MAX_DELIVERY_CONCURRENCY)

    def queue_url(self, kind: str) -> str:
        try:
            return self.queue_urls[kind]
        except KeyError:
            raise RuntimeError(f"no queue configured for delivery kind {kind!r}") from None


def _by_kind(env: dict[str, str] | os._Environ[str], prefix: str) -> dict[str, str]:
    return {name[len(prefix) :].lower(): url for name, url in env.items() if name.startswith(prefix) and url}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def from_environ(env: dict[str, str] | os._Environ[str] = os.environ) -> Settings:
    raw: dict[str, object] = {
        "table_name": env.get("TABLE_NAME", ""),
        "kms_key_id": env.get("HERALD_KMS_KEY_ID", ""),
        "queue_urls": _by_kind(env, QUEUE_PREFIX),
        "allow_private_targets": _flag(env.get("HERALD_ALLOW_PRIVATE_TARGETS")),
    }
    optional = {
        "email_from": "HERALD_EMAIL_FROM",
        "max_attempts": "HERALD_MAX_ATTEMPTS",
        "retry_base_seconds": "HERALD_RETRY_BASE_SECONDS",
        "retry_cap_seconds": "HERALD_RETRY_CAP_SECONDS",
        "retry_horizon_seconds": "HERALD_RETRY_HORIZON_SECONDS",
        "max_receives": "HERALD_MAX_RECEIVES",
        "http_timeout_seconds": "HERALD_HTTP_TIMEOUT_SECONDS",
        "send_deadline_seconds": "HERALD_SEND_DEADLINE_SECONDS",
        "sweep_after_seconds": "HERALD_SWEEP_AFTER_SECONDS",
        "key_cache_seconds": "HERALD_KEY_CACHE_SECONDS",
        "rate_limit_per_second": "HERALD_RATE_LIMIT_PER_SECOND",
        "rate_limit_burst": "HERALD_RATE_LIMIT_BURST",
        "event_retention_days": "HERALD_EVENT_RETENTION_DAYS",
        "telegram_api_url": "HERALD_TELEGRAM_API_URL",
        "pagerduty_events_url": "HERALD_PAGERDUTY_EVENTS_URL",
        "slack_api_url": "HERALD_SLACK_API_URL",
        "voice_origination": "HERALD_VOICE_ORIGINATION",
        "breaker_threshold": "HERALD_BREAKER_THRESHOLD",
        "breaker_probe_seconds": "HERALD_BREAKER_PROBE_SECONDS",
        "breaker_cooloff_seconds": "HERALD_BREAKER_COOLOFF_SECONDS",
        "delivery_concurrency": "HERALD_DELIVERY_CONCURRENCY",
    }
    for field, var in optional.items():
        if env.get(var):
            raw[field] = env[var]
    return Settings.model_validate(raw)


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return from_environ()
