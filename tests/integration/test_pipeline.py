"""Fan-out and delivery on moto, driven the way Lambda drives them: the API writes an event, the test hands
its stream record to the fan-out handler, then hands the queued SQS messages to the delivery handler
(deleting what succeeded, leaving what failed) and checks what the loopback receiver got."""

from __future__ import annotations

import json
import threading
import time
import uuid
from types import SimpleNamespace
from typing import Any

from standardwebhooks.webhooks import Webhook

from herald import aws, ids
from herald.auth.api_keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import orgs
from herald.data.table import table
from herald.families.uptime import cooldowns
from tests.support import pipeline
from tests.support.pipeline import SECRET, Pipeline, bodies, closed_port_url, count_calls
from tests.support.receiver import Receiver, Reply

# The pipeline's fixtures: one moto account per module, a fresh table and queues per test.
account, atomic_moto, pipe = pipeline.account, pipeline.atomic_moto, pipeline.pipe
receiver, shared_receiver = pipeline.receiver, pipeline.shared_receiver


# --- the happy path ----------------------------------------------------------------------------


def test_event_is_fanned_out_queued_and_delivered_signed(pipe: Pipeline, receiver: Receiver) -> None:
    # Given a signed webhook alert for one monitor
    alert_id = pipe.create_alert(receiver.url("/in"), secret=SECRET, monitorId="mon_web1")

    # When an event for that monitor is posted and its stream record fanned out
    event_id = pipe.post_event(monitorId="mon_web1", message="HTTP 503")
    pipe.fan_out_events(event_id)

    # Then one pending delivery is recorded and one message (ids only, no secrets) is queued, in its org's
    # message group (SQS fair queues)
    [pending] = pipe.deliveries(event_id)
    assert pending["status"] == "pending" and pending["attempts"] == 0
    assert pending["destination"] == {
        "family": "alerts",
        "kind": "webhook",
        "id": alert_id,
        "name": pending["destination"]["name"],
    }
    messages = pipe.receive()
    org = pipe.api.get("/v1/console/session", token=pipe.token).json()["orgId"]
    assert bodies(messages) == [{"eventId": event_id, "deliveryId": pending["id"], "orgId": org, "plan": "00000"}]
    assert messages[0]["Attributes"]["MessageGroupId"] == org

    # When the delivery function gets the message
    assert pipe.deliver(messages) == []

    # Then the receiver got exactly one signed webhook whose id is the delivery id
    [got] = receiver.requests()
    payload = Webhook(SECRET).verify(got.body, got.headers)
    assert got.headers["webhook-id"] == pending["id"]
    assert payload["type"] == "alert.triggered"
    assert payload["data"]["eventId"] == event_id and payload["data"]["alertId"] == alert_id
    assert payload["data"]["message"] == "HTTP 503"
    # And the record is delivered after one attempt, and the queue is empty
    [done] = pipe.deliveries(event_id)
    assert (done["status"], done["attempts"], done["lastError"]) == ("delivered", 1, None)
    assert done["deliveredAt"] is not None
    assert pipe.receive() == []


# --- routing -----------------------------------------------------------------------------------


def test_a_stream_batch_reads_an_orgs_destinations_once(pipe: Pipeline, receiver: Receiver) -> None:

    pipe.create_alert(receiver.url("/a"), monitorId="mon_web1")
    events = [pipe.post_event(monitorId="mon_web1", message=f"#{i}") for i in range(4)]
    queries: list[dict[str, Any]] = []
    table().meta.client.meta.events.register(
        "provide-client-params.dynamodb.Query", lambda params, **_: queries.append(params)
    )
    pipe.fan_out_events(*events)
    # four events, one Query per router for the org (uptime alerts, Mackerel, Grafana), every event routed
    assert len(queries) == 3
    assert all(len(pipe.deliveries(e)) == 1 for e in events)
    # the next batch reads again: an alert saved between batches is seen
    pipe.create_alert(receiver.url("/b"), monitorId="mon_web1")
    later = pipe.post_event(monitorId="mon_web1")
    queries.clear()
    pipe.fan_out_events(later)
    assert len(queries) == 3 and len(pipe.deliveries(later)) == 2


