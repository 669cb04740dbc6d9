"""Fan-out: route each new event, then hand its planned deliveries to the one enqueue path.

SQS messages are collected over the whole stream batch and sent ten at a time, so a batch of events
costs ⌈deliveries / 10⌉ SendMessageBatch calls. A record whose routing or whose queueing failed is
reported back to the stream; replaying it is harmless (delivery ids are deterministic and the records
are written only when absent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from herald import clock, incidents
from herald.data import limits
from herald.delivery.enqueue import Batch
from herald.events import StoredEvent
from herald.families.grafana import routing as grafana
from herald.families.influxdb import routing as influxdb
from herald.families.mackerel import routing as mackerel
from herald.families.oncall import routing as oncall
from herald.families.uptime import routing as uptime
from herald.observability import logger, metrics
from herald.routing import batch_reads
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


def fan_out(records: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Takes (sequence number, new image) pairs; returns the sequence numbers that failed."""
    now = clock.epoch()
    batch = Batch()
    with batch_reads.one_read_per_batch():
        for sequence, image in records:
            try:
                event = StoredEvent.from_item(image)
                planned = plan_event(event, now)
            except Exception:
                logger.exception("fan-out failed for record", extra={"sequence": sequence})
                batch.failed.add(sequence)
                continue
            metrics.add_metric(name="DeliveriesPlanned", unit="Count", value=batch.add(event, planned, sequence))
    return sorted(batch.flush())
