"""InfluxDB notification endpoints routing: the endpoints an event names in `targets.endpointIDs`.

Only endpoints of the event's own org are found (one Query of the org's endpoints); unknown or malformed
ids are ignored. An inactive endpoint is planned as skipped: its delivery record says so ("skipped",
"endpoint inactive") and nothing is sent. Each type goes to its channel adapter with the settings and
secret names that adapter reads.
"""

from __future__ import annotations

from herald.events import StoredEvent
from herald.families.influxdb import store as repo
from herald.families.influxdb.store import EndpointRecord
from herald.observability import logger
from herald.routing import batch_reads
from herald.routing.plan import PlannedDelivery

FAMILY = "influxdb"
INACTIVE = "endpoint inactive"


def _normalised(value: object) -> str | None:
    text = str(value).lower()
    if len(text) == 16 and all(c in "0123456789abcdef" for c in text) and int(text, 16):
        return text
    return None


def _delivery_settings(endpoint: EndpointRecord) -> tuple[str, dict[str, str], dict[str, str]]:
    """(kind, config, sealed) for the endpoint's adapter."""
    config, sealed = endpoint.config, endpoint.sealed
    if endpoint.type == "slack":
        return "slack", {}, {k: v for k, v in sealed.items() if k in ("webhookUrl", "token")}
    if endpoint.type == "http":
        plain = {k: config[k] for k in ("method", "authMethod", "headers", "contentTemplate") if config.get(k)}
        return "http", plain, {k: v for k, v in sealed.items() if k in ("url", "username", "password", "token")}
    if endpoint.type == "pagerduty":
        plain = {"clientUrl": config["clientURL"]} if config.get("clientURL") else {}
        return "pagerduty", plain, {k: v for k, v in sealed.items() if k == "routingKey"}
    return "telegram", {"chatId": config.get("channel", "")}, {k: v for k, v in sealed.items() if k == "token"}


def route(event: StoredEvent, now: float) -> list[PlannedDelivery]:
    named = [_normalised(v) for v in (event.targets.get("endpointIDs") or [])]
    wanted = list(dict.fromkeys(v for v in named if v))
    if not wanted:
        return []
    listed = batch_reads.read("influxdb", event.org_id, lambda: repo.list_endpoints(event.org_id))
    endpoints = {e.id: e for e in listed}
    planned = []
    for endpoint_id in wanted:
        endpoint = endpoints.get(endpoint_id)
        if endpoint is None:
            logger.info("event names an unknown endpoint", extra={"endpoint_id": endpoint_id, "event_id": event.id})
            continue
        kind, config, sealed = _delivery_settings(endpoint)
        planned.append(
            PlannedDelivery(
                kind=kind,
                family=FAMILY,
                destination_id=endpoint.id,
                destination_name=endpoint.name,
                config=config,
                sealed=sealed,
                skip_reason=None if endpoint.status == "active" else INACTIVE,
            )
        )
    return planned
