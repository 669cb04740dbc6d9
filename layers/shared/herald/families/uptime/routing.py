"""Uptime alerts routing: an alert with a monitorId gets the events of that monitor; an alert with
monitorId null ("all monitors") gets every event of its org, whatever its monitorId (or none)."""

from __future__ import annotations

from herald.events import StoredEvent
from herald.families.uptime import cooldowns
from herald.families.uptime import store as alerts_repo
from herald.families.uptime.store import AlertRecord
from herald.observability import logger
from herald.routing import batch_reads
from herald.routing.plan import PlannedDelivery

NO_MONITOR = "-"  # the cooldown key of events that name no monitor


def matches(alert: AlertRecord, event: StoredEvent) -> bool:
    if alert.monitor_id is not None and alert.monitor_id != event.monitor_id:
        return False
    return not (event.status == "recovered" and not alert.notify_on_recovery)


def route(event: StoredEvent, now: float) -> list[PlannedDelivery]:
    planned = []
    for alert in batch_reads.read("alerts", event.org_id, lambda: alerts_repo.list_for_org(event.org_id)):
        if not matches(alert, event):
            continue
        planned.append(
            PlannedDelivery(
                kind=alert.strategy,
                family="alerts",
                destination_id=alert.id,
                destination_name=alert.name,
                config={**alert.config, "alertId": alert.id, "alertName": alert.name},
                sealed=alert.sealed,
                alert_id=alert.id,
                skip_reason=cooldown_reason(alert, event, now),
            )
        )
    return planned


def cooldown_reason(alert: AlertRecord, event: StoredEvent, now: float) -> str | None:
    """Why the alert's cooldown holds this event back, or None. Judged on the event's own time, so a
    replayed old event never claims the window of a live one; recoveries are never held back (and open no
    window), so "down" is always followed by "up"."""
    if not alert.cooldown_minutes or event.status == "recovered":
        return None
    at = event.created_epoch(default=now)
    if cooldowns.try_claim(alert.id, event.monitor_id or NO_MONITOR, event.id, at, alert.cooldown_minutes):
        return None
    logger.info("cooldown suppressed", extra={"alert_id": alert.id, "event_id": event.id})
    return (
        f"cooldown: alert {alert.name!r} already notified about {event.monitor_id or 'events with no monitor'} "
        f"within the last {alert.cooldown_minutes} minutes"
    )
