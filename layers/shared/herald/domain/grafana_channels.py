"""Grafana legacy alert notification channels: notifier validation, secure settings, CRUD and test sends.

Grafana's secure settings (Slack/Discord/Teams `url`, Slack `token`, webhook `password`, Telegram
`bottoken`, PagerDuty `integrationKey`) are taken out of `settings` as well as `secureSettings`, sealed
with KMS under the channel adapter's secret names, and shown only as `secureFields` — never echoed back.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter

from herald import ids, secrets
from herald.channels.base import Outcome, Target
from herald.channels.registry import ADAPTERS
from herald.channels.render import Notification
from herald.data import grafana_channels as repo
from herald.data.grafana_channels import ChannelRecord, RetryableConflict
from herald.errors import HeraldError, ValidationFailed
from herald.models.common import Email
from herald.models.grafana import AlertNotification, AlertNotificationLookup, ChannelIn, NotificationTestIn
from herald.netguard import check_saved_url
from herald.observability import logger
from herald.templates import apply as templates

GET_NOT_FOUND = "Alert notification not found"
WRITE_NOT_FOUND = "alert notification not found"
SEND_FAILED = "Failed to send alert notifications"
MAX_UID_LENGTH = 40
MIN_FREQUENCY_SECONDS = 60
WRITE_ATTEMPTS = 25  # optimistic writes: a lost race on the counter or a version reads again

# Grafana secure setting → the adapter's secret name (also the KMS encryption context's field).
SECRET_NAMES: dict[str, dict[str, str]] = {
    "email": {},
    "slack": {"url": "webhookUrl", "token": "token"},
    "webhook": {"password": "password"},
    "discord": {"url": "webhookUrl"},
    "teams": {"url": "url"},
    "telegram": {"bottoken": "token"},
    "pagerduty": {"integrationKey": "routingKey"},
}
_SLACK_RECIPIENT = re.compile(r"^((@[a-z0-9][a-zA-Z0-9._-]*)|(#[^ .A-Z]{1,79})|([a-zA-Z0-9]+))$")
_EMAIL_SPLIT = re.compile(r"[;,\n]")
PAGERDUTY_SEVERITIES = frozenset({"critical", "error", "warning", "info"})
MAX_URL_LENGTH = 2048
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


def invalid(reason: str) -> ValidationFailed:
    return ValidationFailed(f"alert validation error: {reason}")


def _text(settings: dict[str, Any], key: str) -> str:
    value = settings.get(key)
    return value.strip() if isinstance(value, str) else ""


def _check_url(value: str) -> str:
    if len(value) > MAX_URL_LENGTH:
        raise invalid("Invalid url property in settings: longer than 2048 characters")
    try:
        check_saved_url(value)
    except ValueError as error:  # TargetRefused is a ValueError too
        raise invalid(f"Invalid url property in settings: {error}") from None
    return value


def split_addresses(value: str) -> list[str]:
    return [part.strip() for part in _EMAIL_SPLIT.split(value) if part.strip()]


@dataclass(frozen=True)
class Prepared:
    """A validated channel: what to store and what the adapter gets."""

    type: str
    settings: dict[str, Any]
    secure_keys: list[str]  # Grafana secure keys the channel has (new or kept)
    config: dict[str, str]  # adapter config (plain)
    new_secrets: dict[str, str] = field(default_factory=dict)  # adapter secret name → plaintext


def adapter_config(kind: str, settings: dict[str, Any]) -> dict[str, str]:
    """The adapter's plain config, from a channel's (validated) plain settings."""
    if kind == "email":
        return {"addresses": ",".join(split_addresses(_text(settings, "addresses")))}
    if kind == "slack":
        config = {"channel": _text(settings, "recipient"), "username": _text(settings, "username")}
    elif kind == "webhook":
        config = {
            "httpMethod": _text(settings, "httpMethod").upper() or "POST",
            "username": _text(settings, "username"),
        }
    elif kind == "telegram":
        config = {"chatId": _text(settings, "chatid")}
    elif kind == "pagerduty":
        config = {"severity": _text(settings, "severity")}
    else:
        config = {}
    return {k: v for k, v in config.items() if v}


def _validate(kind: str, settings: dict[str, Any], secure: dict[str, str], available: set[str]) -> dict[str, str]:
    """Grafana's checks per notifier; returns the adapter secrets derived from plain settings."""
    derived: dict[str, str] = {}
    if kind == "email":
        addresses = split_addresses(_text(settings, "addresses"))
        if not addresses:
            raise invalid("Could not find addresses in settings")
        for address in addresses:
            try:
                _EMAIL.validate_python(address)
            except ValueError:
                raise invalid(f"Invalid email address: {address}") from None
    elif kind == "slack":
        if "url" not in available:
            raise invalid("Could not find url property in settings")
        recipient = _text(settings, "recipient")
        if recipient and not _SLACK_RECIPIENT.match(recipient):
            raise invalid(f'recipient on invalid format: "{recipient}"')
    elif kind == "webhook":
        url = _text(settings, "url")
        if not url:
            raise invalid("Could not find url property in settings")
        derived["url"] = _check_url(url)
        method = _text(settings, "httpMethod").upper() or "POST"
        if method not in ("POST", "PUT"):
            raise invalid(f"Invalid httpMethod {method}: must be POST or PUT")
        if "password" in available and not _text(settings, "username"):
            raise invalid("Could not find username property in settings (required with a password)")
    elif kind == "discord":
        if "url" not in available:
            raise invalid("Could not find webhook url property in settings")
    elif kind == "teams":
        if "url" not in available:
            raise invalid("Could not find url property in settings")
    elif kind == "telegram":
        if "bottoken" not in available:
            raise invalid("Could not find Bot Token in settings")
        if not _text(settings, "chatid"):
            raise invalid("Could not find Chat Id in settings")
    elif kind == "pagerduty":
        if "integrationKey" not in available:
            raise invalid("Could not find integration key property in settings")
        severity = _text(settings, "severity")
        if severity and severity not in PAGERDUTY_SEVERITIES:
            raise invalid(f"Invalid severity {severity}: must be critical, error, warning or info")
    if "url" in secure and kind in ("slack", "discord", "teams"):
        _check_url(secure["url"])
    return derived


