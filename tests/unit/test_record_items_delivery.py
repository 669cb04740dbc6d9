"""Stored item shapes of delivery records, plan chunks and templates: items captured from the code before
these records moved onto the record base class; each reads its item and writes it back unchanged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from herald.data.deliveries import DeliveryRecord
from herald.data.plans import PlanChunk
from herald.templates.spec import Spec
from herald.templates.store import StoredTemplate

PENDING_DELIVERY_ITEM: dict[str, Any] = {
    "pk": "EVENT#evt_1",
    "sk": "DELIVERY#dlv_1",
    "type": "delivery",
    "id": "dlv_1",
    "eventId": "evt_1",
    "orgId": "org1",
    "kind": "webhook",
    "family": "uptime",
    "destinationId": "alt_1",
    "destinationName": "Disk",
    "status": "pending",
    "attempts": Decimal(1),
    "createdAt": "2026-01-01T00:00:00+00:00",
    "updatedAt": "2026-01-01T00:00:01+00:00",
    "eventStatus": "triggered",
    "plan": "00000",
    "dedupKey": "dk1",
    "leaseUntil": Decimal("1767225630.123"),
    "retrySince": Decimal("1767225600.5"),
    "monitorId": "mon_1",
    "ttl": Decimal(1769817600),
    "gsi2pk": "PENDING#490896",
    "gsi2sk": "0001767225600.000#evt_1#dlv_1",
}

DELIVERED_ITEM: dict[str, Any] = {
    "pk": "EVENT#evt_2",
    "sk": "DELIVERY#dlv_2",
    "type": "delivery",
    "id": "dlv_2",
    "eventId": "evt_2",
    "orgId": "org1",
    "kind": "slack",
    "family": "uptime",
    "destinationId": "alt_2",
    "destinationName": "Ops",
    "status": "delivered",
    "attempts": Decimal(2),
    "createdAt": "2026-01-01T00:00:00+00:00",
    "updatedAt": "2026-01-01T00:00:05+00:00",
    "eventStatus": "resolved",
    "plan": "00001",
    "quietUntil": Decimal("1767225700.0"),
    "sweeps": Decimal(1),
    "lastError": "HTTP 500",
    "deliveredAt": "2026-01-01T00:00:05+00:00",
    "alertId": "alt_2",
    "gsi1pk": "ALERT#alt_2",
    "gsi1sk": "2026-01-01T00:00:00+00:00#evt_2",
}

LEGACY_DELIVERY_ITEM: dict[str, Any] = {
    "pk": "EVENT#evt_3",
    "sk": "DELIVERY#dlv_3",
    "type": "delivery",
    "id": "dlv_3",
    "eventId": "evt_3",
    "orgId": "org1",
    "kind": "email",
    "family": "mackerel",
    "destinationId": "ch1",
    "destinationName": "Mail",
    "status": "failed",
    "attempts": Decimal(5),
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-01T00:10:00Z",
    "eventStatus": "triggered",
    "config": {"email": "a@b.c"},
    "sealed": {"url": "CIPH"},
    "message": {
        "title": "Down",
        "severity": "critical",
        "count": Decimal(3),
        "ratio": Decimal("0.5"),
        "tags": ["a", "b"],
        "nested": {"x": Decimal(1)},
    },
    "lastError": "gone",
}

PLAN_CHUNK_ITEM: dict[str, Any] = {
    "pk": "EVENT#evt_1",
    "sk": "PLAN#00002",
    "type": "plan",
    "eventId": "evt_1",
    "orgId": "org1",
    "createdAt": "2026-01-01T00:00:00+00:00",
    "plannedAt": "2026-01-01T00:00:00.5+00:00",
    "eventStatus": "triggered",
    "ids": ["dlv_1", "dlv_4"],
    "entries": [
        {
            "id": "dlv_1",
            "kind": "webhook",
            "family": "uptime",
            "destinationId": "alt_1",
            "destinationName": "Disk",
            "config": {"method": "POST"},
            "sealed": {"url": "CIPH"},
            "alertId": "alt_1",
        },
        {"id": "dlv_4", "kind": "email", "family": "grafana", "destinationId": "7", "destinationName": ""},
    ],
    "gsi2pk": "PENDING#490896",
    "gsi2sk": "0001767225600.500#evt_1#00002",
    "monitorId": "mon_1",
    "dedupKey": "dk1",
    "ttl": Decimal(1769817600),
}

EMPTY_PLAN_CHUNK_ITEM: dict[str, Any] = {
    "pk": "EVENT#evt_5",
    "sk": "PLAN#00000",
    "type": "plan",
    "eventId": "evt_5",
    "orgId": "org2",
    "createdAt": "2026-01-01T00:00:00Z",
    "plannedAt": "2026-01-01T00:00:00Z",
    "eventStatus": "triggered",
    "ids": [],
    "entries": [],
    "gsi2pk": "PENDING#490896",
    "gsi2sk": "0001767225600.000#evt_5#00000",
}

KIND_TEMPLATE_ITEM: dict[str, Any] = {
    "pk": "ORG#org1",
    "sk": "TEMPLATE#slack#*",
    "type": "template",
    "kind": "slack",
    "updatedAt": "2026-01-02T00:00:00Z",
    "text": "hello",
}

DESTINATION_TEMPLATE_ITEM: dict[str, Any] = {
    "pk": "ORG#org1",
    "sk": "TEMPLATE#webhook#uptime:alt_1",
    "type": "template",
    "kind": "webhook",
    "updatedAt": "2026-01-02T00:00:00Z",
    "title": "T {{title}}",
    "body": '{"a":1}',
    "destinationRef": "uptime:alt_1",
    "match": "uptime:alt_1",
}


@pytest.mark.parametrize("item", [PENDING_DELIVERY_ITEM, DELIVERED_ITEM, LEGACY_DELIVERY_ITEM])
def test_delivery_item_round_trips(item: dict[str, Any]) -> None:
    written = DeliveryRecord.from_item(item).to_item()
    assert written == item
    for name in ("leaseUntil", "retrySince", "quietUntil"):
        if name in written:
            assert isinstance(written[name], Decimal)


@pytest.mark.parametrize("item", [PLAN_CHUNK_ITEM, EMPTY_PLAN_CHUNK_ITEM])
def test_plan_chunk_item_round_trips(item: dict[str, Any]) -> None:
    assert PlanChunk.from_item(item).to_item() == item


@pytest.mark.parametrize("item", [KIND_TEMPLATE_ITEM, DESTINATION_TEMPLATE_ITEM])
def test_template_item_round_trips(item: dict[str, Any]) -> None:
    assert StoredTemplate.from_item(item).to_item() == item


def test_pending_delivery_fields() -> None:
    record = DeliveryRecord.from_item(PENDING_DELIVERY_ITEM)
    assert (record.id, record.event_id, record.org_id, record.plan, record.dedup_key) == (
        "dlv_1",
        "evt_1",
        "org1",
        "00000",
        "dk1",
    )
    assert record.status == "pending" and record.attempts == 1
    assert record.lease_until == pytest.approx(1767225630.123) and isinstance(record.lease_until, float)
    assert record.retry_since == pytest.approx(1767225600.5)
    assert record.expires_at == 1769817600 and isinstance(record.expires_at, int)
    assert record.config == {} and record.sealed == {} and record.message is None
    assert record.alert_id is None and record.monitor_id == "mon_1"
    assert record.replays == 0 and record.sweeps == 0 and record.pace_slot is None and record.quiet_until is None
    assert len(str(record.to_item()).encode()) <= 1024


def test_delivered_delivery_fields() -> None:
    record = DeliveryRecord.from_item(DELIVERED_ITEM)
    assert record.status == "delivered" and record.attempts == 2 and record.sweeps == 1
    assert record.alert_id == "alt_2" and record.event_status == "resolved" and record.last_error == "HTTP 500"
    assert record.delivered_at == "2026-01-01T00:00:05+00:00" and record.expires_at is None
    assert record.quiet_until == 1767225700.0 and record.lease_until is None


def test_legacy_delivery_fields() -> None:
    record = DeliveryRecord.from_item(LEGACY_DELIVERY_ITEM)
    assert record.config == {"email": "a@b.c"} and record.sealed == {"url": "CIPH"}
    assert record.message == {
        "title": "Down",
        "severity": "critical",
        "count": 3,
        "ratio": 0.5,
        "tags": ["a", "b"],
        "nested": {"x": 1},
    }
    assert isinstance(record.message["count"], int) and isinstance(record.message["ratio"], float)
    assert record.plan is None and record.dedup_key is None


def test_legacy_delivery_reads_its_dedup_key_from_the_message() -> None:
    item = {**LEGACY_DELIVERY_ITEM, "message": {"title": "Down", "dedupKey": "dk9"}}
    assert DeliveryRecord.from_item(item).dedup_key == "dk9"


def test_delivery_reads_defaults_and_unwritten_attributes() -> None:
    minimal = {k: v for k, v in LEGACY_DELIVERY_ITEM.items() if k not in ("destinationName", "eventStatus", "attempts")}
    record = DeliveryRecord.from_item({**minimal, "paceSlot": Decimal("2.5"), "replays": Decimal(3)})
    assert record.destination_name == "" and record.event_status == "triggered" and record.attempts == 0
    assert record.pace_slot == 2.5 and record.replays == 3
    written = record.to_item()
    assert "paceSlot" not in written and "replays" not in written


def test_delivery_written_omits_empty_and_none() -> None:
    record = DeliveryRecord.from_item(PENDING_DELIVERY_ITEM).model_copy(
        update={"status": "failed", "last_error": "", "sweeps": 0, "dedup_key": "", "plan": None, "monitor_id": None}
    )
    written = record.to_item()
    for name in ("lastError", "sweeps", "dedupKey", "plan", "monitorId", "gsi2pk", "gsi2sk", "gsi1pk", "config"):
        assert name not in written
    assert written["leaseUntil"] == Decimal("1767225630.123")


def test_plan_chunk_fields() -> None:
    chunk = PlanChunk.from_item(PLAN_CHUNK_ITEM)
    assert (chunk.event_id, chunk.chunk, chunk.ref, chunk.org_id) == ("evt_1", 2, "00002", "org1")
    assert chunk.planned_epoch == 1767225600.5 and chunk.planned_at == "2026-01-01T00:00:00.5+00:00"
    assert chunk.expires_at == 1769817600 and chunk.monitor_id == "mon_1" and chunk.dedup_key == "dk1"
    first, second = chunk.entries
    assert first.destination_id == "alt_1" and first.config == {"method": "POST"} and first.alert_id == "alt_1"
    assert second.destination_name == "" and second.config == {} and second.alert_id is None


def test_plan_chunk_planned_at_defaults_to_created_at() -> None:
    item = {k: v for k, v in EMPTY_PLAN_CHUNK_ITEM.items() if k != "plannedAt"}
    assert PlanChunk.from_item(item).planned_at == "2026-01-01T00:00:00Z"


def test_template_fields() -> None:
    kind_wide = StoredTemplate.from_item(KIND_TEMPLATE_ITEM)
    assert (
        kind_wide.org_id == "org1"
        and kind_wide.kind == "slack"
        and kind_wide.destination_ref is None
        and kind_wide.match is None
    )
    assert kind_wide.spec == Spec(text="hello")
    own = StoredTemplate.from_item(DESTINATION_TEMPLATE_ITEM)
    assert own.destination_ref == "uptime:alt_1" and own.match == "uptime:alt_1"
    assert own.spec == Spec(title="T {{title}}", body='{"a":1}') and own.updated_at == "2026-01-02T00:00:00Z"
