"""The delivery step's fault suite (issue 13, defects 4-9 and 13), on moto with real loopback receivers and
the clock driven where time matters (herald.clock)."""

# ruff: noqa: F811  (the pipeline fixtures are imported from tests/support/pipeline.py and named as parameters)
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from herald import aws, clock, jobs, outbound, settings
from herald.data import breaker as breaker_repo
from herald.data import deliveries as deliveries_repo
from herald.data import timers
from herald.delivery import breaker, pacing, replay, sweeper
from herald.delivery.step import lease_seconds
from herald.domain import scheduler
from herald.senders import http as http_channel
from herald.senders import pagerduty, slack, teams
from herald.senders.base import Outcome, Target
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

assert replay.REPLAY_JOB in jobs.JOBS


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

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


def queued(pipe: Pipeline, wait: float = 0.0) -> list[dict[str, Any]]:
    """Messages on the webhook queue, after waiting out a short DelaySeconds."""
    time.sleep(wait)
    return pipe.receive()


# --- defect 5 and 6: attempts per message, retries to the horizon ------------------------------------


def test_spent_attempts_reschedule_on_a_fresh_message_then_the_horizon_fails_and_dead_letters(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two sends per message, a 1 h horizon, tiny backoff, and a receiver that is always down
    limits(monkeypatch, HERALD_MAX_ATTEMPTS="2", HERALD_RETRY_BASE_SECONDS="0.1", HERALD_RETRY_HORIZON_SECONDS="3600")
    receiver.default = Reply(status=500, body=b"still down")
    try:
        alert_id = pipe.create_alert(receiver.url("/down"))
        event_id = pipe.post_event(monitorId="mon_a")
        pipe.fan_out_events(event_id)

        # When the message's two attempts fail
        [first] = pipe.receive()
        assert pipe.deliver([first]) == [first["MessageId"]]
        pipe.make_visible(first)
        [again] = pipe.receive()
        sends = count_calls("SendMessageBatch")
        assert pipe.deliver([again]) == []  # the message is done ...

        # Then the delivery is not dead-lettered: a fresh, delayed message carries it on, record pending
        assert [e.get("DelaySeconds") for c in sends for e in c["Entries"]] == [1]
        [delivery] = pipe.deliveries(event_id)
        assert (delivery["status"], delivery["attempts"]) == ("pending", 2)
        assert delivery["lastError"] == "HTTP 500: still down"
        [fresh] = queued(pipe, 1.2)
        assert fresh["Attributes"]["ApproximateReceiveCount"] == "1"

        # When it still fails after the horizon
        fake_clock.now += 3601
        assert pipe.deliver([fresh]) == []
    finally:
        receiver.default = Reply()

    # Then the record is failed with the last error, visible in the event and the alert's history,
    # and the message went to the dead-letter queue
    [delivery] = pipe.deliveries(event_id)
    assert delivery["status"] == "failed"
    assert delivery["lastError"].startswith("gave up after 3 attempts over 1.0 h: HTTP 500: still down")
    assert [(h["id"], h["status"]) for h in pipe.history(alert_id)] == [(event_id, "failed")]
    dead = pipe.sqs.receive_message(QueueUrl=pipe.dead_letter_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["deliveryId"] for m in dead] == [delivery["id"]]
    assert len(receiver.requests("/down")) == 3
    assert pipe.receive() == []


def test_a_receiver_down_past_one_message_gets_the_notification_exactly_once_when_it_recovers(
    pipe: Pipeline, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits(monkeypatch, HERALD_MAX_ATTEMPTS="2", HERALD_RETRY_BASE_SECONDS="0.1")
    pipe.create_alert(receiver.url("/back"))
    receiver.then(Reply(status=503), Reply(status=503), Reply(status=502))
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)
    [first] = pipe.receive()
    pipe.deliver([first])
    pipe.make_visible(first)
    pipe.deliver(pipe.receive())  # second attempt: rescheduled on a fresh message
    [fresh] = queued(pipe, 1.2)
    pipe.deliver([fresh])
    pipe.make_visible(fresh)
    assert pipe.deliver(pipe.receive()) == []
    [delivery] = pipe.deliveries(event_id)
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 4)
    got = receiver.requests("/back")
    assert [r.headers["webhook-id"] for r in got] == [delivery["id"]] * 4
    assert len({r.headers["webhook-id"] for r in got}) == 1