def prepare(
    kind: str, settings: dict[str, Any] | None, secure_settings: dict[str, str] | None, stored: set[str]
) -> Prepared:
    """Validates a channel; `stored` are the Grafana secure keys kept from the stored channel."""
    if kind not in SECRET_NAMES:
        raise invalid("Unsupported notification type")
    names = SECRET_NAMES[kind]
    plain = dict(settings or {})
    secure = {k: v for k, v in (secure_settings or {}).items() if k in names and v != ""}
    for key in names:
        if key in plain:
            value = plain.pop(key)
            if key not in secure and isinstance(value, str) and value.strip():
                secure[key] = value.strip()
    available = set(secure) | (stored & set(names))
    derived = _validate(kind, plain, secure, available)
    new_secrets = {names[k]: v for k, v in secure.items()}
    new_secrets.update(derived)
    return Prepared(
        type=kind,
        settings=plain,
        secure_keys=sorted(available),
        config=adapter_config(kind, plain),
        new_secrets=new_secrets,
    )


# --- frequency: Go durations ("15m", "1h30m", "90s"), shown as Grafana shows them -------------------------

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> float:
    value = text.strip()
    if value in ("0", "+0", "-0"):
        return 0.0
    sign = -1.0 if value.startswith("-") else 1.0
    rest = value.lstrip("+-") if value[:1] in "+-" else value
    if rest != value and len(value) - len(rest) > 1:
        raise ValueError(text)
    total, position = 0.0, 0
    if not rest:
        raise ValueError(text)
    while position < len(rest):
        match = _PART.match(rest, position)
        if not match or match.group(1) in ("", "."):
            raise ValueError(text)
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    return sign * total


