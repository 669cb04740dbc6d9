"""OnCall escalations under faults (issue 13): a crash between a wait step and its timer, mobile push on the
queue, an acknowledge racing an escalation's start, and a queued step whose event was acknowledged."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from herald.aws import client
from herald.data import deliveries, table_keys, timers
from herald.data import events as events_repo
from herald.data.table import table
from herald.domain import events, fanout, scheduler
from herald.families.oncall import escalations
from herald.families.oncall import service as oncall
from herald.families.oncall import store as oncall_repo
from herald.models.events import EventIn
from herald_local.template import Resolver
from tests.conftest import reset_settings
from tests.support.apigw import ApiClient
from tests.support.delivery_run import deliver_queued
from tests.support.fake_clock import FakeClock


@dataclass
class _Answer:
    status_code: int = 200


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """What reached SNS (sms, push) and the voice API, answered at the AWS seam without sending."""
    monkeypatch.setenv("HERALD_VOICE_ORIGINATION", "pool-1")
    reset_settings()
    calls: dict[str, list[dict[str, Any]]] = {"sms": [], "push": [], "voice": []}

    def record_sns(params: dict[str, Any], **_: Any) -> None:
        calls["push" if params.get("TargetArn") else "sms"].append(dict(params))

    def record_voice(params: dict[str, Any], **_: Any) -> None:
        calls["voice"].append(dict(params))

    def answer(**_: Any) -> tuple[_Answer, dict[str, Any]]:
        return _Answer(), {"MessageId": "m-1"}

    sns, voice = client("sns"), client("pinpoint-sms-voice-v2")
    hooks = [
        (sns, "provide-client-params.sns.Publish", record_sns),
        (sns, "before-call.sns.Publish", answer),
        (voice, "provide-client-params.pinpoint-sms-voice-v2.SendVoiceMessage", record_voice),
        (voice, "before-call.pinpoint-sms-voice-v2.SendVoiceMessage", answer),
    ]
    for api, event, hook in hooks:
        api.meta.events.register(event, hook)
    yield calls
    for api, event, hook in hooks:
        api.meta.events.unregister(event, hook)


def user_with_chain(org_id: str, *types: str | tuple[str, int], **config: str) -> str:
    user_id = oncall.create_user(
        org_id, f"{len(types)}@example.com", config={"phoneNumber": "+14155550100", **config}
    ).id
    for entry in types:
        type_, duration = entry if isinstance(entry, tuple) else (entry, None)
        body: dict[str, Any] = {"user_id": user_id, "type": type_}
        if duration:
            body["duration"] = duration
        oncall.create_rule(org_id, body)
    return user_id


def submit(org_id: str, user_id: str) -> str:
    body = {"status": "triggered", "title": "db down", "targets": {"userIds": [user_id]}}
    return events.submit_event(org_id, EventIn.model_validate(body)).id


def fan_out(event_id: str) -> list[str]:
    item = table().get_item(Key=table_keys.event(event_id))["Item"]
    return fanout.fan_out([("1", item)])


def steps(event_id: str, user_id: str) -> list[str]:
    item = oncall_repo.get_escalation(event_id, user_id)
    assert item is not None
    return [str(s["status"]) for s in item["steps"]]


def crash_once(monkeypatch: pytest.MonkeyPatch, target: Any, name: str, when: Callable[..., bool]) -> list[int]:
    """Makes target.name raise once, on the first call `when` accepts (a process dying at that point)."""
    original = getattr(target, name)
    crashes: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if not crashes and when(*args, **kwargs):
            crashes.append(1)
            raise RuntimeError("the process died here")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)
    return crashes


# --- defect 3: the timer exists before the step that waits on it ---------------------------------


def test_a_crash_while_creating_the_wait_timer_does_not_freeze_the_escalation(
    aws_env: Resolver,
    org_id: str,
    fake_clock: FakeClock,
    sent: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a chain sms, wait 5 minutes, call, and a process that dies while creating the wait's timer
    user_id = user_with_chain(org_id, "notify_by_sms", ("wait", 300), "notify_by_phone_call")
    crashes = crash_once(monkeypatch, timers, "schedule", lambda *a, **k: True)
    event_id = submit(org_id, user_id)

    # When the stream record fails and is retried
    assert fan_out(event_id) == ["1"] and crashes
    assert fan_out(event_id) == []

    # Then the wait has its timer, and the call goes out when it ends
    assert steps(event_id, user_id) == ["sent", "waiting", "planned"]
    fake_clock.advance(300)
    scheduler.tick()
    assert steps(event_id, user_id) == ["sent", "done", "sent"]
    deliver_queued("sms")
    deliver_queued("voice")
    assert [c["PhoneNumber"] for c in sent["sms"]] == ["+14155550100"]
    assert [c["DestinationPhoneNumber"] for c in sent["voice"]] == ["+14155550100"]


def test_a_crash_after_the_timer_before_the_wait_is_saved_is_woken_by_the_timer(
    aws_env: Resolver,
    org_id: str,
    fake_clock: FakeClock,
    sent: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a process that dies right after creating the wait's timer, before saving the waiting step, and
    # a stream record that is never retried
    user_id = user_with_chain(org_id, "notify_by_sms", ("wait", 300), "notify_by_phone_call")
    waiting = lambda item, version: any(s["status"] == "waiting" for s in item["steps"])  # noqa: E731
    crashes = crash_once(monkeypatch, oncall_repo, "save_escalation", waiting)
    event_id = submit(org_id, user_id)
    assert fan_out(event_id) == ["1"] and crashes
    assert steps(event_id, user_id) == ["sent", "planned", "planned"]

    # When the orphan timer falls due, it starts the wait again (with its own new timer)
    fake_clock.advance(300)
    scheduler.tick()
    assert steps(event_id, user_id) == ["sent", "waiting", "planned"]

    # Then the call goes out when that wait ends
    fake_clock.advance(300)
    scheduler.tick()
    assert steps(event_id, user_id) == ["sent", "done", "sent"]


# --- defect 10: mobile push through the queue; acknowledge races ------------------------------------


def push_endpoint() -> str:
    sns = boto3.client("sns", region_name="us-east-1")
    app = sns.create_platform_application(Name="herald-app", Platform="GCM", Attributes={"PlatformCredential": "k"})
    return str(
        sns.create_platform_endpoint(PlatformApplicationArn=app["PlatformApplicationArn"], Token="device-1")[
            "EndpointArn"
        ]
    )


def test_mobile_push_is_queued_and_sent_by_the_delivery_function(
    api: ApiClient,
    aws_env: Resolver,
    org_id: str,
    token: str,
    fake_clock: FakeClock,
    sent: dict[str, list[dict[str, Any]]],
) -> None:
    # Given a user with a mobile app and a chain that pushes
    endpoint = push_endpoint()
    user_id = user_with_chain(org_id, "notify_by_mobile_app_critical", pushEndpointArn=endpoint)

    # When the user is paged
    event_id = submit(org_id, user_id)
    assert fan_out(event_id) == []

    # Then the escalation sent nothing itself: the push waits on the queue as a pending delivery
    [delivery] = api.get(f"/v1/events/{event_id}", token=token).json()["deliveries"]
    assert (delivery["destination"]["kind"], delivery["status"]) == ("push", "pending")

    # And the delivery function publishes it to the endpoint
    assert deliver_queued("push") == (1, [])
    assert [p["TargetArn"] for p in sent["push"]] == [endpoint]
    assert json.loads(json.loads(sent["push"][0]["Message"])["GCM"])["priority"] == "high"
    assert deliveries.get(event_id, delivery["id"]).status == "delivered"  # type: ignore[union-attr]


def test_an_acknowledge_racing_the_start_of_an_escalation_still_stops_it(
    aws_env: Resolver,
    org_id: str,
    fake_clock: FakeClock,
    sent: dict[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given an acknowledge that reads the event's partition just before the fan-out starts the escalation
    user_id = user_with_chain(org_id, "notify_by_sms", ("wait", 300), "notify_by_phone_call")
    event_id = submit(org_id, user_id)
    read = events_repo.read_partition

    def read_then_start(event_id_: str) -> Any:
        partition = read(event_id_)
        monkeypatch.setattr(events_repo, "read_partition", read)
        assert fan_out(event_id_) == []  # the escalation starts between the read and the stop
        return partition

    monkeypatch.setattr(events_repo, "read_partition", read_then_start)

    # When the acknowledge completes
    partition = escalations.acknowledge(org_id, event_id)

    # Then the escalation it did not see when it read is stopped too, and its wait never wakes the call
    assert [e["state"] for e in partition.escalations] == ["acknowledged"]
    assert steps(event_id, user_id) == ["sent", "cancelled", "cancelled"]
    fake_clock.advance(600)
    scheduler.tick()
    deliver_queued("voice")
    assert sent["voice"] == []


def test_a_queued_step_is_not_sent_after_its_event_was_acknowledged(
    api: ApiClient,
    aws_env: Resolver,
    org_id: str,
    token: str,
    fake_clock: FakeClock,
    sent: dict[str, list[dict[str, Any]]],
) -> None:
    # Given a paged user whose SMS is still on the queue (say, in backoff)
    user_id = user_with_chain(org_id, "notify_by_sms")
    event_id = submit(org_id, user_id)
    assert fan_out(event_id) == []

    # When the event is acknowledged, and then the delivery function receives the SMS
    escalations.acknowledge(org_id, event_id)
    assert deliver_queued("sms") == (1, [])

    # Then nothing is sent, and the delivery shows skipped with why
    assert sent["sms"] == []
    [delivery] = api.get(f"/v1/events/{event_id}", token=token).json()["deliveries"]
    assert delivery["status"] == "skipped"
    assert delivery["lastError"].startswith("the event was acknowledged at ")
