"""OnCall escalations: a paged user's chain runs step by step on a driven clock; acknowledge and recovery
stop it; missing contacts fail their step with a reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from herald import clock
from herald.data import deliveries
from herald.data.table import table
from herald.domain import events, fanout, scheduler
from herald.families.oncall import service as oncall
from herald.families.oncall.escalations import JOB_KIND
from herald.jobs import JOBS
from herald.models.events import EventIn
from herald_local.template import Resolver
from tests.conftest import reset_settings
from tests.support.apigw import ApiClient
from tests.support.delivery_run import deliver_queued
from tests.support.fake_clock import T0, FakeClock
from tests.support.receiver import Receiver


def queue_bodies(aws_env: Resolver, kind: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = aws_env.environment()[f"QUEUE_URL_{kind.upper()}"]
    found: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            return found
        for message in batch:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def chain(org_id: str, user_id: str, *types: str | tuple[str, int], important: bool = False) -> None:
    for entry in types:
        type_, duration = entry if isinstance(entry, tuple) else (entry, None)
        body: dict[str, Any] = {"user_id": user_id, "type": type_, "important": important}
        if duration:
            body["duration"] = duration
        oncall.create_rule(org_id, body)


def page(org_id: str, user_ids: list[str], important: bool = False, **fields: Any) -> str:
    body = {"status": "triggered", "title": "db down", "targets": {"userIds": user_ids, "important": important}}
    event = events.submit_event(org_id, EventIn.model_validate({**body, **fields}))
    run_fanout(event.id)
    return event.id


def run_fanout(event_id: str) -> None:
    item = table().get_item(Key={"pk": f"EVENT#{event_id}", "sk": "EVENT"})["Item"]
    assert fanout.fan_out([("1", item)]) == []


def view(api: ApiClient, token: str, event_id: str) -> dict[str, Any]:
    answer = api.get(f"/v1/events/{event_id}", token=token)
    assert answer.status == 200, answer.text
    return dict(answer.json())


def statuses(api: ApiClient, token: str, event_id: str, user_index: int = 0) -> list[str]:
    return [s["status"] for s in view(api, token, event_id)["escalations"][user_index]["steps"]]


@pytest.fixture
def phone_user(org_id: str) -> str:
    return oncall.create_user(org_id, "alice@example.com", config={"phoneNumber": "+14155550100"}).id


def test_the_job_is_registered() -> None:
    assert JOB_KIND in JOBS


def test_sms_wait_call_runs_in_order_with_the_wait_honoured(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, phone_user: str, fake_clock: FakeClock
) -> None:
    chain(org_id, phone_user, "notify_by_sms", ("wait", 300), "notify_by_phone_call")
    event_id = page(org_id, [phone_user])

    # the sms goes at once, the wait starts
    sms = queue_bodies(aws_env, "sms")
    assert len(sms) == 1 and sms[0]["eventId"] == event_id
    shown = view(api, token, event_id)
    [escalation] = shown["escalations"]
    assert escalation["state"] == "active" and escalation["userId"] == phone_user
    assert [s["status"] for s in escalation["steps"]] == ["sent", "waiting", "planned"]
    assert escalation["steps"][1]["until"] == clock.iso(datetime.fromtimestamp(T0 + 300, UTC))
    assert escalation["steps"][0]["kind"] == "sms" and escalation["steps"][0]["at"]
    [delivery] = shown["deliveries"]
    assert delivery["id"] == sms[0]["deliveryId"] and delivery["destination"]["kind"] == "sms"
    record = deliveries.get(event_id, delivery["id"])
    assert record is not None and record.config == {"phoneNumber": "+14155550100"} and record.status == "pending"

    # one second early: nothing
    fake_clock.advance(299)
    scheduler.tick()
    assert queue_bodies(aws_env, "voice") == []
    assert statuses(api, token, event_id) == ["sent", "waiting", "planned"]

    # at the end of the wait the call goes
    fake_clock.advance(1)
    assert scheduler.tick()["ran"] == 1
    voice = queue_bodies(aws_env, "voice")
    assert len(voice) == 1
    escalation = view(api, token, event_id)["escalations"][0]
    assert [s["status"] for s in escalation["steps"]] == ["sent", "done", "sent"]
    assert escalation["state"] == "done"
    assert escalation["steps"][2]["at"] == clock.iso(datetime.fromtimestamp(T0 + 300, UTC))
    fake_clock.advance(3600)
    scheduler.tick()
    assert queue_bodies(aws_env, "voice") == [] and queue_bodies(aws_env, "sms") == []


def test_acknowledge_during_the_wait_cancels_the_call(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, phone_user: str, fake_clock: FakeClock
) -> None:
    chain(org_id, phone_user, "notify_by_sms", ("wait", 300), "notify_by_phone_call", "notify_by_email")
    event_id = page(org_id, [phone_user])
    assert len(queue_bodies(aws_env, "sms")) == 1

    fake_clock.advance(120)
    answer = api.post(f"/v1/events/{event_id}/acknowledge", token=token)
    assert answer.status == 200, answer.text
    [escalation] = answer.json()["escalations"]
    assert escalation["state"] == "acknowledged"
    assert [s["status"] for s in escalation["steps"]] == ["sent", "cancelled", "cancelled", "cancelled"]

    fake_clock.advance(3600)
    scheduler.tick()
    assert queue_bodies(aws_env, "voice") == [] and queue_bodies(aws_env, "email") == []
    assert statuses(api, token, event_id) == ["sent", "cancelled", "cancelled", "cancelled"]
    again = api.post(f"/v1/events/{event_id}/acknowledge", token=token)
    assert again.status == 200


def test_a_late_timer_after_acknowledge_sends_nothing(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, phone_user: str, fake_clock: FakeClock
) -> None:
    """Even if the wait's timer fires after the acknowledgement, the step's conditional write refuses it."""
    from herald.families.oncall import escalations

    chain(org_id, phone_user, ("wait", 60), "notify_by_phone_call")
    event_id = page(org_id, [phone_user])
    api.post(f"/v1/events/{event_id}/acknowledge", token=token)
    fake_clock.advance(61)
    escalations.run_timer({"eventId": event_id, "userId": phone_user})
    assert queue_bodies(aws_env, "voice") == []
    assert view(api, token, event_id)["deliveries"] == []


def test_acknowledge_before_fanout_means_the_escalation_never_starts(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, phone_user: str, fake_clock: FakeClock
) -> None:
    chain(org_id, phone_user, "notify_by_sms")
    body = {"status": "triggered", "title": "x", "targets": {"userIds": [phone_user]}}
    event = events.submit_event(org_id, EventIn.model_validate(body))
    assert api.post(f"/v1/events/{event.id}/acknowledge", token=token).status == 200
    run_fanout(event.id)
    assert queue_bodies(aws_env, "sms") == []
    [escalation] = view(api, token, event.id)["escalations"]
    assert escalation["state"] == "acknowledged" and [s["status"] for s in escalation["steps"]] == ["cancelled"]


def test_recovered_event_with_the_same_dedup_key_stops_the_escalation(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, phone_user: str, fake_clock: FakeClock
) -> None:
    chain(org_id, phone_user, "notify_by_sms", ("wait", 900), "notify_by_phone_call")
    triggered = page(org_id, [phone_user], dedupKey="db-outage")
    other = page(org_id, [phone_user], dedupKey="other-outage")
    assert len(queue_bodies(aws_env, "sms")) == 2

    fake_clock.advance(60)
    recovered = events.submit_event(
        org_id, EventIn.model_validate({"status": "recovered", "title": "db up", "dedupKey": "db-outage"})
    )
    run_fanout(recovered.id)
    escalation = view(api, token, triggered)["escalations"][0]
    assert escalation["state"] == "resolved"
    assert [s["status"] for s in escalation["steps"]] == ["sent", "cancelled", "cancelled"]

    fake_clock.advance(900)
    scheduler.tick()
    voice = queue_bodies(aws_env, "voice")
    assert [v["eventId"] for v in voice] == [other]  # the other dedupKey's escalation went on


def test_an_event_triggered_before_a_recovery_but_routed_after_it_does_not_page(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, phone_user: str, fake_clock: FakeClock
) -> None:
    chain(org_id, phone_user, "notify_by_sms")
    body = {"status": "triggered", "title": "x", "dedupKey": "k1", "targets": {"userIds": [phone_user]}}
    triggered = events.submit_event(org_id, EventIn.model_validate(body))
    fake_clock.advance(1)
    recovered = events.submit_event(
        org_id, EventIn.model_validate({"status": "recovered", "title": "ok", "dedupKey": "k1"})
    )
    run_fanout(recovered.id)
    run_fanout(triggered.id)
    assert queue_bodies(aws_env, "sms") == []
    assert view(api, token, triggered.id)["escalations"][0]["state"] == "resolved"
    # a new incident under the same key pages again
    fake_clock.advance(1)
    page(org_id, [phone_user], dedupKey="k1")
    assert len(queue_bodies(aws_env, "sms")) == 1


def test_missing_contacts_fail_their_step_with_a_reason(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, fake_clock: FakeClock
) -> None:
    user = oncall.create_user(org_id, "nophone@example.com").id
    chain(
        org_id,
        user,
        "notify_by_sms",
        "notify_by_slack",
        "notify_by_telegram",
        "notify_by_msteams",
        "notify_by_webhook",
        "notify_by_mobile_app",
        "notify_by_email",
    )
    event_id = page(org_id, [user])
    shown = view(api, token, event_id)
    steps = shown["escalations"][0]["steps"]
    assert [s["status"] for s in steps] == ["failed"] * 6 + ["sent"]
    assert steps[0]["reason"] == "the user has no phone number"
    assert steps[5]["reason"] == "the user has no mobile app (no SNS mobile push endpoint)"
    assert all(s["reason"] for s in steps[:6])
    by_id = {d["id"]: d for d in shown["deliveries"]}
    for step in steps[:6]:
        assert by_id[step["deliveryId"]]["status"] == "failed"
        assert by_id[step["deliveryId"]]["lastError"] == step["reason"]
    assert queue_bodies(aws_env, "sms") == [] and len(queue_bodies(aws_env, "email")) == 1
    assert shown["escalations"][0]["state"] == "done"


def test_contacts_reach_their_channels(
    api: ApiClient,
    aws_env: Resolver,
    org_id: str,
    token: str,
    fake_clock: FakeClock,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a user whose sealed contacts all point at the loopback receiver (Telegram's API too)
    monkeypatch.setenv("HERALD_TELEGRAM_API_URL", receiver.url("/telegram"))
    reset_settings()
    user = oncall.create_user(
        org_id,
        "full@example.com",
        config={"phoneNumber": "+14155550100", "telegramChatId": "42"},
        secret_values={
            "slackWebhookUrl": receiver.url("/slack"),
            "teamsUrl": receiver.url("/teams"),
            "webhookUrl": receiver.url("/webhook"),
            "telegramToken": "123:abc",
        },
    ).id
    chain(org_id, user, "notify_by_slack", "notify_by_telegram", "notify_by_msteams", "notify_by_webhook")

    # When an event pages the user and the delivery function sends what was queued
    event_id = page(org_id, [user])
    steps = view(api, token, event_id)["escalations"][0]["steps"]
    assert [(s["status"], s["kind"]) for s in steps] == [
        ("sent", "slack"),
        ("sent", "telegram"),
        ("sent", "teams"),
        ("sent", "webhook"),
    ]
    for kind in ("slack", "telegram", "teams", "webhook"):
        assert deliver_queued(kind) == (1, []), kind

    # Then each contact's receiver got its request (each secret opened under the context it was sealed with)
    paths = sorted(r.path for r in receiver.wait_for(4))
    assert paths == ["/slack", "/teams", "/telegram/bot123:abc/sendMessage", "/webhook"]
    assert receiver.requests("/webhook")[0].json()["data"]["eventId"] == event_id
    assert {d["status"] for d in view(api, token, event_id)["deliveries"]} == {"delivered"}
    telegram = deliveries.get(event_id, steps[1]["deliveryId"])
    assert telegram is not None and telegram.config == {"chatId": "42"} and set(telegram.sealed) == {"token"}


def test_important_events_run_the_important_chain(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, phone_user: str, fake_clock: FakeClock
) -> None:
    chain(org_id, phone_user, "notify_by_email")
    chain(org_id, phone_user, "notify_by_phone_call", important=True)
    event_id = page(org_id, [phone_user], important=True)
    assert len(queue_bodies(aws_env, "voice")) == 1 and queue_bodies(aws_env, "email") == []
    assert view(api, token, event_id)["escalations"][0]["important"] is True


def test_unknown_users_and_empty_chains_are_shown_not_crashed(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, phone_user: str, fake_clock: FakeClock
) -> None:
    event_id = page(org_id, ["UNOBODY000000", phone_user])
    shown = {e["userId"]: e for e in view(api, token, event_id)["escalations"]}
    assert shown["UNOBODY000000"]["reason"] == "User does not exist"
    assert shown[phone_user]["state"] == "done" and shown[phone_user]["steps"] == []


def test_replayed_stream_record_does_not_page_twice(
    aws_env: Resolver, org_id: str, phone_user: str, fake_clock: FakeClock
) -> None:
    chain(org_id, phone_user, "notify_by_sms")
    event_id = page(org_id, [phone_user])
    run_fanout(event_id)
    assert len(queue_bodies(aws_env, "sms")) == 1


def test_acknowledge_route_errors(
    api: ApiClient, org_id: str, token: str, make_token: Callable[..., str], fake_clock: FakeClock
) -> None:
    missing = api.post("/v1/events/evt_nope/acknowledge", token=token)
    assert missing.status == 404
    event = events.submit_event(org_id, EventIn.model_validate({"status": "triggered", "title": "x"}))
    other = make_token("fedcba9876543210")
    assert api.post(f"/v1/events/{event.id}/acknowledge", token=other).status == 404
    reader = make_token(org_id, ["events:read"])
    assert api.post(f"/v1/events/{event.id}/acknowledge", token=reader).status == 403
    assert api.post(f"/v1/events/{event.id}/acknowledge").status == 401