def test_monitor_scoping(pipe: Pipeline, receiver: Receiver) -> None:
    # Given alerts for mon_a, for mon_b, and for every monitor
    only_a = pipe.create_alert(receiver.url("/a"), monitorId="mon_a")
    only_b = pipe.create_alert(receiver.url("/b"), monitorId="mon_b")
    every = pipe.create_alert(receiver.url("/all"))

    # When an event for mon_a and one for mon_b are fanned out and delivered
    event_a = pipe.post_event(monitorId="mon_a")
    event_b = pipe.post_event(monitorId="mon_b")
    pipe.run(event_a, event_b)

    # Then mon_a's event reached the mon_a alert and the catch-all, never the mon_b alert; and vice versa
    assert {d["destination"]["id"] for d in pipe.deliveries(event_a)} == {only_a, every}
    assert {d["destination"]["id"] for d in pipe.deliveries(event_b)} == {only_b, every}
    assert sorted(r.path for r in receiver.requests()) == ["/a", "/all", "/all", "/b"]
    assert [r.json()["data"]["eventId"] for r in receiver.requests("/a")] == [event_a]
    assert [r.json()["data"]["eventId"] for r in receiver.requests("/b")] == [event_b]


def test_an_alert_for_every_monitor_gets_events_with_any_monitor_or_none(pipe: Pipeline, receiver: Receiver) -> None:
    # Given a catch-all alert and a scoped one
    every = pipe.create_alert(receiver.url("/all"))
    pipe.create_alert(receiver.url("/a"), monitorId="mon_a")

    # When an event that names no monitor and one whose monitor is not of the mon_ form are fanned out
    without = pipe.post_event(service="checkout")
    odd = pipe.post_event(monitorId="web-1.example.com")
    pipe.run(without, odd)

    # Then both reach the catch-all alert, and only it, and are kept in its history
    assert [d["destination"]["id"] for d in pipe.deliveries(without)] == [every]
    assert [d["destination"]["id"] for d in pipe.deliveries(odd)] == [every]
    assert sorted(r.json()["data"]["eventId"] for r in receiver.requests("/all")) == sorted([without, odd])
    assert receiver.requests("/a") == []


def test_notify_on_recovery_false_skips_recovered(pipe: Pipeline, receiver: Receiver) -> None:
    # Given one alert that wants recoveries and one that does not
    quiet = pipe.create_alert(receiver.url("/quiet"), notifyOnRecovery=False)
    loud = pipe.create_alert(receiver.url("/loud"))

    # When a triggered and then a recovered event for the monitor pass through
    triggered = pipe.post_event(monitorId="mon_a")
    recovered = pipe.post_event(monitorId="mon_a", status="recovered")
    pipe.run(triggered, recovered)

    # Then both alerts got the trigger, only the loud one the recovery
    assert {d["destination"]["id"] for d in pipe.deliveries(triggered)} == {quiet, loud}
    assert [d["destination"]["id"] for d in pipe.deliveries(recovered)] == [loud]
    assert [r.json()["type"] for r in receiver.requests("/quiet")] == ["alert.triggered"]
    assert sorted(r.json()["type"] for r in receiver.requests("/loud")) == ["alert.recovered", "alert.triggered"]


def test_alerts_of_another_org_are_not_reached(pipe: Pipeline, receiver: Receiver) -> None:
    # Given an alert in another org for the same monitor id
    other_org = ids.org_id()
    orgs.ensure(other_org)
    other = Pipeline(
        pipe.api,
        create_key(other_org, list(ALL_SCOPES)),
        pipe.resolver,
        pipe.fanout_handler,
        pipe.delivery_handler,
        pipe.queue_arn,
        pipe.dead_letter_url,
        pipe.stream_arn,
    )
    other.create_alert(receiver.url("/other"), monitorId="mon_a")
    mine = pipe.create_alert(receiver.url("/mine"), monitorId="mon_a")

    # When this org's event is fanned out
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.run(event_id)

    # Then only this org's alert gets it
    assert [d["destination"]["id"] for d in pipe.deliveries(event_id)] == [mine]
    assert [r.path for r in receiver.requests()] == ["/mine"]


