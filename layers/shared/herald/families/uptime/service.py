"""Uptime alerts: create, read, partial update, delete, and each alert's event history."""

from __future__ import annotations

from herald import clock, ids, secrets
from herald.data import deliveries as deliveries_repo
from herald.errors import Conflict, ValidationFailed
from herald.families.uptime import store as repo
from herald.families.uptime.store import AlertRecord
from herald.families.uptime.wire import (
    SECRET_FIELDS,
    STRATEGY_FIELDS,
    Alert,
    AlertCreate,
    AlertEvent,
    AlertUpdate,
)
from herald.secrets_kept import Destination, keep_secrets, origin

NULLABLE_ON_UPDATE = frozenset({"monitorId"})
# The webhook URL's origin, kept in plain beside the sealed URL (which this function cannot open), so an
# update can tell whether the signing secret may stay (herald.secrets_kept).
URL_ORIGIN = "urlOrigin"
ORIGIN_ATTEMPTS = 3
SETTING_FIELDS = frozenset(f for fields in STRATEGY_FIELDS.values() for f in fields)
# API field → stored attribute, for the fields an update sets directly (settings go into config/sealed)
API_TO_STORED = {
    "name": "name",
    "notifyOnRecovery": "notifyOnRecovery",
    "cooldownMinutes": "cooldownMinutes",
    "monitorId": "monitorId",
}


def to_api(record: AlertRecord) -> Alert:
    return Alert(
        id=record.id,
        name=record.name,
        strategy=record.strategy,  # type: ignore[arg-type]
        notifyOnRecovery=record.notify_on_recovery,
        cooldownMinutes=record.cooldown_minutes,
        monitorId=record.monitor_id,
        createdAt=record.created_at,
        updatedAt=record.updated_at,
    )


def _split_settings(strategy: str, values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    fields = STRATEGY_FIELDS[strategy]
    plain = {k: v for k, v in values.items() if k in fields and k not in SECRET_FIELDS}
    secret = {k: v for k, v in values.items() if k in fields and k in SECRET_FIELDS}
    return plain, secret


def create_alert(org_id: str, body: AlertCreate) -> Alert:
    now = clock.iso()
    data = body.model_dump(exclude_none=True)
    plain, secret = _split_settings(body.strategy, {k: str(v) for k, v in data.items()})
    if "url" in secret:
        plain[URL_ORIGIN] = origin(secret["url"])
    record = AlertRecord(
        org_id=org_id,
        id=ids.alert_id(),
        name=body.name,
        strategy=body.strategy,
        notify_on_recovery=body.notifyOnRecovery,
        cooldown_minutes=body.cooldownMinutes,
        monitor_id=body.monitorId,
        config=plain,
        sealed=secrets.seal(org_id, secret),
        created_at=now,
        updated_at=now,
    )
    repo.create(record)
    return to_api(record)


def get_alert(org_id: str, alert_id: str) -> Alert:
    return to_api(repo.get(org_id, alert_id))


def list_alerts(org_id: str) -> list[Alert]:
    return [to_api(record) for record in repo.list_for_org(org_id)]


def update_alert(org_id: str, alert_id: str, body: AlertUpdate) -> Alert:
    """PUT is partial: only the fields sent change. One conditional UpdateItem; the strategy's own fields
    are checked by its condition, and the stored alert comes back with a failure to word the error."""
    sent = {name: getattr(body, name) for name in body.model_fields_set}
    for name, value in sent.items():
        if value is None and name not in NULLABLE_ON_UPDATE:
            raise ValidationFailed(f"{name}: must not be null")
    settings = {name for name in sent if name in SETTING_FIELDS}
    strategies: list[str] | None = None
    if settings or "strategy" in sent:
        strategies = sorted(s for s, fields in STRATEGY_FIELDS.items() if settings <= fields)
        if "strategy" in sent:
            strategies = [s for s in strategies if s == sent["strategy"]]
    values = {name: str(sent[name]) for name in settings if sent[name] is not None}
    plain = {k: v for k, v in values.items() if k not in SECRET_FIELDS}
    secret = {k: v for k, v in values.items() if k in SECRET_FIELDS}
    fields = {API_TO_STORED[name]: sent[name] for name in sent if name in API_TO_STORED}
    fields["updatedAt"] = clock.iso()
    sealed = secrets.seal(org_id, secret) if secret else {}
    if "url" in secret:
        plain[URL_ORIGIN] = origin(secret["url"])
    for _attempt in range(ORIGIN_ATTEMPTS):
        dropped: tuple[str, ...] = ()
        expected: dict[str, str] = {}
        if "url" in secret and "secret" not in secret:
            seen = _origin_keeping_secret(org_id, alert_id, secret["url"])
            dropped, expected = (("secret",), {}) if seen is None else ((), {URL_ORIGIN: seen})
        try:
            return to_api(repo.update(org_id, alert_id, fields, plain, sealed, strategies, dropped, expected))
        except repo.StrategyMismatch as mismatch:
            if expected and strategies and mismatch.current.strategy in strategies:
                continue  # the URL moved since it was read: decide again
            raise ValidationFailed(_mismatch_message(mismatch.current.strategy, sent)) from None
    raise Conflict("The alert was changed concurrently; please retry")


def _origin_keeping_secret(org_id: str, alert_id: str, url: str) -> str | None:
    """A webhook alert's signing secret stays only while its URL stays at the same origin: the stored
    origin it stays under, or None when it must go."""
    stored = repo.get(org_id, alert_id)
    seen = stored.config.get(URL_ORIGIN, "")
    kept = keep_secrets(Destination(stored.strategy, (seen,)), Destination(stored.strategy, (url,)), {"secret": 1})
    return seen if kept else None


def _mismatch_message(strategy: str, sent: dict[str, object]) -> str:
    if "strategy" in sent and sent["strategy"] != strategy:
        return "strategy cannot be changed"
    foreign = sorted(name for name in sent if name in SETTING_FIELDS and name not in STRATEGY_FIELDS[strategy])
    return f"{', '.join(foreign)}: not a field of the {strategy} strategy"


def delete_alert(org_id: str, alert_id: str) -> None:
    repo.delete(org_id, alert_id)


def alert_history(org_id: str, alert_id: str, limit: int) -> list[AlertEvent]:
    repo.get(org_id, alert_id)
    return [
        AlertEvent(
            id=entry.event_id,
            alertId=alert_id,
            monitorId=entry.monitor_id or "",
            type=entry.event_status,  # type: ignore[arg-type]
            status=entry.status,  # type: ignore[arg-type]
            createdAt=entry.created_at,
        )
        for entry in deliveries_repo.history_for_alert(alert_id, limit)
    ]
