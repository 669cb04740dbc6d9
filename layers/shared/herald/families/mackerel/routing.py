"""Mackerel notification groups routing.

An event reaches:
- every group whose `monitors[].id` equals its monitorId or whose `services[].name` equals its service;
- the org's default group, unless one of those groups lists the event's monitor with `skipDefault: true`;
- through each reached group, its child groups, recursively (cycle-safe).
A group whose `notificationLevel` is `critical` passes only critical triggers and the recoveries of
incidents that had a critical trigger; a group that does not pass stops the walk (its channels and its
children see nothing through it). Each channel gets the event once, and only when its `events` include
"alert" (Herald's triggered and recovered events are Mackerel alert notifications).
"""

from __future__ import annotations

from collections.abc import Callable

from herald.events import StoredEvent
from herald.families.mackerel import store as repo
from herald.families.mackerel.store import ChannelRecord, Configuration, GroupRecord
from herald.families.oncall import store as oncall_repo
from herald.observability import logger
from herald.routing import batch_reads
from herald.routing.plan import PlannedDelivery

FAMILY = "mackerel"
HERALD_EVENT_AS_MACKEREL = "alert"


def incident_key(event: StoredEvent) -> str:
    """What a recovery recovers: the dedupKey, else the monitor, else the service."""
    dedup = event.dedup_key
    if dedup:
        return f"dedup:{dedup}"
    if event.monitor_id:
        return f"monitor:{event.monitor_id}"
    if event.service:
        return f"service:{event.service}"
    return f"event:{event.id}"


def matched_groups(config: Configuration, monitor_id: str | None, service: str | None) -> list[GroupRecord]:
    return [
        group
        for group in config.groups.values()
        if (monitor_id is not None and any(m.id == monitor_id for m in group.monitors))
        or (service is not None and service in group.services)
    ]


def reached_channels(
    config: Configuration,
    monitor_id: str | None,
    service: str | None,
    status: str,
    severity: str,
    recovery_of_critical: Callable[[], bool],
) -> list[ChannelRecord]:
    """The channels an event goes to, in a stable order, each once. `recovery_of_critical` is asked (at
    most once) only when a critical-level group decides on a recovery."""
    matched = matched_groups(config, monitor_id, service)
    skip_default = monitor_id is not None and any(
        m.id == monitor_id and m.skip_default for group in matched for m in group.monitors
    )
    starts = list(matched)
    default = config.default_group
    if default is not None and not skip_default and default not in starts:
        starts.append(default)

    decided: list[bool] = []

    def critical_recovery() -> bool:
        if not decided:
            decided.append(recovery_of_critical())
        return decided[0]

    def passes(group: GroupRecord) -> bool:
        if group.notification_level != "critical":
            return True
        if status == "recovered":
            return critical_recovery()
        return severity == "critical"

    channels: dict[str, ChannelRecord] = {}
    visited: set[str] = set()
    stack = list(reversed(starts))
    while stack:
        group = stack.pop()
        if group.id in visited:
            continue
        visited.add(group.id)
        if not passes(group):
            continue
        for channel_id in group.child_channel_ids:
            channel = config.channels.get(channel_id)
            if channel is not None and HERALD_EVENT_AS_MACKEREL in channel.events:
                channels.setdefault(channel.id, channel)
        children = [config.groups[i] for i in group.child_group_ids if i in config.groups]
        stack.extend(reversed(children))
    return list(channels.values())


def mention_for(channel: ChannelRecord, status: str, severity: str) -> str:
    """Slack `mentions`: `ok` on recoveries, `critical` / `warning` on triggers of that severity."""
    if status == "recovered":
        return channel.mentions.get("ok", "")
    return channel.mentions.get(severity, "") if severity in ("critical", "warning") else ""


def user_emails(channel: ChannelRecord) -> list[str]:
    """The addresses of the channel's `userIds`: the org's OnCall users (deleted users are dropped)."""
    if not channel.user_ids:
        return []
    wanted = set(channel.user_ids)
    return [user.email for user in oncall_repo.list_users(channel.org_id) if user.id in wanted]


def delivery_for(channel: ChannelRecord, status: str, severity: str) -> PlannedDelivery | None:
    config = {"channelId": channel.id, "channelName": channel.name}
    if channel.channel_type == "email":
        addresses = [*channel.emails, *user_emails(channel)]
        if not addresses:
            return None  # nothing to send to
        config["email"] = ",".join(dict.fromkeys(addresses))
    elif channel.channel_type == "slack":
        mention = mention_for(channel, status, severity)
        if mention:
            config["mention"] = mention
    elif channel.channel_type == "webhook":
        config.update(format="mackerel", orgName=channel.org_id)  # Mackerel's own webhook body
    else:
        return None
    return PlannedDelivery(
        kind=channel.channel_type,
        family=FAMILY,
        destination_id=channel.id,
        destination_name=channel.name,
        config=config,
        sealed=dict(channel.sealed),
    )


def route(event: StoredEvent, now: float) -> list[PlannedDelivery]:
    config = batch_reads.read("mackerel", event.org_id, lambda: repo.load(event.org_id))
    if not config.groups:
        return []
    severity = event.severity
    key = incident_key(event)
    has_critical_groups = any(g.notification_level == "critical" for g in config.groups.values())
    if event.status == "triggered" and severity == "critical" and has_critical_groups:
        repo.open_critical(event.org_id, key, event.id, now)
    channels = reached_channels(
        config,
        event.monitor_id,
        event.service,
        event.status,
        severity,
        lambda: repo.close_critical(event.org_id, key, event.id),
    )
    planned = [d for d in (delivery_for(c, event.status, severity) for c in channels) if d is not None]
    if channels and not planned:
        logger.info("mackerel channels reached but none deliverable", extra={"event_id": event.id})
    return planned
