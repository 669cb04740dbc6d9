"""`--scope` values: every scope of herald.auth.scopes, shown grouped by the API family that checks it."""

from __future__ import annotations

from herald.auth.scopes import ALL_SCOPES
from herald.cli.failures import CliError

# Which family checks a scope's resource; a resource missing here is listed under "other".
FAMILY_OF_RESOURCE = {
    "events": "Herald events (/v1/events)",
    "alerts": "uptime alerts (/v1/alerts)",
    "endpoints": "InfluxDB (/api/v2/notificationEndpoints)",
    "notifications": "Grafana (/api/alert-notifications)",
    "channels": "Mackerel (/api/v0/channels, /notification-groups)",
    "groups": "Mackerel (/api/v0/channels, /notification-groups)",
    "rules": "Grafana OnCall (/api/v1/personal_notification_rules, /users)",
    "users": "Grafana OnCall (/api/v1/personal_notification_rules, /users)",
}


def grouped() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for scope in ALL_SCOPES:
        family = FAMILY_OF_RESOURCE.get(scope.split(":", 1)[0], "other")
        groups.setdefault(family, []).append(scope)
    return groups


def epilog() -> str:
    """The scopes, one family a line, for the end of `keys create --help`."""
    groups = grouped()
    width = max(len(family) for family in groups)
    lines = [f"  {family.ljust(width)}  {'  '.join(scopes)}" for family, scopes in groups.items()]
    return "scopes by family (`all` is every one of them):\n" + "\n".join(lines)


SCOPE_HELP = "a scope the key carries; repeat or separate with commas; `all` adds every scope (see the list below)"


def expand_scopes(values: list[str]) -> list[str]:
    """`--scope a --scope b,c --scope all` → the sorted set; an unknown scope is a one-line error."""
    wanted: set[str] = set()
    for value in values:
        for scope in (part.strip() for part in value.split(",")):
            if scope == "all":
                wanted.update(ALL_SCOPES)
            elif scope in ALL_SCOPES:
                wanted.add(scope)
            elif scope:
                raise CliError(f"unknown scope {scope!r}; `herald keys create --help` lists them", code=2)
    if not wanted:
        raise CliError("give at least one --scope", code=2)
    return sorted(wanted)
