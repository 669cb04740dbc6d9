"""A destination named across families: `grafana:<uid>`, `influxdb:<endpointID>`, `mackerel:<channelId>`,
`uptime:<alertId>`, `oncall:<userId>`. Templates use the name for per-destination overrides; the console
lists every family's destinations under it."""

from __future__ import annotations

from dataclasses import dataclass, field

from herald.domain.destination_names import split
from herald.errors import NotFound
from herald.families.grafana import routing as grafana_routing
from herald.families.grafana import store as grafana_channels
from herald.families.influxdb import store as notification_endpoints
from herald.families.influxdb.routing import _delivery_settings as influxdb_settings
from herald.families.mackerel import store as notification_groups
from herald.families.mackerel.routing import delivery_for as mackerel_delivery
from herald.families.oncall import store as oncall
from herald.families.oncall.escalations import contact
from herald.families.uptime import store as alerts_repo

ONCALL_RULES = {
    "email": "notify_by_email",
    "sms": "notify_by_sms",
    "voice": "notify_by_phone_call",
    "slack": "notify_by_slack",
    "telegram": "notify_by_telegram",
    "webhook": "notify_by_webhook",
    "teams": "notify_by_msteams",
}


@dataclass(frozen=True)
class Destination:
    ref: str
    family: str  # as delivery records name it
    kind: str
    name: str
    match: str  # `family:destinationId` as a delivery record names it
    config: dict[str, str] = field(default_factory=dict)
    sealed: dict[str, str] = field(default_factory=dict)


def resolve(org_id: str, ref: str, kind: str | None = None) -> Destination:
    """The destination a ref names, with its adapter settings; NotFound when it does not exist. For an
    OnCall user, `kind` picks the contact (the user's Slack webhook for `slack`, …)."""
    prefix, ident = split(ref)
    missing = f"Destination {ref} not found"
    if prefix == "uptime":
        try:
            alert = alerts_repo.get(org_id, ident)
        except NotFound:
            raise NotFound(missing) from None
        config = {**alert.config, "alertId": alert.id, "alertName": alert.name}
        return Destination(ref, "alerts", alert.strategy, alert.name, f"alerts:{alert.id}", config, alert.sealed)
    if prefix == "grafana":
        return _grafana(grafana_channels.get_by_uid(org_id, ident, missing))
    if prefix == "influxdb":
        found = {e.id: e for e in notification_endpoints.list_endpoints(org_id)}.get(ident)
        if found is None:
            raise NotFound(missing)
        endpoint_kind, config, sealed = influxdb_settings(found)
        return Destination(ref, "influxdb", endpoint_kind, found.name, f"influxdb:{found.id}", config, sealed)
    if prefix == "mackerel":
        group_channel = notification_groups.load(org_id).channels.get(ident)
        planned = mackerel_delivery(group_channel, "triggered", "critical") if group_channel else None
        if group_channel is None or planned is None:
            raise NotFound(missing)
        return Destination(
            ref,
            "mackerel",
            planned.kind,
            group_channel.name,
            f"mackerel:{group_channel.id}",
            planned.config,
            planned.sealed,
        )
    user = oncall.get_user(org_id, ident)
    if user is None:
        raise NotFound(missing)
    route = contact(user, ONCALL_RULES.get(kind or "email", "notify_by_email"))
    chosen, config, sealed = ("email", {"email": user.email}, {}) if isinstance(route, str) else route
    return Destination(ref, "oncall", chosen, user.username, f"oncall:{user.id}", config, sealed)


def _grafana(channel: grafana_channels.ChannelRecord) -> Destination:
    planned = grafana_routing.planned(channel)  # the kind and settings a delivery to the channel gets
    ref, match = f"grafana:{channel.uid}", f"grafana:{channel.id}"
    return Destination(ref, "grafana", planned.kind, channel.name, match, planned.config, planned.sealed)


def list_all(org_id: str) -> list[Destination]:
    """Every destination of the org across the five families, with sealed adapter settings."""
    found: list[Destination] = []
    for alert in alerts_repo.list_for_org(org_id):
        config = {**alert.config, "alertId": alert.id, "alertName": alert.name}
        found.append(
            Destination(
                f"uptime:{alert.id}", "alerts", alert.strategy, alert.name, f"alerts:{alert.id}", config, alert.sealed
            )
        )
    found.extend(_grafana(channel) for channel in grafana_channels.list_for_org(org_id))
    for endpoint in notification_endpoints.list_endpoints(org_id):
        kind, config, sealed = influxdb_settings(endpoint)
        found.append(
            Destination(
                f"influxdb:{endpoint.id}", "influxdb", kind, endpoint.name, f"influxdb:{endpoint.id}", config, sealed
            )
        )
    for mackerel_channel in notification_groups.load(org_id).channels.values():
        planned = mackerel_delivery(mackerel_channel, "triggered", "critical")
        config, sealed = (planned.config, planned.sealed) if planned else ({}, {})
        ref, match = f"mackerel:{mackerel_channel.id}", f"mackerel:{mackerel_channel.id}"
        found.append(
            Destination(ref, "mackerel", mackerel_channel.channel_type, mackerel_channel.name, match, config, sealed)
        )
    for user in oncall.list_users(org_id):
        found.append(Destination(f"oncall:{user.id}", "oncall", "oncall", user.username, f"oncall:{user.id}"))
    return found
