"""How a destination is named across families (`grafana:<uid>`, `influxdb:<endpointID>`,
`mackerel:<channelId>`, `uptime:<alertId>`, `oncall:<userId>`), and how a delivery record names it."""

from __future__ import annotations

from herald.errors import ValidationFailed

PREFIXES = ("grafana", "influxdb", "mackerel", "uptime", "oncall")


def split(ref: str) -> tuple[str, str]:
    prefix, _, ident = ref.partition(":")
    if prefix not in PREFIXES or not ident:
        raise ValidationFailed(f"destinationRef must be one of {', '.join(p + ':<id>' for p in PREFIXES)}")
    return prefix, ident


def record_match(family: str, destination_id: str) -> str:
    """What a delivery record's destination is called in `Destination.match` (OnCall steps and Grafana
    reminders carry a `:suffix` after the user or channel id)."""
    return f"{family}:{destination_id.split(':', 1)[0]}"