def test_receives_near_the_limit_move_a_hold_to_a_fresh_message_without_an_attempt(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a destination paused for 1 s by its Retry-After, and a message that was received 99 times
    limits(monkeypatch, HERALD_MAX_RECEIVES="100")
    pipe.create_alert(receiver.url("/paced"))
    receiver.then(Reply(status=429, headers={"Retry-After": "1"}))
    first, second = pipe.post_event(monitorId="mon_a"), pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(first)
    pipe.deliver(pipe.receive())
    pipe.fan_out_events(second)
    [held] = pipe.receive()
    held["Attributes"]["ApproximateReceiveCount"] = "99"

    # When it is held once more
    assert pipe.deliver([held]) == []

    # Then it is on a fresh message (not left to SQS's dead-letter move) and no attempt was counted
    [delivery] = pipe.deliveries(second)
    assert (delivery["status"], delivery["attempts"]) == ("pending", 0)
    [fresh] = [m for m in queued(pipe, 1.2) if json.loads(m["Body"])["eventId"] == second]
    assert fresh["Attributes"]["ApproximateReceiveCount"] == "1"
    fake_clock.now += 2
    assert pipe.deliver([fresh]) == []
    assert pipe.deliveries(second)[0]["status"] == "delivered"


# --- defect 4: a scheduled retry of a pending record re-sends ----------------------------------------


def test_a_scheduled_retry_whose_queue_send_failed_runs_again_and_re_sends(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a pending delivery whose retry is due beyond SQS's 15-minute delay (so a scheduler timer)
    pipe.create_alert(receiver.url("/timer"))
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)
    [message] = pipe.receive()
    pipe.sqs.delete_message(QueueUrl=pipe.queue_url, ReceiptHandle=message["ReceiptHandle"])
    delivery_id = json.loads(message["Body"])["deliveryId"]
    replay.requeue("webhook", event_id, delivery_id, 3600)
    assert pipe.receive() == []

    # When the timer runs while SQS refuses the send
    real_send = aws.client("sqs").send_message_batch

    def refused(**_: Any) -> Any:
        raise RuntimeError("SQS unavailable")

    monkeypatch.setattr(aws.client("sqs"), "send_message_batch", refused)
    fake_clock.now += 3601
    ticked = scheduler.tick(fake_clock.now)
    assert (ticked["ran"], ticked["failed"], ticked["unknown"]) == (0, 1, 0)
    assert pipe.deliveries(event_id)[0]["status"] == "pending"

    # Then the timer stays, runs again after its lease, and the pending record is sent, once
    monkeypatch.setattr(aws.client("sqs"), "send_message_batch", real_send)
    fake_clock.now += 301
    assert scheduler.tick(fake_clock.now)["ran"] == 1
    assert pipe.deliver_all() == []
    assert pipe.deliveries(event_id)[0]["status"] == "delivered"
    assert len(receiver.requests("/timer")) == 1
    assert timers.due(fake_clock.now + 7200) == []


# --- defect 7: the sweeper -----------------------------------------------------------------------------


def test_the_sweeper_requeues_a_stranded_pending_delivery_and_later_fails_it_with_a_reason(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two pending deliveries whose messages were lost (say, a queue send that failed)
    limits(monkeypatch, HERALD_SWEEP_AFTER_SECONDS="900")
    pipe.create_alert(receiver.url("/stranded"))
    lost, stuck = pipe.post_event(monitorId="mon_a"), pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(lost, stuck)
    for m in pipe.receive():
        pipe.sqs.delete_message(QueueUrl=pipe.queue_url, ReceiptHandle=m["ReceiptHandle"])

    # When the sweeper runs before the limit, nothing happens
    assert sweeper.sweep(fake_clock.now + 60) == {"requeued": 0, "failed": 0}

    # When it runs after it, both are queued again, and one is delivered
    fake_clock.now += 960  # past the 900 s limit, whatever real time the test itself took (timestamps are real)
    assert sweeper.sweep(fake_clock.now) == {"requeued": 2, "failed": 0}
    messages = pipe.receive()
    assert len(messages) == 2
    by_event = {json.loads(m["Body"])["eventId"]: m for m in messages}
    pipe.deliver([by_event[lost]])
    assert pipe.deliveries(lost)[0]["status"] == "delivered"
    pipe.sqs.delete_message(QueueUrl=pipe.queue_url, ReceiptHandle=by_event[stuck]["ReceiptHandle"])

    # And the one whose messages keep getting lost is failed with the reason after three rescues
    for _ in range(sweeper.MAX_SWEEPS - 1):
        fake_clock.now += 960
        assert sweeper.sweep(fake_clock.now) == {"requeued": 1, "failed": 0}
        for m in pipe.receive():
            pipe.sqs.delete_message(QueueUrl=pipe.queue_url, ReceiptHandle=m["ReceiptHandle"])
    fake_clock.now += 960
    assert sweeper.sweep(fake_clock.now) == {"requeued": 0, "failed": 1}
    [delivery] = pipe.deliveries(stuck)
    assert delivery["status"] == "failed"
    assert delivery["lastError"].startswith("stranded: pending with no queued message since")
    assert sweeper.sweep(fake_clock.now + 3600) == {"requeued": 0, "failed": 0}  # final records leave GSI2
    assert len(receiver.requests("/stranded")) == 1


def test_a_pending_delivery_in_retry_is_not_swept(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits(
        monkeypatch, HERALD_SWEEP_AFTER_SECONDS="900", HERALD_RETRY_BASE_SECONDS="2000", HERALD_RETRY_CAP_SECONDS="2000"
    )
    pipe.create_alert(receiver.url("/retrying"))
    receiver.then(Reply(status=503))
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)
    pipe.deliver(pipe.receive())  # retry in 1000-2000 s
    assert sweeper.sweep(fake_clock.now + 950) == {"requeued": 0, "failed": 0}


# --- defect 8: deadline, short reads, one SDK attempt, outcome not recorded, EAI_AGAIN ---------------------


class Drip:
    """A server that answers 200 and then sends its body one byte every 0.3 s, for ever; or a huge body."""

    def __init__(self, huge: bool = False) -> None:
        drip = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Length", str(10_000_000))
                self.end_headers()
                try:
                    if huge:
                        self.wfile.write(b"x" * 10_000_000)
                        return
                    while not drip.stopped.is_set():
                        self.wfile.write(b".")
                        self.wfile.flush()
                        time.sleep(0.3)
                except OSError:
                    pass

        self.stopped = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/drip"

    def close(self) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TABLE_NAME", "herald-test")
    monkeypatch.setenv("HERALD_ALLOW_PRIVATE_TARGETS", "1")
    monkeypatch.setenv("HERALD_HTTP_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("HERALD_SEND_DEADLINE_SECONDS", "1.5")
    settings.get_settings.cache_clear()
    yield
    settings.get_settings.cache_clear()


def test_a_server_dripping_its_answer_is_cut_off_at_the_total_deadline(http_env: None) -> None:
    drip = Drip()
    try:
        started = time.monotonic()
        with pytest.raises(outbound.TransportError, match=r"1\.5 s send deadline"):
            outbound.request("POST", drip.url, b"{}", {})
        # each byte came well within the 5 s read timeout: only a total deadline stops this
        assert 1.4 < time.monotonic() - started < 3.0
    finally:
        drip.close()


def test_at_most_64_kb_of_an_answer_is_read(http_env: None) -> None:
    drip = Drip(huge=True)
    try:
        result = outbound.request("POST", drip.url, b"{}", {})
        assert result.status == 200 and len(result.body) == 65536
    finally:
        drip.close()


def test_a_dns_failure_that_may_pass_is_retried_not_refused(http_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def again(*_: Any, **__: Any) -> Any:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", again)
    target = Target("dlv_1", {}, {"url": "https://hooks.example.com/x"})
    outcome = http_channel.send(
        Notification(
            id="evt_1", status="triggered", severity="critical", title="down", created_at="2026-01-01T00:00:00Z"
        ),
        target,
    )
    assert outcome.result == "retry" and "for now" in outcome.detail

    def unknown(*_: Any, **__: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    outcome = http_channel.send(
        Notification(
            id="evt_1", status="triggered", severity="critical", title="down", created_at="2026-01-01T00:00:00Z"
        ),
        target,
    )
    assert outcome.result == "failed" and outcome.detail.startswith("target refused")


def test_aws_clients_that_send_make_one_attempt_per_delivery_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for service in ("ses", "sns", "pinpoint-sms-voice-v2"):
        assert aws.aws_config(service).retries["max_attempts"] == 1
    assert aws.aws_config("sqs").retries["max_attempts"] == 4


def test_a_send_whose_outcome_could_not_be_recorded_is_not_repeated_before_the_lease_ends(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a send that succeeds, and a table that refuses to record it
    pipe.create_alert(receiver.url("/recorded"))
    event_id = pipe.post_event(monitorId="mon_a")
    pipe.fan_out_events(event_id)
    real_finish = deliveries_repo.finish

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("DynamoDB unavailable")

    monkeypatch.setattr(deliveries_repo, "finish", broken)
    [message] = pipe.receive()
    visibility = count_calls("ChangeMessageVisibility")
    assert pipe.deliver([message]) == [message["MessageId"]]
    assert len(receiver.requests("/recorded")) == 1
    # Then the message is held until the lease ends
    lease = lease_seconds(settings.get_settings())
    assert lease <= visibility[0]["VisibilityTimeout"] <= lease + 2

    # When it comes back early anyway (and the table works again): nothing is sent
    monkeypatch.setattr(deliveries_repo, "finish", real_finish)
    pipe.make_visible(message)
    fake_clock.now += lease - 5
    [early] = pipe.receive()
    assert pipe.deliver([early]) == [early["MessageId"]]
    assert len(receiver.requests("/recorded")) == 1
    assert pipe.deliveries(event_id)[0]["status"] == "pending"

    # And after the lease the send is repeated once, with the same webhook-id for the receiver to drop
    fake_clock.now += 6
    pipe.make_visible(early)
    assert pipe.deliver(pipe.receive()) == []
    got = receiver.requests("/recorded")
    assert len(got) == 2 and got[0].headers["webhook-id"] == got[1].headers["webhook-id"]
    assert pipe.deliveries(event_id)[0]["status"] == "delivered"


# --- defect 9: a stable webhook-id on every HTTP kind ----------------------------------------------------


def test_every_http_kind_sends_a_stable_per_delivery_webhook_id(
    http_env: None, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HERALD_PAGERDUTY_EVENTS_URL", receiver.url("/pd"))
    settings.get_settings.cache_clear()
    note = Notification(
        id="evt_1", status="triggered", severity="critical", title="db down", created_at="2026-01-01T00:00:00Z"
    )
    sends = [
        (http_channel.send, Target("dlv_http", {"method": "POST"}, {"url": receiver.url("/http")})),
        (slack.send, Target("dlv_slack", {}, {"webhookUrl": receiver.url("/slack")})),
        (teams.send, Target("dlv_teams", {}, {"url": receiver.url("/teams")})),
        (pagerduty.send, Target("dlv_pd", {}, {"routingKey": "r" * 32})),
    ]
    receiver.then(*[Reply(status=202, body=b'{"status":"success"}') for _ in range(8)])
    for _ in range(2):  # a retry of the same delivery
        for send, target in sends:
            send(note, target)
    got = [(r.path, r.headers.get("webhook-id")) for r in receiver.requests()]
    expected = [("/http", "dlv_http"), ("/slack", "dlv_slack"), ("/teams", "dlv_teams"), ("/pd", "dlv_pd")]
    assert got == expected * 2


# --- defect 13: the circuit breaker -----------------------------------------------------------------------


def test_probes_come_a_few_seconds_after_opening_and_back_off_doubling_to_the_cap(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits(
        monkeypatch, HERALD_BREAKER_THRESHOLD="3", HERALD_BREAKER_PROBE_SECONDS="5", HERALD_BREAKER_COOLOFF_SECONDS="30"
    )
    t = 1_900_000_000.0
    down = Outcome.retry("HTTP 503")
    closed = breaker.Gate(0, False)
    assert [breaker.after_send("d", closed, down, t) for _ in range(3)] == [False, False, True]
    holds = []
    for _ in range(5):
        gate = breaker.check("d", t)
        holds.append(gate.hold)
        t += gate.hold
        probe = breaker.check("d", t)
        assert probe.probe and breaker.check("d", t).hold == breaker.HALF_OPEN_WAIT_SECONDS  # one probe only
        assert breaker.after_send("d", probe, down, t) is True  # a failed probe reopens
    assert holds == [5, 10, 20, 30, 30]
    # a probe answered with its own Retry-After clears the probe but does not reopen
    t += 30
    probe = breaker.check("d", t)
    assert breaker.after_send("d", probe, Outcome.retry("HTTP 429", 1.0), t) is False
    assert breaker_repo.get("d") is not None and "probeUntil" not in (breaker_repo.get("d") or {})
    assert breaker.check("d", t + 1).probe
    # a permanent answer to the probe closes it: the destination answers
    assert breaker.after_send("d", breaker.Gate(0, True, probe=True), Outcome.failed("HTTP 404"), t + 1) is False
    assert breaker_repo.get("d") is None


def test_answers_with_retry_after_never_open_the_breaker(pipe: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    limits(monkeypatch, HERALD_BREAKER_THRESHOLD="2")
    paced = Outcome.retry("HTTP 429", 1.0)
    assert [breaker.after_send("p", breaker.Gate(0, False), paced, 0.0) for _ in range(10)] == [False] * 10
    assert breaker_repo.get("p") is None


def test_a_successful_probe_releases_the_held_deliveries_at_once(
    pipe: Pipeline, receiver: Receiver, fake_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an open breaker (threshold 1) holding three deliveries for 5 s
    limits(monkeypatch, HERALD_BREAKER_THRESHOLD="1", HERALD_BREAKER_PROBE_SECONDS="5", HERALD_RETRY_BASE_SECONDS="60")
    pipe.create_alert(receiver.url("/probe"))
    receiver.then(Reply(status=503))
    events = [pipe.post_event(monitorId="mon_a") for _ in range(4)]
    pipe.fan_out_events(events[0])
    [opener] = pipe.receive()
    pipe.deliver([opener])  # 503: opens the breaker; its own retry waits 30-60 s
    pipe.fan_out_events(*events[1:])
    held = pipe.receive()
    assert len(held) == 3 and len(pipe.deliver(held)) == 3
    assert pipe.receive() == []

    # When the probe (the opener's message, come back) succeeds
    fake_clock.now += 61
    pipe.make_visible(opener)
    [probe] = pipe.receive()
    assert pipe.deliver([probe]) == []

    # Then the three held deliveries are visible at once, without waiting out their hold, and are sent once
    released = pipe.receive()
    assert len(released) == 3
    assert pipe.deliver(released) == []
    assert {pipe.deliveries(e)[0]["status"] for e in events} == {"delivered"}
    assert len(receiver.requests("/probe")) == 5
    key = pacing.destination_key(org_of(pipe), "webhook", {}, {"url": receiver.url("/probe")})
    assert breaker_repo.get(key) is None
