"""Fan-out: route each new event, write one delivery record per destination, queue the sends.

SQS messages are collected over the whole stream batch and sent ten at a time, so a batch of events
costs ⌈deliveries / 10⌉ SendMessageBatch calls. A record whose routing or whose queueing failed is
reported back to the stream; replaying it is harmless (delivery ids are deterministic and the records
are written only when absent).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from herald import clock, ids, incidents
from herald.aws import client
from herald.data import deliveries as deliveries_repo
from herald.data.deliveries import DeliveryRecord
from herald.observability import logger, metrics
from herald.routing import batch_reads, grafana, influxdb, mackerel, oncall, uptime
from herald.routing.plan import PlannedDelivery, StoredEvent
from herald.settings import get_settings

Router = Callable[[StoredEvent, float], list[PlannedDelivery]]
ROUTERS: list[Router] = [uptime.route]
ROUTERS.append(mackerel.route)
ROUTERS.append(oncall.route)
ROUTERS.append(grafana.route)
ROUTERS.append(influxdb.route)


@dataclass(frozen=True)
class QueuedSend:
    kind: str
    event_id: str
    delivery_id: str
    source: str  # the stream record's sequence number

    def body(self) -> str:
        return json.dumps({"eventId": self.event_id, "deliveryId": self.delivery_id})


def plan_event(event: StoredEvent, now: float) -> list[PlannedDelivery]:
    planned: dict[str, PlannedDelivery] = {}
    for router in ROUTERS:
        for delivery in router(event, now):
            planned.setdefault(delivery.destination_key, delivery)
    return incidents.only_those_told(event, list(planned.values()))


def record_deliveries(event: StoredEvent, planned: list[PlannedDelivery]) -> list[tuple[str, str]]:
    """Writes the records that do not exist yet; returns (kind, delivery id) of every pending one."""
    at = clock.iso()
    pending = []
    for item in planned:
        record = DeliveryRecord(
            id=ids.delivery_id(event.id, item.destination_key),
            event_id=event.id,
            org_id=event.org_id,
            kind=item.kind,
            family=item.family,
            destination_id=item.destination_id,
            destination_name=item.destination_name,
            config=item.config,
            sealed=item.sealed,
            message=event.snapshot,
            created_at=event.snapshot.get("createdAt", at),
            updated_at=at,
            alert_id=item.alert_id,
            monitor_id=event.monitor_id,
            event_status=event.status,
            expires_at=event.expires_at,
        )
        if item.skip_reason is not None:
            record.status, record.last_error = "skipped", item.skip_reason
            deliveries_repo.put_if_absent(record)
            continue
        if not deliveries_repo.put_if_absent(record):
            existing = deliveries_repo.get(event.id, record.id)
            if existing is None or existing.status != "pending":
                continue
        pending.append((record.kind, record.id))
    return pending


def fan_out(records: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Takes (sequence number, new image) pairs; returns the sequence numbers that failed."""
    now = clock.epoch()
    failed: set[str] = set()
    sends: list[QueuedSend] = []
    with batch_reads.one_read_per_batch():
        for sequence, image in records:
            try:
                event = StoredEvent.from_item(image)
                pending = record_deliveries(event, plan_event(event, now))
                sends.extend(QueuedSend(kind, event.id, delivery_id, sequence) for kind, delivery_id in pending)
                metrics.add_metric(name="DeliveriesPlanned", unit="Count", value=len(pending))
            except Exception:
                logger.exception("fan-out failed for record", extra={"sequence": sequence})
                failed.add(sequence)
    failed |= send_batches([s for s in sends if s.source not in failed])
    return sorted(failed)


def send_batches(sends: list[QueuedSend]) -> set[str]:
    by_kind: dict[str, list[QueuedSend]] = defaultdict(list)
    for send in sends:
        by_kind[send.kind].append(send)
    failed: set[str] = set()
    sqs = client("sqs")
    for kind, group in by_kind.items():
        queue_url = get_settings().queue_url(kind)
        for start in range(0, len(group), 10):
            chunk = group[start : start + 10]
            try:
                response = sqs.send_message_batch(
                    QueueUrl=queue_url,
                    Entries=[{"Id": str(i), "MessageBody": s.body()} for i, s in enumerate(chunk)],
                )
            except Exception:
                logger.exception("SendMessageBatch failed", extra={"kind": kind})
                failed.update(s.source for s in chunk)
                continue
            by_id = {str(i): s for i, s in enumerate(chunk)}
            for entry in response.get("Failed", []):
                unknown = str(entry.get("Id")) not in by_id
                failed.update(s.source for s in chunk) if unknown else failed.add(by_id[str(entry["Id"])].source)
    return failed