# --- cooldown ----------------------------------------------------------------------------------


def test_cooldown_suppresses_repeats_per_alert_and_monitor(pipe: Pipeline, receiver: Receiver) -> None:
    # Given a catch-all alert with a 10-minute cooldown
    alert_id = pipe.create_alert(receiver.url(), cooldownMinutes=10)

    # When mon_a fires, fires again inside the window, and mon_b fires
    first = pipe.post_event(monitorId="mon_a")
    pipe.run(first)
    second = pipe.post_event(monitorId="mon_a")
    pipe.run(second)
    other_monitor = pipe.post_event(monitorId="mon_b")
    pipe.run(other_monitor)

    # Then the repeat for mon_a was not sent but recorded as skipped with why, while mon_b (its own window) was
    assert len(pipe.deliveries(first)) == 1
    [held] = pipe.deliveries(second)
    assert held["status"] == "skipped" and held["lastError"].startswith("cooldown: ")
    assert len(pipe.deliveries(other_monitor)) == 1
    assert [r.json()["data"]["eventId"] for r in receiver.requests()] == [first, other_monitor]
    history = pipe.history(alert_id)
    assert [(h["id"], h["status"]) for h in history] == [
        (other_monitor, "delivered"),
        (second, "skipped"),
        (first, "delivered"),
    ]


def test_cooldown_is_per_alert(pipe: Pipeline, receiver: Receiver) -> None:
    # Given two alerts with cooldowns
    pipe.create_alert(receiver.url("/one"), cooldownMinutes=5)
    pipe.create_alert(receiver.url("/two"), cooldownMinutes=5)

    # When the same monitor fires twice
    first, second = pipe.post_event(monitorId="mon_a"), pipe.post_event(monitorId="mon_a")
    pipe.run(first, second)

    # Then each alert notified once: one alert's window does not hold back the other
    assert len(pipe.deliveries(first)) == 2
    assert [d["status"] for d in pipe.deliveries(second)] == ["skipped", "skipped"]
    assert sorted(r.path for r in receiver.requests()) == ["/one", "/two"]


def test_cooldown_zero_never_suppresses(pipe: Pipeline, receiver: Receiver) -> None:
    pipe.create_alert(receiver.url(), cooldownMinutes=0)
    events = [pipe.post_event(monitorId="mon_a") for _ in range(3)]
    pipe.run(*events)
    assert [len(pipe.deliveries(e)) for e in events] == [1, 1, 1]
    assert len(receiver.requests()) == 3


