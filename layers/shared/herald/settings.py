"""Environment, parsed once per container into a typed model; a bad value fails loudly at cold start."""

from __future__ import annotations

import functools
import os

from pydantic import BaseModel, Field

# One queue per delivery kind; the env var QUEUE_URL_<KIND> names it.
DELIVERY_KINDS: tuple[str, ...] = (
    "webhook",
    "email",
    "slack",
    "discord",
    "teams",
    "telegram",
    "pagerduty",
    "http",
    "sms",
    "voice",
)


class Settings(BaseModel):
    table_name: str = Field(min_length=1)
    kms_key_id: str = ""
    queue_urls: dict[str, str] = Field(default_factory=dict)
    allow_private_targets: bool = False
    email_from: str = "herald@example.com"
    max_attempts: int = Field(default=5, ge=1, le=50)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_cap_seconds: float = Field(default=900.0, gt=0)
    http_timeout_seconds: float = Field(default=10.0, gt=0)
    key_cache_seconds: float = Field(default=5.0, ge=0, le=5)
    rate_limit_per_second: float = Field(default=20.0, gt=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    event_retention_days: int = Field(default=30, ge=1)
    telegram_api_url: str = "https://api.telegram.org"
    pagerduty_events_url: str = "https://events.pagerduty.com/v2/enqueue"
    voice_origination: str = ""
    breaker_threshold: int = Field(default=5, ge=1)
    breaker_cooloff_seconds: float = Field(default=60.0, gt=0)
    replay_window_minutes: int = Field(default=60, ge=1)

    def queue_url(self, kind: str) -> str:
        try:
            return self.queue_urls[kind]
        except KeyError:
            raise RuntimeError(f"no queue configured for delivery kind {kind!r}") from None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def from_environ(env: dict[str, str] | os._Environ[str] = os.environ) -> Settings:
    raw: dict[str, object] = {
        "table_name": env.get("TABLE_NAME", ""),
        "kms_key_id": env.get("HERALD_KMS_KEY_ID", ""),
        "queue_urls": {
            kind: env[f"QUEUE_URL_{kind.upper()}"] for kind in DELIVERY_KINDS if env.get(f"QUEUE_URL_{kind.upper()}")
        },
        "allow_private_targets": _flag(env.get("HERALD_ALLOW_PRIVATE_TARGETS")),
    }
    optional = {
        "email_from": "HERALD_EMAIL_FROM",
        "max_attempts": "HERALD_MAX_ATTEMPTS",
        "retry_base_seconds": "HERALD_RETRY_BASE_SECONDS",
        "retry_cap_seconds": "HERALD_RETRY_CAP_SECONDS",
        "http_timeout_seconds": "HERALD_HTTP_TIMEOUT_SECONDS",
        "key_cache_seconds": "HERALD_KEY_CACHE_SECONDS",
        "rate_limit_per_second": "HERALD_RATE_LIMIT_PER_SECOND",
        "rate_limit_burst": "HERALD_RATE_LIMIT_BURST",
        "event_retention_days": "HERALD_EVENT_RETENTION_DAYS",
        "telegram_api_url": "HERALD_TELEGRAM_API_URL",
        "pagerduty_events_url": "HERALD_PAGERDUTY_EVENTS_URL",
        "voice_origination": "HERALD_VOICE_ORIGINATION",
        "breaker_threshold": "HERALD_BREAKER_THRESHOLD",
        "breaker_cooloff_seconds": "HERALD_BREAKER_COOLOFF_SECONDS",
        "replay_window_minutes": "HERALD_REPLAY_WINDOW_MINUTES",
    }
    for field, var in optional.items():
        if env.get(var):
            raw[field] = env[var]
    return Settings.model_validate(raw)


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return from_environ()
