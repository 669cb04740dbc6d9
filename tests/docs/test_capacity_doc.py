"""docs/capacity.md's tables are the bench's capacity model (bench/capacity.py) of the recorded inputs."""

from __future__ import annotations

import dataclasses

from bench.capacity import DOC, INPUTS, doc_block, limits, load_inputs, markdown


def test_the_capacity_doc_matches_the_model_of_the_recorded_inputs() -> None:
    counts = load_inputs(INPUTS)
    assert [c.k for c in counts] == [1, 20]
    assert doc_block(DOC.read_text()) == markdown(counts)


def test_every_limit_binds_later_when_each_notification_costs_less() -> None:
    counts = load_inputs(INPUTS)[0]
    cheaper = dataclasses.replace(
        counts,
        delivery_batch_seconds=counts.delivery_batch_seconds / 2,
        write_units=counts.write_units / 2,
        event_partition_writes=counts.event_partition_writes / 2,
    )
    before = {limit.name: limit.binds_at for limit in limits(counts)}
    after = {limit.name: limit.binds_at for limit in limits(cheaper)}
    assert after.keys() == before.keys()
    assert all(after[name] >= before[name] for name in before)
    assert after["DynamoDB on-demand table writes"] == 2 * before["DynamoDB on-demand table writes"]