def format_duration(seconds: int) -> str:
    if seconds <= 0:
        return ""
    hours, remainder = divmod(seconds, 3600)
    minutes, secs = divmod(remainder, 60)
    return "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)


def reminder_seconds(send_reminder: bool, frequency: str | None) -> int:
    if not send_reminder:
        return 0
    if not frequency:
        raise ValidationFailed("Notification frequency not specified")
    try:
        seconds = parse_duration(frequency)
    except ValueError:
        raise ValidationFailed(f'time: invalid duration "{frequency}"') from None
    if seconds < MIN_FREQUENCY_SECONDS:
        raise ValidationFailed("Notification frequency must be at least 1m")
    return int(seconds)


# --- API shapes -------------------------------------------------------------------------------------------


def now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def to_api(record: ChannelRecord) -> AlertNotification:
    return AlertNotification(
        id=record.id,
        uid=record.uid,
        name=record.name,
        type=record.type,
        isDefault=record.is_default,
        sendReminder=record.send_reminder,
        disableResolveMessage=record.disable_resolve_message,
        frequency=format_duration(record.frequency_seconds),
        created=record.created,
        updated=record.updated,
        settings=record.settings,
        secureFields={key: True for key in record.secure_keys},
    )


def to_lookup(record: ChannelRecord) -> AlertNotificationLookup:
    return AlertNotificationLookup(
        id=record.id, uid=record.uid, name=record.name, type=record.type, isDefault=record.is_default
    )


def check_uid(uid: str) -> None:
    if len(uid) > MAX_UID_LENGTH:
        raise invalid("Invalid UID: Must be 40 characters or less")
    if "/" in uid or any(ch.isspace() or not ch.isprintable() for ch in uid):
        raise invalid("Invalid UID: Must not contain '/' or white space")


def parse_id(raw: str) -> int:
    if not re.fullmatch(r"-?\d{1,18}", raw):
        raise ValidationFailed("notificationId is invalid")
    return int(raw)


# --- CRUD -------------------------------------------------------------------------------------------------


def list_channels(org_id: str) -> list[AlertNotification]:
    return [to_api(record) for record in repo.list_for_org(org_id)]


def lookup_channels(org_id: str) -> list[AlertNotificationLookup]:
    return [to_lookup(record) for record in repo.list_for_org(org_id)]


def get_by_id(org_id: str, channel_id: int) -> AlertNotification:
    return to_api(repo.get(org_id, channel_id, GET_NOT_FOUND))


def get_by_uid(org_id: str, uid: str) -> AlertNotification:
    return to_api(repo.get_by_uid(org_id, uid, GET_NOT_FOUND))


def _back_off(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.005 * (attempt + 1)))


def create_channel(org_id: str, body: ChannelIn) -> AlertNotification:
    if body.uid:
        check_uid(body.uid)
    prepared = prepare(body.type, body.settings, body.secureSettings, set())
    frequency = reminder_seconds(body.sendReminder, body.frequency)
    sealed = secrets.seal(org_id, prepared.new_secrets)
    for _attempt in range(WRITE_ATTEMPTS):
        now = now_rfc3339()
        record = ChannelRecord(
            org_id=org_id,
            id=repo.last_id(org_id) + 1,
            uid=body.uid or ids.random_alnum(14),
            name=body.name,
            type=body.type,
            is_default=body.isDefault,
            send_reminder=body.sendReminder,
            frequency_seconds=frequency,
            disable_resolve_message=body.disableResolveMessage,
            settings=prepared.settings,
            secure_keys=prepared.secure_keys,
            sealed=sealed,
            created=now,
            updated=now,
        )
        try:
            repo.create(record)
            return to_api(record)
        except RetryableConflict:
            _back_off(_attempt)
    raise HeraldError("Failed to create alert notification")


