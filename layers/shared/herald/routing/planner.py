"""Which destinations an event reaches across every family: each family's routing, one delivery per
destination, incidents' told-once rule, and the org's deliveries-per-event cap."""

from __future__ import annotations

from collections.abc import Callable

from herald import incidents
from herald.data import limits
from herald.events import StoredEvent
from herald.families.grafana import routing as grafana
from herald.families.influxdb import routing as influxdb
from herald.families.mackerel import routing as mackerel
from herald.families.oncall import routing as oncall
from herald.families.uptime import routing as uptime
from herald.routing.plan import PlannedDelivery, capped

Router = Callable[[StoredEvent, float], list[PlannedDelivery]]
ROUTERS: list[Router] = [uptime.route]
ROUTERS.append(mackerel.route)
ROUTERS.append(oncall.route)
ROUTERS.append(grafana.route)
ROUTERS.append(influxdb.route)


def plan_event(event: StoredEvent, now: float) -> list[PlannedDelivery]:
    planned: dict[str, PlannedDelivery] = {}
    for router in ROUTERS:
        for delivery in router(event, now):
            planned.setdefault(delivery.destination_key, delivery)
    told = incidents.only_those_told(event, list(planned.values()))
    return capped(told, limits.limit(event.org_id, "deliveries-per-event"))
