"""Grafana legacy alert notification channels: notifier validation, secure settings, CRUD and test sends.

Secret-capable settings (herald.families.grafana.notifiers: URLs, tokens, passwords, keys) are sealed with
KMS under the channel adapter's secret names wherever they arrive. As in Grafana, what arrives under
`secureSettings` is write-only and shown in `secureFields` (kept when an update does not send it again);
what arrives in `settings` is returned in `settings`.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from herald import ids, secrets
from herald.data.concurrency import optimistic
from herald.errors import HeraldError, ValidationFailed
from herald.families.grafana import store as repo
from herald.families.grafana.notifiers import NOTIFIERS, adapter_config, invalid, notifier, validate
from herald.families.grafana.store import ChannelRecord
from herald.families.grafana.wire import AlertNotification, AlertNotificationLookup, ChannelIn, NotificationTestIn
from herald.observability import logger
from herald.secrets_kept import Destination, keep_secrets
from herald.senders.base import Outcome, Target
from herald.senders.registry import ADAPTERS
from herald.senders.render import Notification
from herald.templates import apply as templates

GET_NOT_FOUND = "Alert notification not found"
WRITE_NOT_FOUND = "alert notification not found"
SEND_FAILED = "Failed to send alert notifications"
MAX_UID_LENGTH = 40
WRITE_ATTEMPTS = 25  # optimistic writes: a lost race on the counter or a version reads again


@dataclass(frozen=True)
class Prepared:
    """A validated channel: what to store and what the adapter gets."""

    type: str
    settings: dict[str, Any]  # plain settings, secret-capable ones taken out
    secure_keys: list[str]  # secret settings sent (or kept) under secureSettings: shown as secureFields
    shown_keys: list[str]  # secret-capable settings sent under settings: sealed, and returned in settings
    config: dict[str, str]  # adapter config (plain)
    new_secrets: dict[str, str] = field(default_factory=dict)  # adapter secret name → plaintext
    kept: list[str] = field(default_factory=list)  # stored secure settings kept as they are


def _secret_text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise invalid(f"Invalid {key} property in settings: must be a string")
    return value.strip()


def prepare(
    kind: str, settings: dict[str, Any] | None, secure_settings: dict[str, str] | None, stored: set[str]
) -> Prepared:
    """Validates a channel. `stored` are the secure settings kept from the stored channel (same type):
    Grafana keeps a secure setting that an update does not send again."""
    spec = notifier(kind)
    names = spec.secrets
    plain = dict(settings or {})
    unknown = sorted(k for k in (secure_settings or {}) if k not in names)
    if unknown:
        raise invalid(f"Unsupported secure setting(s) for {kind}: {', '.join(unknown)}")
    secure = {k: v.strip() for k, v in (secure_settings or {}).items() if v.strip()}
    shown: dict[str, str] = {}
    for key in names:
        if key in plain:
            value = _secret_text(key, plain.pop(key))
            if value and key not in secure:
                shown[key] = value
    kept = sorted((stored & set(names)) - set(secure) - set(shown))
    validate(kind, plain, set(secure) | set(shown) | set(kept), {**shown, **secure})
    return Prepared(
        type=kind,
        settings=plain,
        secure_keys=sorted(set(secure) | set(kept)),
        shown_keys=sorted(shown),
        config=adapter_config(kind, plain),
        new_secrets={names[k]: v for k, v in {**shown, **secure}.items()},
        kept=kept,
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
    """Any Go duration, as Grafana takes it. Reminders run on the scheduler's one-minute tick, so a
    frequency under a minute re-sends every minute; a zero or negative one is refused (Grafana would
    re-send on every rule evaluation, and Herald evaluates no rules)."""
    if not send_reminder:
        return 0
    if not frequency:
        raise ValidationFailed("Notification frequency not specified")
    try:
        seconds = parse_duration(frequency)
    except ValueError:
        raise ValidationFailed(f'time: invalid duration "{frequency}"') from None
    if seconds <= 0:
        raise ValidationFailed("Notification frequency must be positive")
    return math.ceil(seconds)


# --- API shapes -------------------------------------------------------------------------------------------


NOTIFIER_TYPES = frozenset(NOTIFIERS)


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
        settings=shown_settings(record),
        secureFields={key: True for key in record.secure_keys},
    )


def shown_settings(record: ChannelRecord) -> dict[str, Any]:
    """The settings as they were sent: secret-capable ones sent in `settings` are sealed at rest and
    opened here, as Grafana returns them in `settings`."""
    if not record.shown_keys:
        return record.settings
    names = notifier(record.type).secrets if record.type in NOTIFIER_TYPES else {}
    sealed = {names[k]: record.sealed[names[k]] for k in record.shown_keys if k in names and names[k] in record.sealed}
    opened = secrets.unseal(record.org_id, sealed)
    return {**record.settings, **{k: opened[names[k]] for k in record.shown_keys if names.get(k) in opened}}


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


def _back_off(attempt: int) -> float:
    return random.uniform(0, 0.005 * (attempt + 1))


def create_channel(org_id: str, body: ChannelIn) -> AlertNotification:
    if body.uid:
        check_uid(body.uid)
    prepared = prepare(body.type, body.settings, body.secureSettings, set())
    frequency = reminder_seconds(body.sendReminder, body.frequency)
    sealed = secrets.seal(org_id, prepared.new_secrets)

    def attempt() -> AlertNotification:
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
            shown_keys=prepared.shown_keys,
            sealed=sealed,
            created=now,
            updated=now,
        )
        repo.create(record)
        return to_api(record)

    return optimistic(attempt, HeraldError("Failed to create alert notification"), WRITE_ATTEMPTS, _back_off)


def _update(org_id: str, load: Callable[[], ChannelRecord], body: ChannelIn, new_uid: str | None) -> AlertNotification:
    if new_uid:
        check_uid(new_uid)

    def attempt() -> AlertNotification:
        current = load()
        stored = set(_keepable(current, body.type, body.settings, body.secureSettings))
        prepared = prepare(body.type, body.settings, body.secureSettings, stored)
        frequency = reminder_seconds(True, body.frequency) if body.sendReminder else current.frequency_seconds
        names = notifier(body.type).secrets
        kept = {names[key]: current.sealed[names[key]] for key in prepared.kept if names[key] in current.sealed}
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
                "shown_keys": prepared.shown_keys,
                "sealed": {**kept, **secrets.seal(org_id, prepared.new_secrets)},
                "updated": now_rfc3339(),
            }
        )
        repo.replace(current, updated)
        return to_api(updated)

    return optimistic(attempt, HeraldError("Failed to update alert notification"), WRITE_ATTEMPTS, _back_off)


def _stored_url(record: ChannelRecord, key: str) -> str:
    """A saved channel's URL setting: plain, or sealed (and opened here: the function returns saved settings)."""
    if isinstance(record.settings.get(key), str):
        return str(record.settings[key])
    sealed_name = notifier(record.type).secrets.get(key)
    if sealed_name is None or sealed_name not in record.sealed:
        return ""
    return secrets.unseal(record.org_id, {sealed_name: record.sealed[sealed_name]})[sealed_name]


