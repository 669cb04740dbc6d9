"""Uptime alerts: create, read, partial update, delete, and each alert's event history."""

from __future__ import annotations

from herald import clock, ids, secrets
from herald.data import alerts as repo
from herald.data import deliveries as deliveries_repo
from herald.data.alerts import AlertRecord
from herald.errors import ValidationFailed
from herald.models.alerts import (
    SECRET_FIELDS,
    STRATEGY_FIELDS,
    Alert,
    AlertCreate,
    AlertEvent,
    AlertUpdate,
)

NULLABLE_ON_UPDATE = frozenset({"monitorId"})


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
    record = repo.get(org_id, alert_id)
    sent = {name: getattr(body, name) for name in body.model_fields_set}
    for name, value in sent.items():
        if value is None and name not in NULLABLE_ON_UPDATE:
            raise ValidationFailed(f"{name}: must not be null")
    if "strategy" in sent and sent["strategy"] != record.strategy:
        raise ValidationFailed("strategy cannot be changed")
    foreign = sorted(
        name
        for name in sent
        if name in {f for fields in STRATEGY_FIELDS.values() for f in fields}
        and name not in STRATEGY_FIELDS[record.strategy]
    )
    if foreign:
        raise ValidationFailed(f"{', '.join(foreign)}: not a field of the {record.strategy} strategy")

    plain, secret = _split_settings(record.strategy, {k: str(v) for k, v in sent.items() if v is not None})
    updated = record.model_copy()
    if "name" in sent:
        updated.name = sent["name"]
    if "notifyOnRecovery" in sent:
        updated.notify_on_recovery = sent["notifyOnRecovery"]
    if "cooldownMinutes" in sent:
        updated.cooldown_minutes = sent["cooldownMinutes"]
    if "monitorId" in sent:
        updated.monitor_id = sent["monitorId"]
    if plain:
        updated.config = {**record.config, **plain}
    if secret:
        updated.sealed = {**record.sealed, **secrets.seal(org_id, secret)}
    updated.updated_at = clock.iso()
    repo.replace(updated)
    return to_api(updated)


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