def _update(org_id: str, load: Callable[[], ChannelRecord], body: ChannelIn, new_uid: str | None) -> AlertNotification:
    if new_uid:
        check_uid(new_uid)
    for _attempt in range(WRITE_ATTEMPTS):
        current = load()
        same_type = current.type == body.type
        stored = set(current.secure_keys) if same_type else set()
        prepared = prepare(body.type, body.settings, body.secureSettings, stored)
        frequency = reminder_seconds(True, body.frequency) if body.sendReminder else current.frequency_seconds
        names = SECRET_NAMES[body.type]
        kept = {
            names[key]: current.sealed[names[key]]
            for key in prepared.secure_keys
            if key in stored and names[key] in current.sealed and names[key] not in prepared.new_secrets
        }
        updated = current.model_copy(
            update={
                "uid": new_uid or current.uid,
                "name": body.name,
                "type": body.type,
                "is_default": body.isDefault,
                "send_reminder": body.sendReminder,
                "frequency_seconds": frequency,
                "disable_resolve_message": body.disableResolveMessage,
                "settings": prepared.settings,
                "secure_keys": prepared.secure_keys,
                "sealed": {**kept, **secrets.seal(org_id, prepared.new_secrets)},
                "updated": now_rfc3339(),
            }
        )
        try:
            repo.replace(current, updated)
            return to_api(updated)
        except RetryableConflict:
            _back_off(_attempt)
    raise HeraldError("Failed to update alert notification")


def update_by_id(org_id: str, channel_id: int, body: ChannelIn) -> AlertNotification:
    return _update(org_id, lambda: repo.get(org_id, channel_id, WRITE_NOT_FOUND), body, body.uid)


def update_by_uid(org_id: str, uid: str, body: ChannelIn) -> AlertNotification:
    return _update(org_id, lambda: repo.get_by_uid(org_id, uid, WRITE_NOT_FOUND), body, body.uid)


def _delete(load: Callable[[], ChannelRecord]) -> int:
    for _attempt in range(WRITE_ATTEMPTS):
        record = load()
        try:
            repo.delete(record)
            return record.id
        except RetryableConflict:
            _back_off(_attempt)
    raise HeraldError("Failed to delete alert notification")


def delete_by_id(org_id: str, channel_id: int) -> int:
    return _delete(lambda: repo.get(org_id, channel_id, WRITE_NOT_FOUND))


def delete_by_uid(org_id: str, uid: str) -> int:
    return _delete(lambda: repo.get_by_uid(org_id, uid, WRITE_NOT_FOUND))


# --- test send --------------------------------------------------------------------------------------------


def test_notification() -> Notification:
    return Notification(
        event_id="test",
        status="triggered",
        severity="info",
        title="Test notification",
        message="Someone is testing the alert notification within Herald.",
        created_at=now_rfc3339(),
        labels={"source": "herald-test"},
    )


def send_test(org_id: str, body: NotificationTestIn) -> None:
    """One real send through the channel adapter, with the values of the request (nothing is decrypted)."""
    prepared = prepare(body.type, body.settings, body.secureSettings, set())
    adapter = ADAPTERS.get(body.type)
    if adapter is None:
        outcome = Outcome.failed(f"no adapter for {body.type}")
    else:
        target = Target(f"test_{ids.random_alnum(20)}", prepared.config, prepared.new_secrets)
        try:
            worded = templates.customize(test_notification(), org_id, body.type, "grafana", "test", body.name or "")
            outcome = adapter(worded, target)
        except Exception as error:
            logger.exception("test send raised", extra={"type": body.type})
            outcome = Outcome.failed(f"{type(error).__name__}: {error}")
    if outcome.result != "delivered":
        logger.warning(
            "test notification failed", extra={"org_id": org_id, "type": body.type, "detail": outcome.detail}
        )
        raise HeraldError(SEND_FAILED)
