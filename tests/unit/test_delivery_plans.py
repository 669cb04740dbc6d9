"""An event's delivery plan (herald.data.plans): chunking, the item's round trip, planned records."""

from __future__ import annotations

from herald.data import plans, table_keys
from herald.data.plans import PlanChunk, PlanEntry


def entry(i: int, secret_bytes: int = 0) -> PlanEntry:
    return PlanEntry(
        id=f"dlv_{i:04d}",
        kind="webhook",
        family="alerts",
        destination_id=f"alt_{i:04d}",
        destination_name=f"hook {i}",
        config={"alertId": f"alt_{i:04d}"},
        sealed={"url": "x" * secret_bytes} if secret_bytes else {},
        alert_id=f"alt_{i:04d}",
    )


def chunk(entries: list[PlanEntry]) -> PlanChunk:
    return PlanChunk(
        event_id="evt_1",
        chunk=3,
        org_id="org_1",
        created_at="2026-11-29T12:00:00.000Z",
        planned_at="2026-11-29T12:00:01.000Z",
        planned_epoch=1_795_000_000.5,
        event_status="recovered",
        monitor_id="mon_1",
        dedup_key="db-down",
        expires_at=1_797_000_000,
        entries=entries,
    )


def test_entries_are_chunked_by_count() -> None:
    groups = plans.chunked(entry(i) for i in range(250))
    assert [len(g) for g in groups] == [100, 100, 50]
    assert [e.id for g in groups for e in g] == [f"dlv_{i:04d}" for i in range(250)]


def test_entries_are_chunked_by_size_before_the_item_limit() -> None:
    groups = plans.chunked(entry(i, secret_bytes=20_000) for i in range(40))
    assert len(groups) > 1 and all(sum(e.size() for e in g) <= plans.CHUNK_BYTES for g in groups)


def test_no_entries_make_no_chunk() -> None:
    assert plans.chunked([]) == []


def test_a_chunk_round_trips_through_its_item() -> None:
    original = chunk([entry(1, 10), entry(2)])
    item = original.to_item()
    assert {k: item[k] for k in ("pk", "sk")} == table_keys.plan("evt_1", 3)
    assert item["ids"] == ["dlv_0001", "dlv_0002"] and item["gsi2pk"] == table_keys.pending_bucket(1_795_000_000.5)
    assert PlanChunk.from_item(item) == original


def test_a_planned_delivery_is_a_pending_record_that_refers_to_its_chunk() -> None:
    planned = chunk([entry(1, 10), entry(2)])
    [record] = plans.unclaimed([planned], recorded={"dlv_0001"})
    assert (record.id, record.status, record.attempts, record.plan) == ("dlv_0002", "pending", 0, "00003")
    assert (record.event_status, record.dedup_key, record.created_at) == ("recovered", "db-down", planned.created_at)
    item = record.to_item()
    assert "sealed" not in item and "config" not in item and "message" not in item
