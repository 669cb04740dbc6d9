"""Fair delivery between orgs (issue 15, item 3), on moto, through the real fan-out and delivery handlers, to
real loopback receivers:
- a slow or hostile receiver stalls only its own org's deliveries: the delivery batch's threads go to the
  org with the fewest sends in flight (herald/delivery/batch.py), and a send ends at its total deadline;
- every delivery message names its org, in its body (the batch's fair turns) and as its SQS MessageGroupId
  (fair queues), on the fan-out's messages and on the fresh message that carries a retry on."""

# ruff: noqa: F811  (the pipeline fixtures are imported from test_pipeline and named as parameters)
from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from herald import ids, settings
from herald.auth.api_keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import orgs
from tests.support.pipeline import (  # noqa: F401  (fixtures)
    Pipeline,
    account,
    atomic_moto,
    count_calls,
    pipe,
    receiver,
    shared_receiver,
)
from tests.support.receiver import Receiver, Reply
from tests.support.trickle import Trickle

DEADLINE = 4.0
A_SENDS, B_SENDS, BATCHES = 4, 2, 2  # per batch


def configure(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings.get_settings.cache_clear()


def test_a_trickling_receiver_does_not_hold_back_another_orgs_deliveries(
    pipe: Pipeline,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    record_property: Callable[[str, Any], None],
) -> None:
    # Given four sender threads, a 4 s send deadline, org A's alert to a receiver that answers one byte a
    # second, and org B's alert to a healthy receiver
    configure(monkeypatch, HERALD_SEND_DEADLINE_SECONDS=str(DEADLINE), HERALD_DELIVERY_CONCURRENCY="4")
    trickle = Trickle(interval=1.0)
    org_b = ids.org_id()
    orgs.ensure(org_b)
    neighbour = dataclasses.replace(pipe, token=create_key(org_b, list(ALL_SCOPES)))
    try:
        pipe.create_alert(trickle.url("/a"), cooldownMinutes=0)
        neighbour.create_alert(receiver.url("/b"), cooldownMinutes=0)
        a_events = [pipe.post_event(monitorId="mon_a") for _ in range(A_SENDS * BATCHES)]
        b_events = [neighbour.post_event(monitorId="mon_b") for _ in range(B_SENDS * BATCHES)]
        pipe.fan_out_events(*a_events, *b_events)

        # When two SQS batches (two containers at once) each hold 4 of A's messages first, then 2 of B's
        # (a first-come loop would give A every thread)
        queued = pipe.receive(100)
        a_messages = [m for m in queued if json.loads(m["Body"])["orgId"] != org_b]
        b_messages = [m for m in queued if json.loads(m["Body"])["orgId"] == org_b]
        assert (len(a_messages), len(b_messages)) == (A_SENDS * BATCHES, B_SENDS * BATCHES)
        batches = [
            a_messages[n * A_SENDS : (n + 1) * A_SENDS] + b_messages[n * B_SENDS : (n + 1) * B_SENDS]
            for n in range(BATCHES)
        ]
        started = time.time()
        with ThreadPoolExecutor(BATCHES) as containers:
            failed = [f for batch_failed in containers.map(pipe.deliver, batches) for f in batch_failed]
        took = time.time() - started

        # Then B's deliveries arrived long before A's sends reached their deadline
        b_latency = [r.at - started for r in receiver.wait_for(B_SENDS * BATCHES, timeout=5, path="/b")]
        assert len(b_latency) == B_SENDS * BATCHES
        assert max(b_latency) < DEADLINE / 2, b_latency
        b_status = [d["status"] for e in b_events for d in neighbour.deliveries(e)]
        assert b_status == ["delivered"] * B_SENDS * BATCHES
        # And A's messages come back as retries, each cut off at the deadline with the reason
        assert len(trickle.arrivals) == A_SENDS * BATCHES
        assert sorted(failed) == sorted(m["MessageId"] for m in a_messages)
        a_records = [d for e in a_events for d in pipe.deliveries(e)]
        assert {d["status"] for d in a_records} == {"pending"}
        assert all(f"{DEADLINE:g} s send deadline" in str(d["lastError"]) for d in a_records), a_records
        # And the batches ended at about one deadline: every message had a thread at once
        assert took < 2 * DEADLINE
    finally:
        trickle.close()
    record_property(
        "security",
        f"the neighbour's latency under a trickling receiver: org B's {B_SENDS * BATCHES} webhooks arrived "
        f"{min(b_latency) * 1000:.0f}-{max(b_latency) * 1000:.0f} ms after their batches started, while org "
        f"A's {A_SENDS * BATCHES} sends to a receiver answering 1 byte/s (listed first in each of {BATCHES} "
        f"concurrent batches, 4 sender threads each) held until the {DEADLINE:g} s send deadline and were "
        "retried",
    )


def org_named(message: dict[str, Any]) -> tuple[str, str]:
    return json.loads(message["Body"])["orgId"], message["Attributes"]["MessageGroupId"]


def test_fanned_out_and_rescheduled_messages_are_in_their_orgs_message_group(
    pipe: Pipeline, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one send per message and a receiver that is down
    configure(monkeypatch, HERALD_MAX_ATTEMPTS="1", HERALD_RETRY_BASE_SECONDS="0.1")
    receiver.default = Reply(status=500, body=b"down")
    try:
        org = pipe.api.get("/v1/console/session", token=pipe.token).json()["orgId"]
        pipe.create_alert(receiver.url("/down"))
        pipe.fan_out_events(pipe.post_event())

        # When the fan-out's message is sent and fails, spending the message's only attempt
        [first] = pipe.receive()
        assert org_named(first) == (org, org)
        sends = count_calls("SendMessageBatch")
        assert pipe.deliver([first]) == []  # done: a fresh message carries the retry on

        # Then the fresh message is in the org's group too
        assert [e.get("MessageGroupId") for c in sends for e in c["Entries"]] == [org]
        deadline = time.time() + 5
        while not (fresh := pipe.receive()) and time.time() < deadline:
            time.sleep(0.2)
        assert [org_named(m) for m in fresh] == [(org, org)]
    finally:
        receiver.default = Reply()