def test_racing_cooldown_claims_let_exactly_one_through(pipe: Pipeline) -> None:
    # Given 16 events of the same (alert, monitor) arriving at once
    barrier = threading.Barrier(16)
    results: list[bool] = []
    lock = threading.Lock()
    now = time.time()

    alert_id = f"alt_race{uuid.uuid4().hex}"

    def claim(n: int) -> None:
        barrier.wait()
        passed = cooldowns.try_claim(alert_id, "mon_a", f"evt_{n}", now, 10)
        with lock:
            results.append(passed)

    # When they all claim the cooldown window concurrently
    threads = [threading.Thread(target=claim, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then exactly one claim succeeded
    assert sorted(results) == [False] * 15 + [True]


def test_cooldown_claim_is_idempotent_for_the_same_event_and_reopens_after_the_window(pipe: Pipeline) -> None:
    now = time.time()
    window = f"alt_w{uuid.uuid4().hex}"
    # Given event 1 opened a 10-minute window
    assert cooldowns.try_claim(window, "mon_a", "evt_1", now, 10)
    # Then a replay of event 1 reaches the same decision, event 2 inside the window does not pass
    assert cooldowns.try_claim(window, "mon_a", "evt_1", now + 5, 10)
    assert not cooldowns.try_claim(window, "mon_a", "evt_2", now + 599, 10)
    # And once the window is over, the next event passes (and opens a new window)
    assert cooldowns.try_claim(window, "mon_a", "evt_3", now + 601, 10)
    assert not cooldowns.try_claim(window, "mon_a", "evt_4", now + 602, 10)


def test_replayed_stream_record_inside_cooldown_still_delivers_once(pipe: Pipeline, receiver: Receiver) -> None:
    # Given an alert with a cooldown and an event already fanned out (its window opened by it)
    pipe.create_alert(receiver.url(), cooldownMinutes=30)
    event_id = pipe.post_event(monitorId="mon_a")
    record = pipe.stream_record(event_id)
    assert pipe.fan_out(record) == []

    # When the stream hands the same record over again (a retried batch)
    assert pipe.fan_out(record) == []

    # Then the replay is not suppressed by its own window (both runs queued the send), and yet there is
    # one record and one send
    assert len(pipe.deliveries(event_id)) == 1
    messages = pipe.receive()
    assert len(messages) == 2
    for m in messages:
        pipe.make_visible(m)
    pipe.drain()
    assert len(receiver.requests()) == 1


# --- idempotency -------------------------------------------------------------------------------


def test_same_stream_record_twice_makes_one_delivery_and_one_send(pipe: Pipeline, receiver: Receiver) -> None:
    # Given an alert and an event
    pipe.create_alert(receiver.url())
    event_id = pipe.post_event(monitorId="mon_a")
    record = pipe.stream_record(event_id)

    # When the same stream record is processed twice before delivery
    assert pipe.fan_out(record) == []
    assert pipe.fan_out(record) == []

    # Then there is one delivery record; the messages (re-queued while it is pending) all name it
    [delivery] = pipe.deliveries(event_id)
    messages = pipe.receive()
    assert len(messages) == 2
    assert {b["deliveryId"] for b in bodies(messages)} == {delivery["id"]}
    # And delivering all of them (in one batch, then whatever was put back) sends once
    failed = pipe.deliver(messages)
    assert len(failed) <= 1
    for m in messages:
        if m["MessageId"] in failed:
            pipe.make_visible(m)
    pipe.drain()
    assert len(receiver.requests()) == 1
    [done] = pipe.deliveries(event_id)
    assert (done["status"], done["attempts"]) == ("delivered", 1)


def test_stream_record_replayed_after_delivery_queues_nothing(pipe: Pipeline, receiver: Receiver) -> None:
    # Given an event delivered already
    pipe.create_alert(receiver.url())
    event_id = pipe.post_event(monitorId="mon_a")
    record = pipe.stream_record(event_id)
    assert pipe.fan_out(record) == []
    assert pipe.deliver_all() == []

    # When its stream record comes again
    assert pipe.fan_out(record) == []

    # Then nothing is queued and nothing more is sent
    assert pipe.receive() == []
    assert len(receiver.requests()) == 1
    assert len(pipe.deliveries(event_id)) == 1


def test_duplicated_sqs_message_sends_once(pipe: Pipeline, receiver: Receiver) -> None:
    # Given a queued delivery, and SQS delivering its message twice (at-least-once)
    pipe.create_alert(receiver.url())
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)
    [message] = pipe.receive()
    pipe.sqs.send_message(QueueUrl=pipe.queue_url, MessageBody=message["Body"])
    [duplicate] = pipe.receive()
    assert duplicate["Body"] == message["Body"] and duplicate["MessageId"] != message["MessageId"]

    # When both copies reach the delivery function, one after the other
    assert pipe.deliver([message]) == []
    assert pipe.deliver([duplicate]) == []

    # Then exactly one request was sent, and the duplicate was simply consumed
    assert len(receiver.requests()) == 1
    [done] = pipe.deliveries(event_id)
    assert (done["status"], done["attempts"]) == ("delivered", 1)
    assert pipe.receive() == []


def test_duplicates_in_one_batch_send_once(pipe: Pipeline, receiver: Receiver) -> None:
    # Given the same message twice in one batch, which the function processes concurrently
    pipe.create_alert(receiver.url())
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)
    [message] = pipe.receive()
    pipe.sqs.send_message(QueueUrl=pipe.queue_url, MessageBody=message["Body"])
    [duplicate] = pipe.receive()
    receiver.then(Reply(status=200, delay=0.3))  # a slow receiver, so both copies are in flight together

    # When the batch is delivered
    failed = pipe.deliver([message, duplicate])

    # Then one request was sent; the copy that found the send leased is retried later, not sent
    assert len(receiver.requests()) == 1
    assert len(failed) <= 1
    if failed:
        [leftover] = [m for m in (message, duplicate) if m["MessageId"] in failed]
        pipe.make_visible(leftover)
        assert pipe.deliver_all() == []
    assert len(receiver.requests()) == 1
    assert pipe.deliveries(event_id)[0]["status"] == "delivered"


