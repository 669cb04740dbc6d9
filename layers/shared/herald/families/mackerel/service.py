"""Mackerel channels and notification groups: validation against the org's whole configuration, and
writes that commit only if that configuration is unchanged (re-read and retried otherwise)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from herald import clock, ids, secrets
from herald.data import limits, table_keys
from herald.data.concurrency import optimistic
from herald.errors import Conflict, NotFound, ValidationFailed
from herald.families.mackerel import store as repo
from herald.families.mackerel.store import ChannelRecord, Configuration, GroupRecord, MonitorRule
from herald.families.mackerel.wire import (
    Channel,
    ChannelIn,
    EmailChannel,
    EmailChannelIn,
    MonitorRef,
    NotificationGroup,
    NotificationGroupIn,
    ServiceRef,
    SlackChannel,
    SlackChannelIn,
    WebhookChannel,
    WebhookChannelIn,
)
from herald.families.oncall import store as oncall_repo
from herald.secrets_kept import Destination, keep_secrets

MAX_ATTEMPTS = 8
MASK = "********"
# The sealed field of each channel type: the names the slack and webhook adapters read.
MENTION_STATES = ("ok", "warning", "critical")
SECRET_FIELD = {"slack": "webhookUrl", "webhook": "url"}

# --- shared ---------------------------------------------------------------------------------------------


def _configuration(org_id: str) -> Configuration:
    """The org's configuration; its default group is created here if the org predates it."""
    config = repo.load(org_id)
    if config.default_group is None:
        repo.ensure_default_group(org_id)
        config = repo.load(org_id)
    return config


def _optimistic[T](org_id: str, attempt: Callable[[Configuration], T], first: Configuration | None = None) -> T:
    """Runs `attempt` on the org's configuration until its write finds the version it read (`first`: a
    configuration the caller has just read, for the first attempt)."""
    read = iter([first] if first else [])

    def once() -> T:
        return attempt(next(read, None) or _configuration(org_id))

    exhausted = Conflict("The notification settings were changed concurrently; please retry")
    return optimistic(once, exhausted, MAX_ATTEMPTS, backoff=lambda _tries: 0.0)


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


# --- channels -------------------------------------------------------------------------------------------


def mask_url(url: str) -> str:
    """What the API shows of a stored Slack/webhook URL: its scheme and host; the rest stays sealed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/{MASK}"


def saved_url(record: ChannelRecord) -> str:
    """The Slack/webhook URL as it was saved: Mackerel returns it (to keys that may read channels); Herald
    keeps it sealed at rest and opens it to answer."""
    field = SECRET_FIELD.get(record.channel_type, "")
    if field not in record.sealed:
        return record.url_mask
    return secrets.unseal(record.org_id, {field: record.sealed[field]})[field]


def channel_to_api(record: ChannelRecord) -> Channel:
    if record.channel_type == "email":
        return EmailChannel(
            id=record.id,
            name=record.name,
            type="email",
            events=record.events,  # type: ignore[arg-type]
            emails=record.emails,
            userIds=record.user_ids,
        )
    if record.channel_type == "slack":
        return SlackChannel(
            id=record.id,
            name=record.name,
            type="slack",
            events=record.events,  # type: ignore[arg-type]
            url=saved_url(record),
            mentions={k: v for k, v in record.mentions.items() if k in MENTION_STATES},  # type: ignore[misc]
            enabledGraphImage=record.enabled_graph_image,
        )
    return WebhookChannel(
        id=record.id,
        name=record.name,
        type="webhook",
        events=record.events,  # type: ignore[arg-type]
        url=saved_url(record),
        enabledGraphImage=record.enabled_graph_image,
    )


def _check_user_ids(org_id: str, body: ChannelIn) -> None:
    """Mackerel's `userIds` name users of the organization; Herald's users are the org's OnCall users."""
    if isinstance(body, EmailChannelIn) and body.userIds:
        known = {user.id for user in oncall_repo.list_users(org_id)}
        unknown = [user_id for user_id in dict.fromkeys(body.userIds) if user_id not in known]
        if unknown:
            raise ValidationFailed(f"userIds: user not found: {', '.join(unknown)}")


def _channel_record(
    org_id: str, channel_id: str, body: ChannelIn, sealed: dict[str, str], url_mask: str, created_at: str
) -> ChannelRecord:
    record = ChannelRecord(
        org_id=org_id,
        id=channel_id,
        name=body.name,
        channel_type=body.type,
        events=_dedupe(list(body.events)),
        sealed=sealed,
        url_mask=url_mask,
        created_at=created_at,
        updated_at=clock.iso(),
    )
    if isinstance(body, EmailChannelIn):
        record.emails = _dedupe(list(body.emails))
        record.user_ids = _dedupe(list(body.userIds))
    if isinstance(body, SlackChannelIn):
        record.mentions = body.mentions.model_dump(exclude_none=True)
    if isinstance(body, SlackChannelIn | WebhookChannelIn):
        record.enabled_graph_image = body.enabledGraphImage
    return record


