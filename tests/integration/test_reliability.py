"""Per-destination pacing and the circuit breaker, on moto with a driven clock (see the README's
"Reliability: pacing, circuit breaker, replays")."""

# ruff: noqa: F811  (the pipeline fixtures are imported from tests/support/pipeline.py and named as parameters)
from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import pytest

from herald import cli, clock, jobs, settings
from herald.data import breaker as breaker_repo
from herald.data import deliveries as deliveries_repo
from herald.data import destinations
from herald.data import events as events_repo
from herald.data import pacing as pacing_repo
from herald.data.deliveries import DeliveryRecord
from herald.delivery import breaker, contract, pacing, replay
from herald.delivery.step import lease_seconds
from herald.senders.base import Outcome, Target
from herald.senders.base import Outcome as Answer
from herald.senders.render import Notification
from tests.integration.test_console_api import org_of
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

T0 = 1_900_000_000.0
assert replay.REPLAY_JOB in jobs.JOBS


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(clock, "epoch", fake)
    return fake


def limits(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings.get_settings.cache_clear()


def visibility_timeouts(calls: list[dict[str, object]]) -> list[object]:
    return [c["VisibilityTimeout"] for c in calls]


# --- destination keys ----------------------------------------------------------------------------


def test_destination_key_is_a_digest_of_the_address_not_the_secret() -> None:
    url = "https://hooks.slack.com/services/T000/B000/very-secret-token"
    key = pacing.destination_key("org_a", "slack", {"channel": "#ops"}, {"webhookUrl": url})
    assert "secret" not in key and "hooks" not in key and len(key) == 40
    # the channel override does not make another destination; another URL does
    assert key == pacing.destination_key("org_a", "slack", {"channel": "#dev"}, {"webhookUrl": url})
    assert key != pacing.destination_key("org_a", "slack", {}, {"webhookUrl": url + "x"})
    # Telegram: per (bot, chat)
    one = pacing.destination_key("org_a", "telegram", {"chatId": "1"}, {"token": "t"})
    assert one != pacing.destination_key("org_a", "telegram", {"chatId": "2"}, {"token": "t"})


# --- pacing ------------------------------------------------------------------------------------


def test_slack_sends_are_paced_one_slot_per_second(pipe: Pipeline) -> None:
    # Given three sends to one Slack webhook at the same instant
    waits = [pacing.wait_seconds("slack", "k1", T0, None) for _ in range(3)]

    # Then the first goes at once and the others get the next two one-second slots
    assert waits == [(0.0, None), (1.0, T0 + 1), (2.0, T0 + 2)]
    # and a held message coming back at its slot sends without reserving again
    assert pacing.wait_seconds("slack", "k1", T0 + 1, T0 + 1) == (0.0, None)
    assert pacing_repo.next_allowed("k1") == T0 + 3
    # another webhook is not held up
    assert pacing.wait_seconds("slack", "k2", T0, None) == (0.0, None)


def test_webhooks_are_paced_only_by_the_providers_answers(pipe: Pipeline) -> None:
    assert [pacing.wait_seconds("webhook", "k", T0, None) for _ in range(3)] == [(0.0, None)] * 3
    pacing.provider_pause("k", T0, 30.0)
    assert pacing.wait_seconds("webhook", "k", T0 + 10, None) == (20.0, None)
    assert pacing.wait_seconds("webhook", "k", T0 + 30, None) == (0.0, None)


def test_one_query_reads_a_destinations_pacing_and_breaker(pipe: Pipeline) -> None:
    assert destinations.read("k2") == destinations.DestinationState(0.0, None)
    pacing.provider_pause("k2", T0, 30.0)
    breaker.after_send("k2", breaker.Gate(0, False), Answer.retry("HTTP 503"), T0)
    state = destinations.read("k2")
    assert state.next_allowed == T0 + 30 and state.breaker is not None and int(state.breaker["failures"]) == 1
    # the gate decides from that one read: paced until T0 + 30, then the breaker (one failure: closed)
    assert pacing.wait_seconds("webhook", "k2", T0 + 10, None, state.next_allowed) == (20.0, None)
    assert breaker.check("k2", T0 + 40, state) == breaker.Gate(0, True)
    assert destinations.read("other").breaker is None


def test_a_delivery_batch_reads_each_destinations_state_once(pipe: Pipeline, receiver: Receiver) -> None:
    from herald.data.table import table

    pipe.create_alert(receiver.url("/one"), monitorId="mon_1")
    events = [pipe.post_event(monitorId="mon_1") for _ in range(5)]
    pipe.fan_out_events(*events)
    messages = pipe.receive()
    reads: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        if b"DEST#" in bytes(params.get("body") or b""):
            reads.append("state")

    table().meta.client.meta.events.register("before-call.dynamodb.Query", record)
    assert pipe.deliver(messages) == []
    assert len(receiver.requests("/one")) == 5 and reads == ["state"]
    # the next batch reads again
    later = pipe.post_event(monitorId="mon_1")
    pipe.fan_out_events(later)
    assert pipe.deliver(pipe.receive()) == [] and reads == ["state", "state"]


def test_retry_after_holds_the_destinations_other_deliveries_without_an_attempt(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock
) -> None:
    # Given a webhook alert whose receiver answers 429 Retry-After: 30 to the first send
    pipe.create_alert(receiver.url("/paced"))
    receiver.then(Reply(status=429, body=b"slow down", headers={"Retry-After": "30"}))
    first, second = pipe.post_event(monitorId="mon_1"), pipe.post_event(monitorId="mon_1")
    pipe.fan_out_events(first)
    [message] = pipe.receive()
    assert pipe.deliver([message]) == [message["MessageId"]]

    # When the second event's delivery to the same URL comes up 10 s later
    fake_clock.now += 10
    pipe.fan_out_events(second)
    [held] = pipe.receive()
    visibility = count_calls("ChangeMessageVisibility")
    assert pipe.deliver([held]) == [held["MessageId"]]

    # Then it was held for the rest of the pause, nothing was sent, and no attempt was counted
    assert visibility_timeouts(visibility) == [20]
    assert len(receiver.requests("/paced")) == 1
    [delivery] = pipe.deliveries(second)
    assert (delivery["status"], delivery["attempts"], delivery["lastError"]) == ("pending", 0, None)

    # And after the pause it is sent
    fake_clock.now += 21
    pipe.make_visible(held)
    [again] = pipe.receive()
    assert pipe.deliver([again]) == []
    assert pipe.deliveries(second)[0]["status"] == "delivered"
    assert pipe.deliveries(second)[0]["attempts"] == 1


# --- the circuit breaker -----------------------------------------------------------------------


def test_breaker_opens_after_consecutive_failures_holds_then_probes(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a breaker threshold of 2, a first probe after 5 s, and a destination answering 503
    limits(monkeypatch, HERALD_BREAKER_THRESHOLD="2", HERALD_BREAKER_PROBE_SECONDS="5")
    pipe.create_alert(receiver.url("/flaky"))
    receiver.then(Reply(status=503), Reply(status=503))
    events = [pipe.post_event(monitorId="mon_1") for _ in range(3)]
    pipe.fan_out_events(*events)
    messages = sorted(pipe.receive(), key=lambda m: json.loads(m["Body"])["eventId"])
    by_event = {json.loads(m["Body"])["eventId"]: m for m in messages}

    # When two deliveries fail transiently
    for event_id in events[:2]:
        assert pipe.deliver([by_event[event_id]]) == [by_event[event_id]["MessageId"]]
    assert len(receiver.requests("/flaky")) == 2

    # Then the third is held until the probe: not sent, not failed, no attempt counted
    visibility = count_calls("ChangeMessageVisibility")
    assert pipe.deliver([by_event[events[2]]]) == [by_event[events[2]]["MessageId"]]
    assert visibility_timeouts(visibility) == [5]
    assert len(receiver.requests("/flaky")) == 2
    [held] = pipe.deliveries(events[2])
    assert (held["status"], held["attempts"]) == ("pending", 0)

    # And after those seconds one probe goes through; its success closes the breaker
    fake_clock.now += 6
    pipe.make_visible(by_event[events[2]])
    [probe] = pipe.receive()
    assert pipe.deliver([probe]) == []
    assert len(receiver.requests("/flaky")) == 3
    assert pipe.deliveries(events[2])[0]["status"] == "delivered"
    key = pacing.destination_key(org_of(pipe), "webhook", {}, {"url": receiver.url("/flaky")})
    assert breaker_repo.get(key) is None
    # the two that failed are sent on their retry (their 1-2 s backoff waited out)
    time.sleep(2.1)
    pipe.drain()
    assert {d["status"] for e in events for d in pipe.deliveries(e)} == {"delivered"}


def test_permanent_failures_do_not_trip_the_breaker(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits(monkeypatch, HERALD_BREAKER_THRESHOLD="1")
    pipe.create_alert(receiver.url("/gone"))
    receiver.then(Reply(status=404), Reply(status=404))
    events = [pipe.post_event(monitorId="mon_1") for _ in range(2)]
    pipe.fan_out_events(*events)
    assert pipe.deliver_all() == []
    assert [pipe.deliveries(e)[0]["status"] for e in events] == ["failed", "failed"]
    assert len(receiver.requests("/gone")) == 2


def test_record_model_keeps_the_reserved_slot() -> None:
    item = DeliveryRecord(
        id="d",
        event_id="e",
        org_id="o",
        kind="slack",
        family="uptime",
        destination_id="a",
        destination_name="n",
        message={},
        created_at="x",
        updated_at="x",
        pace_slot=T0,
    ).to_item()
    item["paceSlot"] = T0
    assert DeliveryRecord.from_item(item).pace_slot == T0


# --- replays -------------------------------------------------------------------------------------


def test_replay_by_id_never_resends_delivered_and_resends_failed_on_request(pipe: Pipeline, receiver: Receiver) -> None:
    # Given an event delivered to two alerts, one of whose records then says failed (as a 404 leaves it)
    pipe.create_alert(receiver.url("/one"))
    pipe.create_alert(receiver.url("/two"))
    event_id = pipe.post_event(monitorId="mon_1")
    pipe.run(event_id)
    assert len(receiver.requests()) == 2
    broken = pipe.deliveries(event_id)[0]
    deliveries_repo.finish(event_id, broken["id"], "failed", "2026-01-01T00:00:00.000Z", "HTTP 404")

    # When the event is replayed without --resend-failed: nothing is queued
    report = replay.replay_events(replay.events_by_id([event_id]))
    assert (report.events, report.reset, report.queued) == (1, 0, 0)
    assert pipe.receive() == []

    # When it is replayed with --resend-failed (through the CLI): only the failed one is reset and sent
    assert cli.main(["events", "replay", "--id", event_id, "--resend-failed"]) == 0
    assert pipe.deliver_all() == []
    assert len(receiver.requests()) == 3
    assert {d["status"] for d in pipe.deliveries(event_id)} == {"delivered"}
    resent = {d["id"]: d for d in pipe.deliveries(event_id)}[broken["id"]]
    assert resent["attempts"] == 1


def test_events_are_indexed_by_org_and_time_for_replays(pipe: Pipeline) -> None:
    first, second = pipe.post_event(monitorId="mon_1"), pipe.post_event(monitorId="mon_2")
    org = pipe.event(first)
    items = replay.events_by_id([first])
    assert items and items[0]["gsi1pk"].startswith("EVENTS#")
    org_id = items[0]["orgId"]
    found = replay.events_between(org_id, "2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z")
    assert [i["id"] for i in found] == [first, second]
    assert replay.events_between(org_id, "2999-01-01T00:00:00Z", "2999-12-31T00:00:00Z") == []
    assert replay.events_between("another", "2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z") == []
    assert org["id"] == first


def test_redrive_moves_dead_letters_back_and_drops_delivered_ones(
    pipe: Pipeline, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two deliveries in the dead-letter queue: one failed, one delivered meanwhile
    pipe.create_alert(receiver.url("/dlq"))
    receiver.then(Reply(status=410))
    failed_event, delivered_event = pipe.post_event(monitorId="mon_1"), pipe.post_event(monitorId="mon_1")
    pipe.fan_out_events(failed_event, delivered_event)
    messages = pipe.receive()
    pipe.deliver(messages)
    statuses = {e: pipe.deliveries(e)[0]["status"] for e in (failed_event, delivered_event)}
    assert sorted(statuses.values()) == ["delivered", "failed"]
    for m in messages:
        pipe.sqs.send_message(QueueUrl=pipe.dead_letter_url, MessageBody=m["Body"])
        pipe.sqs.delete_message(QueueUrl=pipe.queue_url, ReceiptHandle=m["ReceiptHandle"])

    # When the DLQ is redriven
    report = replay.redrive(pipe.dead_letter_url, pipe.queue_url)

    # Then the failed one is back (record pending) and delivered once; the delivered one is not resent
    assert (report.moved, report.reset, report.dropped) == (1, 1, 1)
    assert pipe.deliver_all() == []
    assert {pipe.deliveries(e)[0]["status"] for e in (failed_event, delivered_event)} == {"delivered"}
    assert len(receiver.requests("/dlq")) == 3
    assert pipe.sqs.receive_message(QueueUrl=pipe.dead_letter_url).get("Messages", []) == []


# --- a delivery handler killed mid-batch ---------------------------------------------------------


class Killed(BaseException):
    """The Lambda runtime dying (timeout, out of memory): nothing in the handler catches it, so the whole
    invocation fails and SQS redelivers every message of the batch after its visibility timeout."""


@pytest.mark.parametrize("crash", ["before the send", "after the send"])
def test_a_handler_killed_mid_batch_loses_nothing_and_resends_nothing_recorded(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock, monkeypatch: pytest.MonkeyPatch, crash: str
) -> None:
    # Given five events for one signed webhook, and a runtime that dies while sending the third
    pipe.create_alert(receiver.url("/crash"), secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    events = [pipe.post_event(monitorId="mon_1") for _ in range(5)]
    pipe.fan_out_events(*events)
    victim = events[2]
    webhook = contract.CHANNELS["webhook"]
    real = webhook.sender

    def others_recorded() -> bool:
        return all(
            d.get("status") == "delivered" for e in events if e != victim for d in events_repo.get_with_deliveries(e)[1]
        )

    def dying(notification: Notification, target: Target) -> Outcome:
        if notification.event_id == victim:
            # the batch's other sends run on parallel threads: the runtime dies once they are recorded,
            # so that the victim is the only send in the crash window
            deadline = time.monotonic() + 10
            while not others_recorded() and time.monotonic() < deadline:
                time.sleep(0.01)
            if crash == "after the send":
                real(notification, target)
            raise Killed
        return real(notification, target)

    monkeypatch.setitem(contract.CHANNELS, "webhook", dataclasses.replace(webhook, sender=dying))
    messages = pipe.receive()
    assert len(messages) == 5
    with pytest.raises(Killed):
        pipe.deliver(messages)  # the invocation fails: nothing is deleted, nothing reported

    # When the batch comes back (visibility timeout over, the victim's lease expired) on a healthy runtime
    monkeypatch.setitem(contract.CHANNELS, "webhook", webhook)
    fake_clock.now += lease_seconds(settings.get_settings()) + 1
    for m in messages:
        pipe.make_visible(m)
    pipe.drain()

    # Then every event is delivered; a send that was recorded is never repeated
    assert {pipe.deliveries(e)[0]["status"] for e in events} == {"delivered"}
    got = receiver.requests("/crash")
    ids = [r.headers["webhook-id"] for r in got]
    assert len(set(ids)) == 5
    if crash == "before the send":
        assert len(got) == 5  # no loss, no duplicate
    else:
        # the crash window (README "How a notification flows", point 5): the send happened but was not
        # recorded, so the victim is sent once more, with the same webhook-id for the receiver to drop
        assert len(got) == 6
        assert sorted(ids.count(i) for i in set(ids)) == [1, 1, 1, 1, 2]
    print(f"faults: killed {crash}: {len(got)} requests, {len(set(ids))} distinct deliveries, 0 lost")