def test_delivered_record_is_not_resent(pipe: Pipeline, receiver: Receiver) -> None:
    # Given a delivered record
    pipe.create_alert(receiver.url())
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)
    [message] = pipe.receive()
    assert pipe.deliver([message]) == []

    # When its message arrives again much later (a redrive from the DLQ, say)
    body = message["Body"]
    pipe.sqs.send_message(QueueUrl=pipe.queue_url, MessageBody=body)
    assert pipe.deliver_all() == []

    # Then nothing is sent again and the record is unchanged
    assert len(receiver.requests()) == 1
    [done] = pipe.deliveries(event_id)
    assert (done["status"], done["attempts"]) == ("delivered", 1)


# --- retries -----------------------------------------------------------------------------------


def test_500_then_200_retries_through_visibility_and_succeeds_once(pipe: Pipeline, receiver: Receiver) -> None:
    # Given an alert whose receiver fails once, then recovers
    alert_id = pipe.create_alert(receiver.url(), secret=SECRET)
    receiver.then(Reply(status=500, body=b"upstream down"), Reply(status=200))
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)
    visibility = count_calls("ChangeMessageVisibility")

    # When the first attempt runs
    [first] = pipe.receive()
    assert pipe.deliver([first]) == [first["MessageId"]]

    # Then the message is reported failed with its visibility set to the backoff (base 1 s here)
    [hold] = visibility
    assert hold["ReceiptHandle"] == first["ReceiptHandle"]
    assert 1 <= hold["VisibilityTimeout"] <= 2
    [pending] = pipe.deliveries(event_id)
    assert (pending["status"], pending["attempts"]) == ("pending", 1)
    assert pending["lastError"] == "HTTP 500: upstream down"
    assert pipe.history(alert_id)[0]["status"] == "pending"
    # And it comes back once that backoff has passed (not after the queue's 180 s)
    time.sleep(hold["VisibilityTimeout"] + 0.2)
    [second] = pipe.receive()
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"

    # When the second attempt runs
    assert pipe.deliver([second]) == []

    # Then exactly one 200 was received, with the same webhook id both times, and the record is delivered
    statuses = [r.headers["webhook-id"] for r in receiver.requests()]
    assert statuses == [pending["id"], pending["id"]]
    [done] = pipe.deliveries(event_id)
    assert (done["status"], done["attempts"]) == ("delivered", 2)
    assert pipe.receive() == []
    assert pipe.history(alert_id)[0]["status"] == "delivered"


def test_retry_after_from_the_receiver_sets_the_visibility(pipe: Pipeline, receiver: Receiver) -> None:
    # Given a receiver that asks for 37 s
    pipe.create_alert(receiver.url())
    receiver.then(Reply(status=429, body=b"slow down", headers={"Retry-After": "37"}))
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)
    visibility = count_calls("ChangeMessageVisibility")

    # When delivery meets the 429
    [message] = pipe.receive()
    assert pipe.deliver([message]) == [message["MessageId"]]

    # Then the message comes back after exactly that wait
    assert [c["VisibilityTimeout"] for c in visibility] == [37]
    assert pipe.deliveries(event_id)[0]["lastError"] == "HTTP 429: slow down"


