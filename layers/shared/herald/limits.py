"""Per-org caps and daily quotas: their defaults, and the names an operator overrides them by.

One org must not be able to degrade the shared pipeline for every other org (issue 15). Each cap has a
documented default here (docs/security.md lists them and a test keeps the two equal); `herald orgs
limits --org O --NAME N` stores an override for one org (herald.data.limits).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    name: str  # the stored attribute and the CLI option (`--destinations`)
    default: int
    what: str


LIMITS: tuple[Limit, ...] = (
    Limit("alerts", 10, "uptime alerts per org (the seed's limit)"),
    Limit(
        "destinations",
        1000,
        "destinations per family per org: InfluxDB endpoints, Grafana channels, Mackerel channels, "
        "Mackerel groups, OnCall rules",
    ),
    Limit("deliveries-per-event", 1000, "deliveries planned for one event; the rest are recorded skipped"),
    Limit("timers", 10_000, "active timers per org (OnCall wait steps, Grafana reminders)"),
    Limit("email-per-day", 10_000, "email sends per org per UTC day"),
    Limit("sms-per-day", 1000, "SMS sends per org per UTC day"),
    Limit("voice-per-day", 200, "voice calls per org per UTC day"),
    Limit("recipients-per-send", 50, "recipients of one email or SMS send"),
)
DEFAULTS: dict[str, int] = {limit.name: limit.default for limit in LIMITS}

# The kinds whose sends spend a daily quota (the account's shared SES and SNS quotas), by limit name.
DAILY_QUOTAS = {"email": "email-per-day", "sms": "sms-per-day", "voice": "voice-per-day"}