def _seal_url(org_id: str, body: ChannelIn) -> tuple[dict[str, str], str]:
    if isinstance(body, SlackChannelIn | WebhookChannelIn):
        return secrets.seal(org_id, {SECRET_FIELD[body.type]: body.url}), mask_url(body.url)
    return {}, ""


def _kept_url(current: ChannelRecord, body: ChannelIn) -> tuple[dict[str, str], str] | None:
    """The saved URL, kept when the update sends it back as saved or as its mask (which names its origin)
    and herald.secrets_kept finds the same destination; None when the update sets a URL of its own."""
    if not isinstance(body, SlackChannelIn | WebhookChannelIn):
        return None
    if body.url not in (current.url_mask, saved_url(current)):
        return None
    old = Destination(current.channel_type, (current.url_mask,))
    kept = keep_secrets(old, Destination(body.type, (body.url,)), current.sealed)
    return (kept, current.url_mask) if kept else None


def list_channels(org_id: str) -> list[Channel]:
    return [channel_to_api(c) for c in repo.load(org_id).channels.values()]


def create_channel(org_id: str, body: ChannelIn) -> Channel:
    _check_user_ids(org_id, body)
    sealed, url_mask = _seal_url(org_id, body)
    record = _channel_record(org_id, ids.mackerel_id(), body, sealed, url_mask, clock.iso())
    taken = limits.take_destination(org_id, repo.CHANNELS_COUNTER, "notification channels")
    if not body.addToDefaultNotificationGroup:
        repo.add_new(org_id, record, taken)  # no group refers to it yet: nothing to read first
        return channel_to_api(record)

    def attempt(config: Configuration) -> None:
        puts: list[ChannelRecord | GroupRecord] = [record]
        default = config.default_group
        if body.addToDefaultNotificationGroup and default is not None:
            puts.append(
                default.model_copy(
                    update={"child_channel_ids": [*default.child_channel_ids, record.id], "updated_at": clock.iso()}
                )
            )
        repo.commit(config, puts, counter=taken)

    _optimistic(org_id, attempt)
    return channel_to_api(record)


def update_channel(org_id: str, channel_id: str, body: ChannelIn) -> Channel:
    """PUT is the full object. `type` cannot change. A Slack/webhook `url` equal to the saved one (or to
    the masked form earlier versions showed) keeps the stored seal; any other value replaces it."""
    config = _configuration(org_id)
    current = config.channels.get(channel_id)
    if current is None:
        raise NotFound("Channel not found")
    if body.type != current.channel_type:
        raise ValidationFailed("type: the type of a channel cannot be changed")
    _check_user_ids(org_id, body)
    sealed, url_mask = _kept_url(current, body) or _seal_url(org_id, body)

    def attempt(config: Configuration) -> ChannelRecord:
        existing = config.channels.get(channel_id)
        if existing is None:
            raise NotFound("Channel not found")
        record = _channel_record(org_id, channel_id, body, sealed, url_mask, existing.created_at)
        repo.commit(config, [record])
        return record

    return channel_to_api(_optimistic(org_id, attempt, config))


def delete_channel(org_id: str, channel_id: str) -> Channel:
    """Deletes the channel and takes it out of every group that listed it; returns it as it was."""

    def attempt(config: Configuration) -> ChannelRecord:
        record = config.channels.get(channel_id)
        if record is None:
            raise NotFound("Channel not found")
        now = clock.iso()
        updated: list[ChannelRecord | GroupRecord] = [
            group.model_copy(
                update={"child_channel_ids": [i for i in group.child_channel_ids if i != channel_id], "updated_at": now}
            )
            for group in config.groups.values()
            if channel_id in group.child_channel_ids
        ]
        if len(updated) + 3 > repo.MAX_TRANSACTION_ITEMS:
            raise ValidationFailed("the channel belongs to too many notification groups to be deleted at once")
        deleted = [table_keys.mackerel_channel(org_id, channel_id)]
        repo.commit(config, updated, deleted, limits.give_back(org_id, repo.CHANNELS_COUNTER))
        return record

    return channel_to_api(_optimistic(org_id, attempt))


# --- notification groups --------------------------------------------------------------------------------


def group_to_api(record: GroupRecord) -> NotificationGroup:
    return NotificationGroup(
        id=record.id,
        type=record.group_type,  # type: ignore[arg-type]
        name=record.name,
        notificationLevel=record.notification_level,  # type: ignore[arg-type]
        childNotificationGroupIds=record.child_group_ids,
        childChannelIds=record.child_channel_ids,
        monitors=[MonitorRef(id=m.id, skipDefault=m.skip_default) for m in record.monitors],
        services=[ServiceRef(name=s) for s in record.services],
    )


