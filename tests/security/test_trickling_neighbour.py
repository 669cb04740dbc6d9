"""A slow or hostile receiver stalls only its own org's deliveries (issue 15, item 3): the delivery batch's
threads go to the org with the fewest sends in flight (herald/delivery/batch.py), and a send ends at its
total deadline. On moto, through the real fan-out and delivery handlers, to real loopback receivers."""

# ruff: noqa: F811  (the pipeline fixtures are imported from test_pipeline and named as parameters)
from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from herald import ids, settings
from herald.auth.keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import orgs
from tests.integration.test_pipeline import (  # noqa: F401  (fixtures)
    Pipeline,
    account,
    atomic_moto,
    pipe,
    receiver,
    shared_receiver,
)
from tests.support.receiver import Receiver
from tests.support.trickle import Trickle

DEADLINE = 3.0
A_SENDS, B_SENDS = 4, 2


def test_a_trickling_receiver_does_not_hold_back_another_orgs_deliveries(
    pipe: Pipeline,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    record_property: Callable[[str, Any], None],
) -> None:
    # Given four sender threads, a 3 s send deadline, org A's alert to a receiver that answers one byte a
    # second, and org B's alert to a healthy receiver
    monkeypatch.setenv("HERALD_SEND_DEADLINE_SECONDS", str(DEADLINE))
    monkeypatch.setenv("HERALD_DELIVERY_CONCURRENCY", "4")
    settings.get_settings.cache_clear()
    trickle = Trickle(interval=1.0)
    org_b = ids.org_id()
    orgs.ensure(org_b)
    neighbour = dataclasses.replace(pipe, token=create_key(org_b, list(ALL_SCOPES)))
    try:
        pipe.create_alert(trickle.url("/a"), cooldownMinutes=0)
        neighbour.create_alert(receiver.url("/b"), cooldownMinutes=0)
        a_events = [pipe.post_event(monitorId="mon_a") for _ in range(A_SENDS)]
        b_events = [neighbour.post_event(monitorId="mon_b") for _ in range(B_SENDS)]
        pipe.fan_out_events(*a_events, *b_events)

        # When one SQS batch holds A's messages first, then B's (a FIFO loop would give A every thread)
        messages = sorted(pipe.receive(100), key=lambda m: json.loads(m["Body"])["orgId"] == org_b)
        a_ids = {m["MessageId"] for m in messages if json.loads(m["Body"])["orgId"] != org_b}
        assert len(messages) == A_SENDS + B_SENDS and len(a_ids) == A_SENDS
        started = time.time()
        failed = pipe.deliver(messages)
        took = time.time() - started

        # Then B's deliveries arrived long before A's sends reached their deadline
        b_latency = [r.at - started for r in receiver.wait_for(B_SENDS, timeout=5, path="/b")]
        assert len(b_latency) == B_SENDS
        assert max(b_latency) < DEADLINE / 2, b_latency
        assert [d["status"] for e in b_events for d in neighbour.deliveries(e)] == ["delivered"] * B_SENDS
        # And A's messages come back as retries, each cut off at the deadline with the reason
        assert len(trickle.arrivals) == A_SENDS
        assert set(failed) == a_ids
        a_records = [d for e in a_events for d in pipe.deliveries(e)]
        assert {d["status"] for d in a_records} == {"pending"}
        assert all("3 s send deadline" in str(d["lastError"]) for d in a_records), a_records
        # And the batch ended at about one deadline: every message had a thread at once
        assert took < 2 * DEADLINE
    finally:
        trickle.close()
    record_property(
        "security",
        f"the neighbour's latency under a trickling receiver: org B's {B_SENDS} webhooks arrived "
        f"{min(b_latency) * 1000:.0f}-{max(b_latency) * 1000:.0f} ms after the batch started, while org A's "
        f"{A_SENDS} sends to a receiver answering 1 byte/s (listed first in the batch, 4 sender threads) held "
        f"until the {DEADLINE:g} s send deadline and were retried",
    )