def test_410_fails_at_once_without_retry(pipe: Pipeline, receiver: Receiver) -> None:
    # Given a receiver that is gone
    alert_id = pipe.create_alert(receiver.url())
    receiver.then(Reply(status=410, body=b"endpoint removed"))
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)
    visibility = count_calls("ChangeMessageVisibility")

    # When delivery meets the 410
    [message] = pipe.receive()
    failed = pipe.deliver([message])

    # Then the record fails at once with the answer as its last error, and the message is consumed
    assert failed == []
    assert visibility == []
    [delivery] = pipe.deliveries(event_id)
    assert (delivery["status"], delivery["attempts"]) == ("failed", 1)
    assert delivery["lastError"] == "HTTP 410: endpoint removed"
    assert delivery["deliveredAt"] is None
    assert pipe.receive() == []
    assert len(receiver.requests()) == 1
    assert pipe.history(alert_id)[0]["status"] == "failed"


def test_connection_refused_is_retried(pipe: Pipeline) -> None:
    # Given an alert whose target refuses connections
    pipe.create_alert(closed_port_url())
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)

    # When delivery runs, Then the message is kept for a retry and the record stays pending with the error
    [message] = pipe.receive()
    assert pipe.deliver([message]) == [message["MessageId"]]
    [delivery] = pipe.deliveries(event_id)
    assert delivery["status"] == "pending"
    assert "Connection" in delivery["lastError"] or "refused" in delivery["lastError"]


def test_mixed_batch_reports_only_the_transient_failure(pipe: Pipeline, receiver: Receiver) -> None:
    # Given three alerts: one healthy, one unreachable for now, one whose endpoint is gone
    ok = pipe.create_alert(receiver.url("/ok"))
    flaky = pipe.create_alert(closed_port_url())
    gone_receiver = Receiver()
    gone_receiver.default = Reply(status=410, body=b"gone")
    try:
        gone = pipe.create_alert(gone_receiver.url("/gone"))
        event_id = pipe.post_event(monitorId="mon_a")
        pipe.fan_out_events(event_id)
        messages = pipe.receive()
        assert len(messages) == 3

        # When one batch carries the three sends
        failed = pipe.deliver(messages)
    finally:
        gone_receiver.close()

    # Then only the unreachable one is reported for a retry; the others are done, one way or the other
    by_alert = {d["destination"]["id"]: d for d in pipe.deliveries(event_id)}
    [flaky_message] = [m for m in messages if json.loads(m["Body"])["deliveryId"] == by_alert[flaky]["id"]]
    assert failed == [flaky_message["MessageId"]]
    assert {a: d["status"] for a, d in by_alert.items()} == {ok: "delivered", flaky: "pending", gone: "failed"}
    assert by_alert[gone]["lastError"] == "HTTP 410: gone"


# --- fan-out batching and failures -------------------------------------------------------------


def test_fan_out_sends_messages_ten_per_batch(pipe: Pipeline, receiver: Receiver) -> None:
    # Given 4 alerts and 3 events in one stream batch: 12 deliveries
    alerts = {pipe.create_alert(receiver.url(f"/a{n}")) for n in range(4)}
    events = [pipe.post_event(monitorId=f"mon_{n}") for n in range(3)]
    batches = count_calls("SendMessageBatch")

    # When the batch is fanned out
    pipe.fan_out_events(*events)

    # Then the 12 sends went out in ⌈12/10⌉ = 2 SendMessageBatch calls of at most 10
    assert len(batches) == 2
    assert sorted(len(call["Entries"]) for call in batches) == [2, 10]
    assert all(call["QueueUrl"] == pipe.queue_url for call in batches)
    # And every delivery is queued exactly once
    queued = bodies(pipe.receive(100))
    assert len(queued) == 12
    recorded = {(e, d["id"]) for e in events for d in pipe.deliveries(e)}
    assert len(recorded) == 12
    assert {(b["eventId"], b["deliveryId"]) for b in queued} == recorded
    assert {d["destination"]["id"] for e in events for d in pipe.deliveries(e)} == alerts


