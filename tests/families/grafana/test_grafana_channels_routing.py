"""Grafana channels in the pipeline: which channels an event reaches, and reminders driven by an injected
clock through the scheduler's timers."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from herald.data import events as events_repo
from herald.data import timers
from herald.domain import fanout, scheduler
from herald.domain.delivery import QueuedMessage, deliver
from herald.families.grafana import incidents as grafana_incidents
from herald.families.grafana import reminders as grafana_reminders
from herald.families.grafana import routing as grafana
from herald.settings import get_settings
from herald_local.template import Resolver
from tests.conftest import sqs_messages
from tests.support.apigw import ApiClient
from tests.support.receiver import Receiver

BASE = "/api/alert-notifications"


def channel(api: ApiClient, token: str, receiver: Receiver, name: str, **fields: Any) -> dict[str, Any]:
    settings = {"url": receiver.url(f"/{name}"), **fields.pop("settings", {})}
    body = {"name": name, "uid": name, "type": "webhook", "settings": settings, **fields}
    response = api.post(BASE, body, token=token)
    assert response.status == 200, response.text
    return dict(response.json())


def post_event(api: ApiClient, token: str, **fields: Any) -> str:
    body = {"status": "triggered", "title": "checkout is down", **fields}
    response = api.post("/v1/events", body, token=token)
    assert response.status == 202, response.text
    return str(response.json()["id"])


def fan_out(event_id: str) -> None:
    item, _ = events_repo.get_with_deliveries(event_id)
    assert item is not None
    assert fanout.fan_out([("1", item)]) == []


def deliveries(event_id: str) -> list[dict[str, Any]]:
    _, found = events_repo.get_with_deliveries(event_id)
    return sorted(found, key=lambda d: str(d["destinationId"]))


def drain_webhook_queue() -> list[dict[str, Any]]:
    """Runs every queued webhook send through the delivery domain; returns the queued bodies."""
    bodies = []
    for message in sqs_messages(get_settings().queue_url("webhook"), 100):
        bodies.append(json.loads(message["Body"]))
        deliver(QueuedMessage.parse(message["Body"], 1, message["ReceiptHandle"], None))
    return bodies


@pytest.fixture
def clock_at(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Sets the reminder job's clock (and the scheduler's `now`)."""

    def set_to(moment: float) -> float:
        monkeypatch.setattr(grafana_reminders, "CLOCK", lambda: moment)
        return moment

    return set_to


def test_default_and_named_channels_get_the_event(
    aws_env: Resolver, api: ApiClient, token: str, receiver: Receiver
) -> None:
    channel(api, token, receiver, "default", isDefault=True)
    channel(api, token, receiver, "named")
    channel(api, token, receiver, "other")
    plain = post_event(api, token)
    named = post_event(api, token, targets={"notificationUids": ["named", "unknown-uid"]})
    fan_out(plain)
    fan_out(named)
    assert [d["destinationName"] for d in deliveries(plain)] == ["default"]
    assert sorted(d["destinationName"] for d in deliveries(named)) == ["default", "named"]
    assert {d["family"] for d in deliveries(named)} == {"grafana"}
    drain_webhook_queue()
    assert len(receiver.wait_for(3)) == 3
    assert {r.path for r in receiver.requests()} == {"/default", "/named"}


def test_disable_resolve_message_skips_recoveries(
    aws_env: Resolver, api: ApiClient, token: str, receiver: Receiver
) -> None:
    channel(api, token, receiver, "quiet", isDefault=True, disableResolveMessage=True)
    channel(api, token, receiver, "loud", isDefault=True)
    recovered = post_event(api, token, status="recovered")
    fan_out(recovered)
    assert [d["destinationName"] for d in deliveries(recovered)] == ["loud"]


def test_delivery_uses_put_and_basic_auth_with_the_sealed_password(
    aws_env: Resolver, api: ApiClient, token: str, receiver: Receiver
) -> None:
    channel(
        api,
        token,
        receiver,
        "secure",
        isDefault=True,
        settings={"httpMethod": "PUT", "username": "grafana"},
        secureSettings={"password": "pa55"},
    )
    fan_out(post_event(api, token))
    drain_webhook_queue()
    (request,) = receiver.wait_for(1)
    assert request.method == "PUT"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"grafana:pa55").decode()
    assert request.json()["title"] == "[Alerting] checkout is down"


def test_other_orgs_channels_get_nothing(
    aws_env: Resolver, api: ApiClient, token: str, make_token: Any, receiver: Receiver
) -> None:
    from herald import ids
    from herald.data import orgs

    stranger_org = ids.org_id()
    orgs.ensure(stranger_org)
    channel(api, make_token(stranger_org), receiver, "theirs", isDefault=True)
    event = post_event(api, token, targets={"notificationUids": ["theirs"]})
    fan_out(event)
    assert deliveries(event) == []


# --- reminders ----------------------------------------------------------------------------------------


def pending_timers() -> list[dict[str, Any]]:
    """Every timer due within the next hour (the scheduler reads by hour bucket)."""
    return timers.due(time.time() + 3600)


def reminder_rounds(event_id: str, channel_id: int) -> list[str]:
    return sorted(
        str(d["destinationId"]) for d in deliveries(event_id) if str(d["destinationId"]).startswith(f"{channel_id}:")
    )