def contains(config: Configuration, start_ids: list[str], target: str, overrides: dict[str, list[str]]) -> bool:
    """Whether `target` is reachable from `start_ids` through child groups (`overrides` replaces the
    children of the group being written). Iterative, cycle-safe."""
    stack, seen = list(start_ids), set()
    while stack:
        group_id = stack.pop()
        if group_id == target:
            return True
        if group_id in seen:
            continue
        seen.add(group_id)
        group = config.groups.get(group_id)
        children = overrides.get(group_id, group.child_group_ids if group else [])
        stack.extend(children)
    return False


def _validated(config: Configuration, group_id: str, body: NotificationGroupIn) -> tuple[list[str], list[str]]:
    child_groups = _dedupe(list(body.childNotificationGroupIds))
    child_channels = _dedupe(list(body.childChannelIds))
    unknown_groups = [i for i in child_groups if i not in config.groups and i != group_id]
    if unknown_groups:
        raise ValidationFailed(f"childNotificationGroupIds: notification group not found: {unknown_groups[0]}")
    unknown_channels = [i for i in child_channels if i not in config.channels]
    if unknown_channels:
        raise ValidationFailed(f"childChannelIds: channel not found: {unknown_channels[0]}")
    if group_id in child_groups:
        raise ValidationFailed("childNotificationGroupIds: a notification group cannot contain itself")
    if contains(config, child_groups, group_id, {group_id: child_groups}):
        raise ValidationFailed(
            "childNotificationGroupIds: a notification group cannot contain itself through its child groups"
        )
    return child_groups, child_channels


def _group_record(
    org_id: str,
    group_id: str,
    group_type: str,
    body: NotificationGroupIn,
    children: tuple[list[str], list[str]],
    at: str,
) -> GroupRecord:
    return GroupRecord(
        org_id=org_id,
        id=group_id,
        group_type=group_type,
        name=body.name,
        notification_level=body.notificationLevel,
        child_group_ids=children[0],
        child_channel_ids=children[1],
        monitors=[MonitorRule(id=m.id, skip_default=m.skipDefault) for m in body.monitors],
        services=_dedupe([s.name for s in body.services]),
        created_at=at,
        updated_at=clock.iso(),
    )


def list_groups(org_id: str) -> list[NotificationGroup]:
    return [group_to_api(g) for g in _configuration(org_id).groups.values()]


def create_group(org_id: str, body: NotificationGroupIn) -> NotificationGroup:
    group_id = ids.mackerel_id()
    created_at = clock.iso()
    taken = limits.take_destination(org_id, repo.GROUPS_COUNTER, "notification groups")

    def attempt(config: Configuration) -> GroupRecord:
        record = _group_record(org_id, group_id, "group", body, _validated(config, group_id, body), created_at)
        repo.commit(config, [record], counter=taken)
        return record

    return group_to_api(_optimistic(org_id, attempt))


def update_group(org_id: str, group_id: str, body: NotificationGroupIn) -> NotificationGroup:
    def attempt(config: Configuration) -> GroupRecord:
        existing = config.groups.get(group_id)
        if existing is None:
            raise NotFound("Notification group not found")
        if existing.is_default and body.name != existing.name:
            raise ValidationFailed("name: the default notification group cannot be renamed")
        children = _validated(config, group_id, body)
        record = _group_record(org_id, group_id, existing.group_type, body, children, existing.created_at)
        repo.commit(config, [record])
        return record

    return group_to_api(_optimistic(org_id, attempt))


def delete_group(org_id: str, group_id: str) -> NotificationGroup:
    """Deletes the group and takes it out of every group that listed it; returns it as it was."""

    def attempt(config: Configuration) -> GroupRecord:
        record = config.groups.get(group_id)
        if record is None:
            raise NotFound("Notification group not found")
        if record.is_default:
            raise ValidationFailed("the default notification group cannot be deleted")
        now = clock.iso()
        parents: list[ChannelRecord | GroupRecord] = [
            group.model_copy(
                update={"child_group_ids": [i for i in group.child_group_ids if i != group_id], "updated_at": now}
            )
            for group in config.groups.values()
            if group_id in group.child_group_ids and group.id != group_id
        ]
        if len(parents) + 3 > repo.MAX_TRANSACTION_ITEMS:
            raise ValidationFailed("the group belongs to too many notification groups to be deleted at once")
        deleted = [table_keys.mackerel_group(org_id, group_id)]
        repo.commit(config, parents, deleted, limits.give_back(org_id, repo.GROUPS_COUNTER))
        return record

    return group_to_api(_optimistic(org_id, attempt))