def test_fan_out_of_exactly_ten_uses_one_batch(pipe: Pipeline, receiver: Receiver) -> None:
    # Given 5 alerts and 2 events: 10 deliveries
    for n in range(5):
        pipe.create_alert(receiver.url(f"/a{n}"))
    events = [pipe.post_event(monitorId="mon_a"), pipe.post_event(monitorId="mon_b")]
    batches = count_calls("SendMessageBatch")
    # When fanned out together, Then one full batch carries them all
    pipe.fan_out_events(*events)
    assert [len(call["Entries"]) for call in batches] == [10]


def fail_send_message_batch(failed_ids: list[str] | None = None) -> None:
    """Makes Herald's next SendMessageBatch calls fail: wholly (a 500) or, given ids, for those entries."""

    def answer(**_: Any) -> tuple[Any, dict[str, Any]]:
        if failed_ids is None:
            return SimpleNamespace(status_code=500, headers={}), {
                "Error": {"Code": "InternalError", "Message": "SQS is having a bad day"}
            }
        return SimpleNamespace(status_code=200, headers={}), {
            "Successful": [],
            "Failed": [{"Id": i, "SenderFault": False, "Code": "InternalError", "Message": "nope"} for i in failed_ids],
        }

    aws.client("sqs").meta.events.register_first("before-call.sqs.SendMessageBatch", answer)


def test_send_message_batch_failure_fails_the_stream_record_and_a_replay_recovers(
    pipe: Pipeline, receiver: Receiver
) -> None:
    # Given an alert and an event, and SQS failing the batch
    pipe.create_alert(receiver.url())
    event_id = pipe.post_event(monitorId="mon_a")
    record = pipe.stream_record(event_id)
    fail_send_message_batch()

    # When the record is fanned out
    failed = pipe.fan_out(record)

    # Then its sequence number is reported, so the stream retries it
    assert failed == [record["dynamodb"]["SequenceNumber"]]
    assert pipe.receive() == []

    # When the stream retries the record with SQS healthy again
    aws.client.cache_clear()
    assert pipe.fan_out(record) == []

    # Then the same pending delivery is queued and sent once
    [delivery] = pipe.deliveries(event_id)
    [body] = bodies(pipe.receive())
    assert (body["eventId"], body["deliveryId"]) == (event_id, delivery["id"])


def test_partially_failed_send_message_batch_fails_only_that_record(pipe: Pipeline, receiver: Receiver) -> None:
    # Given two events in one stream batch, one send each, and SQS failing the second entry
    pipe.create_alert(receiver.url())
    first, second = pipe.post_event(monitorId="mon_a"), pipe.post_event(monitorId="mon_b")
    records = [pipe.stream_record(first), pipe.stream_record(second)]
    fail_send_message_batch(["1"])

    # When the batch is fanned out
    failed = pipe.fan_out(*records)

    # Then only the record whose send failed is reported
    assert failed == [records[1]["dynamodb"]["SequenceNumber"]]


def test_a_record_that_cannot_be_routed_fails_alone(pipe: Pipeline, receiver: Receiver) -> None:
    # Given a good event and a malformed stream record in one batch
    pipe.create_alert(receiver.url())
    good = pipe.stream_record(pipe.post_event(monitorId="mon_a"))
    bad = pipe.stream_record(pipe.post_event(monitorId="mon_b"))
    del bad["dynamodb"]["NewImage"]["orgId"]

    # When fanned out
    failed = pipe.fan_out(good, bad)

    # Then only the bad record is reported; the good one was queued
    assert failed == [bad["dynamodb"]["SequenceNumber"]]
    assert len(pipe.receive()) == 1


def test_fan_out_ignores_modifications_and_other_items(pipe: Pipeline, receiver: Receiver) -> None:
    # Given an alert, an event whose record is a MODIFY, and the INSERT of a non-event item
    pipe.create_alert(receiver.url())
    event_id = pipe.post_event(monitorId="mon_a")
    modify = pipe.stream_record(event_id, event_name="MODIFY")
    other = pipe.stream_record(event_id)
    other["dynamodb"]["NewImage"]["type"] = {"S": "delivery"}

    # When fanned out, Then nothing fails and nothing is recorded or queued
    assert pipe.fan_out(modify, other) == []
    assert pipe.deliveries(event_id) == []
    assert pipe.receive() == []


