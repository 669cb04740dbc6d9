"""End to end on the local stack: HTTP API → table → stream → fan-out → SQS → delivery → loopback receiver."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from tests.e2e.conftest import LocalStack
from tests.support.receiver import Receiver, Reply

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def create_webhook_alert(stack: LocalStack, token: str, receiver: Receiver, path: str = "/hook", **fields: Any) -> str:
    body = {
        "name": f"hook {path}",
        "strategy": "webhook",
        "url": receiver.url(path),
        "secret": SECRET,
        **fields,
    }
    answer = stack.call("POST", "/v1/alerts", token, body)
    assert answer.status == 201, answer.body
    return str(answer.json()["id"])


def post_event(stack: LocalStack, token: str, **fields: Any) -> str:
    body = {"status": "triggered", "title": "checkout is down", **fields}
    answer = stack.call("POST", "/v1/events", token, body)
    assert answer.status == 202, answer.body
    return str(answer.json()["id"])


def event_deliveries(stack: LocalStack, token: str, event_id: str) -> list[dict[str, Any]]:
    answer = stack.call("GET", f"/v1/events/{event_id}", token)
    assert answer.status == 200, answer.body
    return list(answer.json()["deliveries"])


def wait_final(
    stack: LocalStack, token: str, event_id: str, count: int = 1, timeout: float = 40
) -> list[dict[str, Any]]:
    def final() -> list[dict[str, Any]] | None:
        found = event_deliveries(stack, token, event_id)
        done = [d for d in found if d["status"] in ("delivered", "failed")]
        return found if len(found) >= count and len(done) == len(found) else None

    result = stack.wait_for(final, timeout=timeout)
    assert result, f"deliveries of {event_id} did not finish: {event_deliveries(stack, token, event_id)}"
    return list(result)


def test_event_reaches_receiver_once_signed_and_history_shows_delivered(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    alert_id = create_webhook_alert(stack, token, receiver)

    event_id = post_event(stack, token, monitorId="mon_web1", message="HTTP 503")

    got = receiver.wait_for(1)
    assert len(got) == 1
    payload = Webhook(SECRET).verify(got[0].body, got[0].headers)
    assert payload["data"]["eventId"] == event_id and payload["type"] == "alert.triggered"
    [delivery] = wait_final(stack, token, event_id)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    assert got[0].headers["webhook-id"] == delivery["id"]
    history = stack.call("GET", f"/v1/alerts/{alert_id}/events", token).json()["events"]
    assert history == [
        {
            "id": event_id,
            "alertId": alert_id,
            "monitorId": "mon_web1",
            "type": "triggered",
            "status": "delivered",
            "createdAt": history[0]["createdAt"],
        }
    ]
    assert len(receiver.requests()) == 1


def test_server_error_then_success_gives_exactly_one_success(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    receiver.then(Reply(500, b"boom"), Reply(200, b"ok"))
    create_webhook_alert(stack, token, receiver)

    event_id = post_event(stack, token, monitorId="mon_retry")

    [delivery] = wait_final(stack, token, event_id)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
    assert [r.path for r in receiver.requests()] == ["/hook", "/hook"]
    first, second = receiver.requests()
    assert first.headers["webhook-id"] == second.headers["webhook-id"]


def test_rate_limited_answer_is_retried_after_retry_after(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    receiver.then(Reply(429, b"slow down", {"Retry-After": "3"}))
    create_webhook_alert(stack, token, receiver)

    event_id = post_event(stack, token, monitorId="mon_429")

    [delivery] = wait_final(stack, token, event_id)
    first, second = receiver.requests()
    assert delivery["status"] == "delivered"
    assert second.at - first.at >= 2.9


def test_gone_fails_at_once(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    receiver.default = Reply(410, b"gone")
    create_webhook_alert(stack, token, receiver)

    event_id = post_event(stack, token, monitorId="mon_gone")

    [delivery] = wait_final(stack, token, event_id)
    assert delivery["status"] == "failed" and delivery["attempts"] == 1
    assert "410" in delivery["lastError"]
    assert len(receiver.requests()) == 1


def test_always_failing_receiver_ends_failed_and_in_the_dead_letter_queue(
    stack: LocalStack, receiver: Receiver
) -> None:
    _, token = stack.new_org_token()
    receiver.default = Reply(503, b"down")
    create_webhook_alert(stack, token, receiver)

    event_id = post_event(stack, token, monitorId="mon_dlq")

    [delivery] = wait_final(stack, token, event_id, timeout=90)
    assert delivery["status"] == "failed"
    # retried past the message's 4 attempts until the stack's 30 s retry horizon, then failed
    assert delivery["attempts"] >= 4 and delivery["lastError"].startswith("gave up after"), delivery
    sqs = stack.aws("sqs")
    dlq = sqs.get_queue_url(QueueName="herald-WebhookDeadLetterQueue")["QueueUrl"]

    def dead_lettered() -> bool:
        messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        return any(json.loads(m["Body"])["eventId"] == event_id for m in messages)

    assert stack.wait_for(dead_lettered, timeout=30)
    assert len(receiver.requests()) == delivery["attempts"]


def test_duplicate_queue_message_sends_nothing_more(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    create_webhook_alert(stack, token, receiver, "/dup")
    event_id = post_event(stack, token, monitorId="mon_dup")
    [delivery] = wait_final(stack, token, event_id)
    sqs = stack.aws("sqs")
    queue = sqs.get_queue_url(QueueName="herald-WebhookQueue")["QueueUrl"]

    body = json.dumps({"eventId": event_id, "deliveryId": delivery["id"]})
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    # A barrier: a second event queued after the duplicate; once it arrives, the duplicate was handled.
    create_webhook_alert(stack, token, receiver, "/barrier", monitorId="mon_barrier")
    post_event(stack, token, monitorId="mon_barrier")
    receiver.wait_for(1, path="/barrier")
    receiver.wait_for(2, path="/dup", timeout=10)  # the barrier event's own copy to /dup may land just after

    assert len(receiver.requests("/dup")) == 2  # the first event and the barrier event, never the duplicate
    assert {r.json()["data"]["monitorId"] for r in receiver.requests("/dup")} == {"mon_dup", "mon_barrier"}


def test_monitor_scoping_cooldown_and_recovery_rules(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    only_a = create_webhook_alert(stack, token, receiver, "/only-a", monitorId="mon_a")
    cool = create_webhook_alert(stack, token, receiver, "/cool", monitorId="mon_c", cooldownMinutes=10)
    no_recovery = create_webhook_alert(stack, token, receiver, "/norecovery", monitorId="mon_r", notifyOnRecovery=False)
    create_webhook_alert(stack, token, receiver, "/barrier", monitorId="mon_barrier")

    events = {
        "b": post_event(stack, token, monitorId="mon_b"),  # matches no alert
        "a": post_event(stack, token, monitorId="mon_a"),
        "c1": post_event(stack, token, monitorId="mon_c"),
        # inside the cooldown, but a recovery is never held back by one (issue 13)
        "c2": post_event(stack, token, monitorId="mon_c", status="recovered"),
        "c3": post_event(stack, token, monitorId="mon_c"),  # inside the cooldown: skipped
        "r1": post_event(stack, token, monitorId="mon_r"),
        "r2": post_event(stack, token, monitorId="mon_r", status="recovered"),
    }
    post_event(stack, token, monitorId="mon_barrier")
    # The stream is processed in order: once the barrier event has a delivery, every earlier event was routed.
    receiver.wait_for(1, path="/barrier")

    def routed_to(event: str) -> list[str]:
        return [d["destination"]["id"] for d in event_deliveries(stack, token, events[event])]

    assert routed_to("b") == []
    assert routed_to("a") == [only_a]
    assert routed_to("c1") == [cool] and routed_to("c2") == [cool] and routed_to("c3") == [cool]
    [held] = event_deliveries(stack, token, events["c3"])
    assert held["status"] == "skipped" and held["lastError"].startswith("cooldown: ")
    assert routed_to("r1") == [no_recovery] and routed_to("r2") == []
    for path, count in (("/only-a", 1), ("/cool", 2), ("/norecovery", 1)):
        assert len(receiver.wait_for(count, path=path)) == count, path
    assert [r.json()["data"]["monitorId"] for r in receiver.requests("/only-a")] == ["mon_a"]
    assert sorted(r.json()["data"]["status"] for r in receiver.requests("/cool")) == ["recovered", "triggered"]
    assert [r.json()["data"]["status"] for r in receiver.requests("/norecovery")] == ["triggered"]


def test_thirty_concurrent_creates_leave_exactly_ten(stack: LocalStack) -> None:
    _, token = stack.new_org_token("alerts:read", "alerts:write")
    statuses: list[int] = []
    lock = threading.Lock()

    def create(i: int) -> None:
        body = {"name": f"alert {i}", "strategy": "email", "email": f"ops{i}@example.com"}
        # The local stack runs one instance of a function at a time, so thirty creates queue behind each
        # other on a machine busy with the other suites: the test is about the limit, not latency.
        answer = stack.call("POST", "/v1/alerts", token, body, timeout=180)
        with lock:
            statuses.append(answer.status)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] * 10 + [409] * 20
    assert len(stack.call("GET", "/v1/alerts", token).json()["alerts"]) == 10


def test_dev_token_and_scopes(stack: LocalStack) -> None:
    assert stack.call("GET", "/v1/alerts", stack.dev_token).status == 200
    _, read_only = stack.new_org_token("alerts:read")
    answer = stack.call("POST", "/v1/alerts", read_only, {"name": "x", "strategy": "email", "email": "a@example.com"})
    assert answer.status == 403 and answer.json()["error"]["code"] == "FORBIDDEN"
    assert stack.call("GET", "/v1/alerts", None).json()["error"]["code"] == "UNAUTHORIZED"


def test_swagger_ui_is_served(stack: LocalStack) -> None:
    answer = stack.call("GET", "/v1/alerts/swagger", None)
    assert answer.status == 200 and b"swagger" in answer.body.lower()