def test_reminders_repeat_every_frequency_until_recovery(
    aws_env: Resolver, api: ApiClient, token: str, receiver: Receiver, clock_at: Any
) -> None:
    reminding = channel(api, token, receiver, "remind", isDefault=True, sendReminder=True, frequency="5m")
    channel(api, token, receiver, "once", isDefault=True)
    event = post_event(api, token, dedupKey="checkout-outage")
    fan_out(event)
    (timer,) = pending_timers()
    start = float(timer["due"]) - 300  # when fan-out ran
    assert len(deliveries(event)) == 2
    drain_webhook_queue()

    # not yet due
    assert scheduler.tick(clock_at(start + 299))["ran"] == 0
    # round 1, then round 2 one frequency later
    assert scheduler.tick(clock_at(start + 301))["ran"] == 1
    assert reminder_rounds(event, reminding["id"]) == [f"{reminding['id']}:reminder:1"]
    assert scheduler.tick(clock_at(start + 450))["ran"] == 0
    assert scheduler.tick(clock_at(start + 602))["ran"] == 1
    assert reminder_rounds(event, reminding["id"]) == [f"{reminding['id']}:reminder:{n}" for n in (1, 2)]
    queued = drain_webhook_queue()
    assert len(queued) == 2 and len({q["deliveryId"] for q in queued}) == 2
    assert len(receiver.wait_for(4)) == 4
    assert {r.path for r in receiver.requests()} == {"/remind", "/once"}
    assert len(receiver.requests("/remind")) == 3

    # recovery closes the incident: the pending timer runs and stops the chain
    fan_out(post_event(api, token, dedupKey="checkout-outage", status="recovered"))
    assert scheduler.tick(clock_at(start + 903))["ran"] == 1
    assert reminder_rounds(event, reminding["id"]) == [f"{reminding['id']}:reminder:{n}" for n in (1, 2)]
    assert pending_timers() == []


def test_reminders_stop_when_the_channel_stops_reminding_or_goes(
    aws_env: Resolver, api: ApiClient, token: str, receiver: Receiver, clock_at: Any
) -> None:
    off = channel(api, token, receiver, "off", isDefault=True, sendReminder=True, frequency="1m")
    gone = channel(api, token, receiver, "gone", isDefault=True, sendReminder=True, frequency="1m")
    event = post_event(api, token, dedupKey="db")
    fan_out(event)
    start = min(float(t["due"]) for t in pending_timers()) - 60
    update = {"name": "off", "type": "webhook", "settings": {"url": receiver.url("/off")}, "sendReminder": False}
    assert api.put(f"{BASE}/uid/off", update, token=token).status == 200
    assert api.delete(f"{BASE}/uid/gone", token=token).status == 200
    assert scheduler.tick(clock_at(start + 61))["ran"] == 2
    assert reminder_rounds(event, off["id"]) == [] and reminder_rounds(event, gone["id"]) == []
    assert pending_timers() == []


def test_a_repeated_trigger_of_an_open_incident_leaves_the_reminders_as_they_are(
    aws_env: Resolver, api: ApiClient, token: str, receiver: Receiver, clock_at: Any
) -> None:
    # Noise control (issue 14): the repeat joins the open incident, so the channel's own reminders stay
    # the only source of repeats.
    reminding = channel(api, token, receiver, "r", isDefault=True, sendReminder=True, frequency="1m")
    first = post_event(api, token, dedupKey="api")
    fan_out(first)
    second = post_event(api, token, dedupKey="api")
    assert second == first
    fan_out(second)  # a replayed stream record of the same event changes nothing either
    start = max(float(t["due"]) for t in pending_timers()) - 60
    assert scheduler.tick(clock_at(start + 61))["ran"] == 1
    assert reminder_rounds(first, reminding["id"]) == [f"{reminding['id']}:reminder:1"]


def test_events_without_dedup_key_or_reminding_channels_schedule_nothing(
    aws_env: Resolver, api: ApiClient, token: str, receiver: Receiver
) -> None:
    channel(api, token, receiver, "plain", isDefault=True)
    channel(api, token, receiver, "reminds-but-not-selected", sendReminder=True, frequency="1m")
    fan_out(post_event(api, token, dedupKey="x"))
    channel(api, token, receiver, "reminds", isDefault=True, sendReminder=True, frequency="1m")
    fan_out(post_event(api, token))  # no dedupKey: no incident to follow
    assert pending_timers() == []


def test_a_late_triggered_event_does_not_reopen_a_newer_recovery(aws_env: Resolver) -> None:
    assert grafana_incidents.close_incident("o", "k", "evt_b", "2030-01-01T00:00:02.000Z", 0)
    assert not grafana_incidents.open_incident("o", "k", "evt_a", "2030-01-01T00:00:01.000Z", 0)
    incident = grafana_incidents.get("o", "k")
    assert incident is not None and incident["isOpen"] is False


def test_reminder_timer_ids_are_deterministic() -> None:
    assert grafana.reminder_timer_id("evt_1", 3, 2) == grafana.reminder_timer_id("evt_1", 3, 2)
    assert grafana.reminder_timer_id("evt_1", 3, 2) != grafana.reminder_timer_id("evt_1", 3, 3)