# --- what the API shows ------------------------------------------------------------------------


def test_alert_history_shows_triggered_and_recovered_with_delivery_status(pipe: Pipeline, receiver: Receiver) -> None:
    # Given an alert for mon_a
    alert_id = pipe.create_alert(receiver.url(), monitorId="mon_a")

    # When a triggered event is fanned out, Then the event shows its delivery pending (planned); the
    # history lists a delivery from its first attempt on (docs/data-model.md: history is the records')
    triggered = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(triggered)
    assert [d["status"] for d in pipe.deliveries(triggered)] == ["pending"]
    assert pipe.history(alert_id) == []

    # When it is delivered, Then history shows it delivered
    assert pipe.deliver_all() == []
    [entry] = pipe.history(alert_id)
    assert entry == {
        "id": triggered,
        "alertId": alert_id,
        "monitorId": "mon_a",
        "type": "triggered",
        "status": "delivered",
        "createdAt": pipe.event(triggered)["createdAt"],
    }

    # When a recovered event follows and its receiver is gone
    receiver.then(Reply(status=410, body=b"gone"))
    recovered = pipe.post_event(monitorId="mon_a", status="recovered")
    pipe.run(recovered)

    # Then history lists both, newest first, with type and status each
    history = pipe.history(alert_id)
    assert [(h["id"], h["type"], h["status"]) for h in history] == [
        (recovered, "recovered", "failed"),
        (triggered, "triggered", "delivered"),
    ]
    # And the limit is honoured
    answer = pipe.api.get(f"/v1/alerts/{alert_id}/events?limit=1", token=pipe.token)
    assert [h["id"] for h in answer.json()["events"]] == [recovered]


def test_event_read_back_shows_every_delivery_with_attempts_and_last_error(pipe: Pipeline, receiver: Receiver) -> None:
    # Given two alerts: one that recovers after a 500, one that is gone
    flaky = pipe.create_alert(receiver.url("/flaky"), name="flaky hook")
    gone_receiver = Receiver()
    gone_receiver.default = Reply(status=404, body=b"no such hook")
    try:
        gone = pipe.create_alert(gone_receiver.url("/gone"), name="gone hook")
        receiver.then(Reply(status=500, body=b"boom"))
        event_id = pipe.post_event(monitorId="mon_a", title="disk full")
        pipe.fan_out_events(event_id)

        # When the first round runs, and the retry after it (its wait skipped)
        messages = pipe.receive()
        retry = pipe.deliver(messages)
        assert len(retry) == 1
        [leftover] = [m for m in messages if m["MessageId"] in retry]
        pipe.make_visible(leftover)
        assert pipe.deliver_all() == []
    finally:
        gone_receiver.close()

    # Then GET /v1/events/{id} shows the event and one entry per delivery
    event = pipe.event(event_id)
    assert event["id"] == event_id and event["title"] == "disk full" and event["monitorId"] == "mon_a"
    by_alert = {d["destination"]["id"]: d for d in event["deliveries"]}
    assert set(by_alert) == {flaky, gone}
    assert by_alert[flaky]["destination"] == {"family": "alerts", "kind": "webhook", "id": flaky, "name": "flaky hook"}
    assert (by_alert[flaky]["status"], by_alert[flaky]["attempts"]) == ("delivered", 2)
    assert by_alert[flaky]["lastError"] == "HTTP 500: boom"
    assert (by_alert[gone]["status"], by_alert[gone]["attempts"]) == ("failed", 1)
    assert by_alert[gone]["lastError"] == "HTTP 404: no such hook"
    for d in event["deliveries"]:
        assert set(d) == {
            "id",
            "destination",
            "status",
            "attempts",
            "lastError",
            "createdAt",
            "updatedAt",
            "deliveredAt",
            "nextRetryAt",
        }
        assert d["createdAt"] == event["createdAt"]
        assert d["updatedAt"] >= d["createdAt"]
    assert by_alert[flaky]["deliveredAt"] is not None and by_alert[gone]["deliveredAt"] is None
    # And no secret or URL leaks into the read-back
    assert receiver.url() not in json.dumps(event)
