"""Grafana channels routing: every `isDefault` channel of the org plus the channels the event names in
`targets.notificationUids`; `disableResolveMessage` skips recoveries. A triggered event with a dedupKey
opens the incident and schedules one reminder timer per selected channel with `sendReminder`; a recovery
closes the incident, which stops the reminders (herald.families.grafana.reminders)."""

from __future__ import annotations

from herald.data import timers
from herald.errors import CapReached
from herald.events import StoredEvent
from herald.families.grafana import incidents
from herald.families.grafana import store as channels_repo
from herald.families.grafana.notifiers import NOTIFIERS, adapter_config
from herald.families.grafana.store import ChannelRecord
from herald.observability import logger
from herald.routing import batch_reads
from herald.routing.plan import PlannedDelivery

FAMILY = "grafana"
REMINDER_KIND = "grafana_reminder"


def reminder_timer_id(event_id: str, channel_id: int, round_number: int) -> str:
    """Deterministic, so a replayed stream record or a re-run job rewrites the same timer."""
    return f"grafana-reminder#{event_id}#{channel_id}#{round_number}"


def planned(channel: ChannelRecord, reminder_round: int = 0) -> PlannedDelivery:
    suffix = f":reminder:{reminder_round}" if reminder_round else ""
    name = f"{channel.name} (reminder {reminder_round})" if reminder_round else channel.name
    return PlannedDelivery(
        kind=NOTIFIERS[channel.type].kind if channel.type in NOTIFIERS else channel.type,
        family=FAMILY,
        destination_id=f"{channel.id}{suffix}",
        destination_name=name,
        config=adapter_config(channel.type, channel.settings),
        sealed=channel.sealed,
    )


def schedule_reminder(
    org_id: str, dedup_key: str, event_id: str, channel: ChannelRecord, round_number: int, now: float
) -> None:
    """The channel's next reminder; none (logged) once the org holds as many timers as its cap allows."""
    try:
        timers.schedule(
            reminder_timer_id(event_id, channel.id, round_number),
            REMINDER_KIND,
            now + channel.frequency_seconds,
            {
                "orgId": org_id,
                "dedupKey": dedup_key,
                "eventId": event_id,
                "channelId": channel.id,
                "round": round_number,
            },
            org_id=org_id,
        )
    except CapReached as refused:
        logger.warning(
            "reminder not scheduled", extra={"org_id": org_id, "event_id": event_id, "reason": refused.message}
        )


def route(event: StoredEvent, now: float) -> list[PlannedDelivery]:
    channels = batch_reads.read("grafana", event.org_id, lambda: channels_repo.list_for_org(event.org_id))
    if not channels:
        return []
    recovered = event.status == "recovered"
    named = {str(uid) for uid in event.targets.get("notificationUids") or []}
    selected = [
        channel
        for channel in channels
        if (channel.is_default or channel.uid in named) and not (recovered and channel.disable_resolve_message)
    ]
    dedup_key = event.dedup_key
    if dedup_key:
        at = event.created_at
        if recovered:
            if any(channel.send_reminder for channel in channels):
                incidents.close_incident(event.org_id, dedup_key, event.id, at, now)
        else:
            reminding = [c for c in selected if c.send_reminder and c.frequency_seconds > 0]
            if reminding and incidents.open_incident(event.org_id, dedup_key, event.id, at, now):
                for channel in reminding:
                    schedule_reminder(event.org_id, dedup_key, event.id, channel, 1, now)
    return [planned(channel) for channel in selected]
