"""Intake from other tools' formats: each becomes Herald events through the one path of POST /v1/events
(herald.domain.events.accept), so routing, the incident rule and the pipeline are the same for all."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from herald import incidents
from herald.domain import events
from herald.errors import NotFound
from herald.intake import alertmanager, pagerduty
from herald.models.events import EventStatus


@dataclass(frozen=True)
class AlertOutcome:
    event_id: str
    dedup_key: str
    status: EventStatus
    deduplicated: bool


def alertmanager_webhook(org_id: str, payload: alertmanager.WebhookIn) -> list[AlertOutcome]:
    """One event per alert: firing → triggered, resolved → recovered, deduplicated by fingerprint."""
    source = alertmanager.source_of(payload)
    outcomes = []
    for alert in payload.alerts:
        body, links = alertmanager.to_event(alert, payload)
        accepted = events.accept(org_id, body, source=source, links=links)
        outcomes.append(AlertOutcome(accepted.event.id, str(body.dedupKey), body.status, accepted.deduplicated))
    return outcomes


def pagerduty_enqueue(org_id: str, event: pagerduty.EnqueueIn) -> str:
    """Returns the dedup_key, as PagerDuty does. Acknowledge and resolve for a dedup_key with no open
    incident are accepted and do nothing."""
    if event.event_action == "trigger":
        dedup_key = event.dedup_key or pagerduty.new_dedup_key()
        events.accept(
            org_id, pagerduty.trigger_event(event, dedup_key), source="pagerduty", links=pagerduty.links_of(event)
        )
        return dedup_key
    if event.dedup_key is None:
        raise pagerduty.InvalidEvent(["'dedup_key' is missing or blank"])
    incident = incidents.open_incident(org_id, event.dedup_key)
    if incident is None or incident.incident_id is None:
        return event.dedup_key
    if event.event_action == "acknowledge":
        with contextlib.suppress(NotFound):  # the opening event is past its retention: nothing to stop
            events.acknowledge_event(org_id, incident.incident_id)
        return event.dedup_key
    opening = events.find_event(org_id, incident.incident_id)
    if opening is not None:
        events.accept(org_id, pagerduty.resolve_event(opening, event), source="pagerduty")
    return event.dedup_key


def pagerduty_change(org_id: str, event: pagerduty.ChangeIn) -> None:
    events.accept(org_id, pagerduty.change_event(event), source="pagerduty", links=pagerduty.links_of(event))