def _keepable(
    record: ChannelRecord, kind: str, settings: dict[str, Any] | None, secure_settings: dict[str, str] | None
) -> list[str]:
    """The saved secure settings a request may rely on without sending them again (herald.secrets_kept):
    none when the type changes or a URL the channel sends to moves to another origin."""
    if record.type != kind or record.type not in NOTIFIER_TYPES or not record.secure_keys:
        return []
    spec = notifier(kind)
    sent = {**(settings or {}), **(secure_settings or {})}
    old_urls, new_urls = [], []
    for key in sorted(spec.sends_to):
        value = sent.get(key)
        if isinstance(value, str) and value.strip():
            old_urls.append(_stored_url(record, key))
            new_urls.append(value.strip())
        elif key not in record.secure_keys:  # not sent and not kept: the product's own address
            old_urls.append(_stored_url(record, key))
            new_urls.append("")
    old, new = Destination(kind, tuple(old_urls)), Destination(kind, tuple(new_urls))
    return list(keep_secrets(old, new, dict.fromkeys(record.secure_keys)))


def update_by_id(org_id: str, channel_id: int, body: ChannelIn) -> AlertNotification:
    return _update(org_id, lambda: repo.get(org_id, channel_id, WRITE_NOT_FOUND), body, body.uid)


def update_by_uid(org_id: str, uid: str, body: ChannelIn) -> AlertNotification:
    return _update(org_id, lambda: repo.get_by_uid(org_id, uid, WRITE_NOT_FOUND), body, body.uid)


def _delete(load: Callable[[], ChannelRecord]) -> int:
    def attempt() -> int:
        record = load()
        repo.delete(record)
        return record.id

    return optimistic(attempt, HeraldError("Failed to delete alert notification"), WRITE_ATTEMPTS, _back_off)


def delete_by_id(org_id: str, channel_id: int) -> int:
    return _delete(lambda: repo.get(org_id, channel_id, WRITE_NOT_FOUND))


def delete_by_uid(org_id: str, uid: str) -> int:
    return _delete(lambda: repo.get_by_uid(org_id, uid, WRITE_NOT_FOUND))


# --- test send --------------------------------------------------------------------------------------------


def test_notification() -> Notification:
    return Notification(
        id="test",
        status="triggered",
        severity="info",
        title="Test notification",
        message="Someone is testing the alert notification within Grafana.",
        created_at=now_rfc3339(),
        labels={"source": "herald-test"},
    )


def _stored_secure_settings(org_id: str, body: NotificationTestIn) -> dict[str, str]:
    """Grafana 7.4+: a test naming a saved channel's `id` uses that channel's stored secure settings for
    the ones the request does not send (the UI's Test button sends none of them)."""
    if not body.id:
        return {}
    record = repo.get(org_id, body.id, GET_NOT_FOUND)
    keepable = _keepable(record, body.type, body.settings, body.secureSettings)
    names = notifier(record.type).secrets
    sealed = {names[k]: record.sealed[names[k]] for k in keepable if names.get(k) in record.sealed}
    opened = secrets.unseal(org_id, sealed)
    return {k: opened[names[k]] for k in keepable if names.get(k) in opened}


def send_test(org_id: str, body: NotificationTestIn) -> None:
    """One real send through the channel's delivery kind, with the request's settings (and, for a saved
    channel named by `id`, its stored secure settings)."""
    secure = {**_stored_secure_settings(org_id, body), **(body.secureSettings or {})}
    prepared = prepare(body.type, body.settings, secure, set())
    kind = notifier(body.type).kind
    adapter = ADAPTERS.get(kind)
    if adapter is None:
        outcome = Outcome.failed(f"no adapter for {kind}")
    else:
        target = Target(f"test_{ids.random_alnum(20)}", {**prepared.config, "test": "1"}, prepared.new_secrets)
        try:
            worded = templates.customize(test_notification(), org_id, kind, "grafana", "test", body.name or "")
            outcome = adapter(worded, target)
        except Exception as error:
            logger.exception("test send raised", extra={"type": body.type})
            outcome = Outcome.failed(f"{type(error).__name__}: {error}")
    if outcome.result != "delivered":
        logger.warning(
            "test notification failed", extra={"org_id": org_id, "type": body.type, "detail": outcome.detail}
        )
        raise HeraldError(SEND_FAILED)
