"""The delivery batch loop (herald/delivery/batch.py): fair turns between orgs, what each message reports,
the invocation's remaining time, and the thread-safe building of the per-container AWS clients."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
import pytest

from herald import aws, settings
from herald.delivery import batch
from herald.delivery.batch import BatchRun, FairTurns, Item
from herald.delivery.step import QueuedMessage, RetryLater


def item(org: str, n: int) -> Item:
    body = json.dumps({"eventId": f"evt_{org}{n}", "deliveryId": f"dlv_{org}{n}", "orgId": org})
    return batch.read_record({"messageId": f"{org}{n}", "receiptHandle": "r", "body": body}, None)


class Remaining:
    def __init__(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self.until - time.monotonic()) * 1000)


class Recorder:
    """A delivery step that holds org `slow`'s sends until released and counts what runs at once."""

    def __init__(self, slow: str = "") -> None:
        self.slow = slow
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.running: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.started: list[str] = []
        self.others_at_start: dict[str, int] = {}  # a delivery id: the slow org's sends in flight as it started

    def __call__(self, message: QueuedMessage) -> str:
        org = message.event_id[4]
        with self.lock:
            self.started.append(message.delivery_id)
            self.others_at_start[message.delivery_id] = self.running.get(self.slow, 0)
            self.running[org] = self.running.get(org, 0) + 1
            self.peak[org] = max(self.peak.get(org, 0), self.running[org])
        if org == self.slow:
            self.release.wait(5)
        with self.lock:
            self.running[org] -= 1
        return "delivered"


def test_turns_go_to_the_org_with_the_fewest_sends_in_flight() -> None:
    turns = FairTurns([item("a", n) for n in range(6)] + [item("b", n) for n in range(2)] + [item("c", 0)])
    first = [turns.take() for _ in range(5)]
    assert [t.org_id for t in first if t] == ["a", "b", "c", "a", "b"]
    # b and c have nothing left: a may take the rest
    assert [t.message_id for t in iter(turns.take, None)] == ["a2", "a3", "a4", "a5"]


def test_one_orgs_backlog_cannot_take_all_of_a_batchs_threads() -> None:
    # Given a pool of 4 and a batch whose first 8 messages are org a's, all stuck, then 2 of org b's
    step = Recorder(slow="a")
    items = [item("a", n) for n in range(8)] + [item("b", n) for n in range(2)]
    run = BatchRun(items, step, workers=4, context=None, must_leave_seconds=0)
    done = threading.Thread(target=run.run, args=())
    done.start()
    # Then b's messages are sent while every one of a's is still stuck
    deadline = time.monotonic() + 5
    while sum(1 for s in step.started if s.startswith("dlv_b")) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert {"dlv_b0", "dlv_b1"} <= set(step.started)
    # a held at most its equal share of the threads while b's messages waited; then took them all
    assert step.others_at_start["dlv_b0"] <= 2 and step.others_at_start["dlv_b1"] <= 2
    while step.running.get("a", 0) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    step.release.set()
    done.join(10)
    # And every message ran once, a's on every thread once b had none waiting
    assert step.peak["a"] == 4
    assert sorted(step.started) == sorted(f"dlv_{i.message_id}" for i in items)
    assert run.failed == []


def test_what_must_come_back_is_reported_per_message() -> None:
    def step(message: QueuedMessage) -> str:
        if message.delivery_id == "dlv_a1":
            raise RetryLater("500: held 30 s")
        if message.delivery_id == "dlv_a2":
            raise RuntimeError("bug")
        return "delivered"

    unreadable = batch.read_record({"messageId": "junk", "receiptHandle": "r", "body": "{not json"}, None)
    run = BatchRun([item("a", 0), item("a", 1), item("a", 2), unreadable], step, 10, None, 0)
    assert sorted(run.run()) == ["a1", "a2", "junk"]


def test_a_message_left_waiting_past_the_time_a_send_needs_comes_back_unsent() -> None:
    # Given one thread, 2.5 s left and 2 s needed per send: the first message takes 1 s
    started: list[str] = []

    def step(message: QueuedMessage) -> str:
        started.append(message.delivery_id)
        time.sleep(1.0)
        return "delivered"

    run = BatchRun([item("a", 0), item("b", 0), item("a", 1)], step, 1, Remaining(2.5), 2.0)
    assert sorted(run.run()) == ["a1", "b0"]
    assert started == ["dlv_a0"]


def test_the_first_wave_starts_whatever_the_time_left() -> None:
    run = BatchRun([item("a", 0), item("b", 0)], lambda m: "delivered", 2, Remaining(0.1), 20.0)
    assert run.run() == []


@pytest.mark.parametrize(
    "body", ['{"eventId": "e", "deliveryId": "d"}', "[1]", "", '{"eventId": "e", "deliveryId": "d", "orgId": "o"}']
)
def test_the_org_of_a_message_is_read_from_its_body(body: str) -> None:
    assert batch.org_of(body) == ("o" if "orgId" in body else "")


def test_aws_clients_are_built_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # boto3's default session races when two threads build clients at once (boto3 issue 1592)
    building, most = 0, 0
    lock = threading.Lock()

    def slow_client(*_: Any, **__: Any) -> object:
        nonlocal building, most
        with lock:
            building += 1
            most = max(most, building)
        time.sleep(0.05)
        with lock:
            building -= 1
        return object()

    monkeypatch.setattr(boto3, "client", slow_client)
    aws.client.cache_clear()
    try:
        threads = [threading.Thread(target=aws.client, args=(f"svc{n}",)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        aws.client.cache_clear()
    assert most == 1


def test_aws_clients_keep_a_connection_for_every_sender_thread() -> None:
    assert aws.aws_config("dynamodb").max_pool_connections == settings.MAX_DELIVERY_CONCURRENCY


def test_batches_sharing_a_process_do_not_wait_for_each_others_threads() -> None:
    # Given a batch whose every send is stuck (as a poller of one queue on the local stack might hold)
    stuck = Recorder(slow="a")
    first = threading.Thread(target=BatchRun([item("a", n) for n in range(10)], stuck, 10, None, 0).run)
    first.start()
    try:
        # When another batch runs meanwhile, it finishes at once
        started = time.monotonic()
        assert BatchRun([item("b", 0), item("b", 1)], Recorder(), 10, None, 0).run() == []
        assert time.monotonic() - started < 2
    finally:
        stuck.release.set()
        first.join(10)
