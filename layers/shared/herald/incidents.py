"""Noise control by dedupKey, the one incident rule of every intake (/v1/events, Alertmanager, PagerDuty).

- A triggered event with a dedupKey that has no open incident opens one: the event is stored and routed.
- A triggered event for an open incident (acknowledged or not, as PagerDuty deduplicates into an
  acknowledged alert too) is not stored: it is counted on the incident (count, last seen), notifies nobody,
  and the answer names the incident's opening event.
- A recovered event closes the open incident and is routed only to the destinations the opening event
  reached (`only_those_told`, called by the fan-out). A recovery for a closed incident is a repeat: nobody
  is told again. A recovery for a dedupKey never seen is routed as usual and recorded closed.
- A trigger after the close opens a new incident.

Deciding at intake, with conditional writes, is what makes twenty identical triggers at once open one
incident: the others find it open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from herald.data import events as events_repo
from herald.data import incidents as repo
from herald.data.incidents import RECOVERY, TRIGGER, IncidentRecord
from herald.errors import ServiceUnavailable
from herald.events import StoredEvent
from herald.models.events import Incident, IncidentState
from herald.routing.plan import PlannedDelivery

ATTEMPTS = 10


@dataclass(frozen=True)
class Admitted:
    """The event an intake answers with: the stored one (`created`), or the one it was deduplicated into."""

    event_id: str
    created: bool


def admit(event_item: dict[str, Any]) -> Admitted:
    """Stores the event unless the incident rule absorbs it."""
    org_id, dedup_key = str(event_item["orgId"]), event_item.get("dedupKey")
    if not dedup_key:
        events_repo.put(event_item)
        return Admitted(str(event_item["id"]), created=True)
    for _ in range(ATTEMPTS):  # each pass ends in a decision unless the incident changed state meanwhile
        if event_item["status"] == "triggered":
            admitted = _trigger(org_id, str(dedup_key), event_item)
        else:
            admitted = _recover(org_id, str(dedup_key), event_item)
        if admitted is not None:
            return admitted
    raise ServiceUnavailable("Too many concurrent changes to this dedupKey, try again")


def _store(event_item: dict[str, Any], undo: Callable[[], None]) -> None:
    try:
        events_repo.put(event_item)
    except BaseException:
        undo()
        raise


def _trigger(org_id: str, dedup_key: str, event_item: dict[str, Any]) -> Admitted | None:
    at, event_id = str(event_item["createdAt"]), str(event_item["id"])
    if repo.open_for(org_id, dedup_key, event_id, at, int(event_item["ttl"])):
        opening = {**event_item, "incidentId": event_id, "incidentRole": TRIGGER}
        _store(opening, lambda: repo.forget_opening(org_id, dedup_key, event_id))
        return Admitted(event_id, created=True)
    joined = repo.join(org_id, dedup_key, at)
    if joined is not None and joined.incident_id:
        return Admitted(joined.incident_id, created=False)
    return None  # closed in between: decide again


def _recover(org_id: str, dedup_key: str, event_item: dict[str, Any]) -> Admitted | None:
    at, event_id = str(event_item["createdAt"]), str(event_item["id"])
    incident = repo.get(org_id, dedup_key)
    if incident is None:
        if not repo.close_unknown(org_id, dedup_key, event_id, at, int(event_item["ttl"])):
            return None
        _store(event_item, lambda: repo.forget_unknown(org_id, dedup_key, event_id))
        return Admitted(event_id, created=True)
    if not incident.is_open or incident.incident_id is None:
        return Admitted(incident.recovery_event_id or incident.incident_id or event_id, created=False)
    if repo.close_for(org_id, dedup_key, incident.incident_id, event_id, at) is None:
        return None
    closing = {**event_item, "incidentId": incident.incident_id, "incidentRole": RECOVERY}
    _store(closing, lambda: repo.reopen(org_id, dedup_key, event_id))
    return Admitted(event_id, created=True)


def open_incident(org_id: str, dedup_key: str) -> IncidentRecord | None:
    incident = repo.get(org_id, dedup_key)
    return incident if incident is not None and incident.is_open else None


def acknowledged(event_item: dict[str, Any]) -> None:
    """Marks the incident an acknowledged event opened as acknowledged (shown by GET /v1/events)."""
    if event_item.get("incidentRole") == TRIGGER and event_item.get("dedupKey"):
        repo.acknowledge(str(event_item["orgId"]), str(event_item["dedupKey"]), str(event_item["id"]))


def only_those_told(event: StoredEvent, planned: list[PlannedDelivery]) -> list[PlannedDelivery]:
    """The fan-out's filter: records whom an incident's opening event tells, and keeps its recovery to
    them. Either may reach the fan-out first; if the recovery does, it is routed as a recovery of a
    dedupKey never seen, and the opening event, arriving after it, is recorded skipped as stale everywhere
    (a trigger after its recovery would reopen what the receiver has closed)."""
    if not event.dedup_key:
        return planned
    if event.status == "triggered":
        told = [p.destination_key for p in planned if p.skip_reason is None]
        if repo.record_trigger_plan(event.id, told) != "after-recovery":
            return planned
        stale = f"stale trigger: the recovery of dedupKey {event.dedup_key!r} was routed before it"
        return [replace(p, skip_reason=p.skip_reason or stale) for p in planned]
    item = events_repo.get(event.id) or {}
    if item.get("incidentRole") != RECOVERY or not item.get("incidentId"):
        return planned
    told_of_trigger = repo.record_recovery_plan(str(item["incidentId"]), event.id)
    if told_of_trigger is None:
        return planned
    return [p for p in planned if p.destination_key in told_of_trigger]


def view(item: dict[str, Any], current: IncidentRecord | None) -> Incident | None:
    """The incident an event belongs to, as GET /v1/events shows it; `current` is its dedupKey's latest."""
    incident_id = item.get("incidentId")
    if not incident_id:
        return None
    if current is not None and current.incident_id == incident_id:
        state: IncidentState = "closed" if not current.is_open else ("acknowledged" if current.acknowledged else "open")
        return Incident(
            id=str(incident_id),
            state=state,
            count=current.count,
            firstSeenAt=current.first_seen_at,
            lastSeenAt=current.last_seen_at,
            closedAt=current.closed_at,
        )
    # A newer incident replaced it: it was closed, and its opening event holds its final state.
    opening = item if item.get("incidentRole") == TRIGGER else (events_repo.get(str(incident_id)) or {})
    return Incident(
        id=str(incident_id),
        state="closed",
        count=int(opening.get("incidentCount", 1)),
        firstSeenAt=str(opening.get("createdAt", item.get("createdAt", ""))),
        lastSeenAt=str(opening.get("incidentLastSeenAt", opening.get("createdAt", item.get("createdAt", "")))),
        closedAt=opening.get("incidentClosedAt"),
    )
