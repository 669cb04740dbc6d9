"""Caps on what one event may cost: deliveries planned per event, and the org's active timers (issue 15)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from herald.data import limits, timers
from herald.domain import scheduler
from herald.families.oncall import service as oncall
from tests.integration.test_quotas import fire
from tests.support.apigw import ApiClient
from tests.support.delivery_run import deliver_queued
from tests.support.fake_clock import FakeClock
from tests.support.receiver import Receiver


def test_deliveries_past_the_events_cap_are_recorded_skipped_and_not_sent(
    api: ApiClient, org_id: str, token: str, receiver: Receiver
) -> None:
    limits.override(org_id, {"deliveries-per-event": 2})
    for name in ("a", "b", "c"):
        body = {"name": name, "strategy": "webhook", "url": receiver.url(f"/{name}")}
        assert api.post("/v1/alerts", body, token=token).status == 201
    event_id = fire(org_id)
    deliveries = api.get(f"/v1/events/{event_id}", token=token).json()["deliveries"]
    assert Counter(d["status"] for d in deliveries) == {"pending": 2, "skipped": 1}
    [skipped] = [d for d in deliveries if d["status"] == "skipped"]
    assert skipped["lastError"] == "deliveries-per-event cap reached (2)"
    assert deliver_queued("webhook") == (2, [])
    received = {r.path for r in receiver.wait_for(2)}
    assert deliver_queued("webhook") == (0, [])
    assert len(receiver.requests()) == 2 and f"/{skipped['destination']['name']}" not in received
    shown = api.get(f"/v1/events/{event_id}", token=token).json()["deliveries"]
    assert Counter(d["status"] for d in shown) == {"delivered": 2, "skipped": 1}


def test_past_the_timers_cap_an_oncall_wait_is_cut_short_and_run_timers_give_their_place_back(
    api: ApiClient, org_id: str, token: str, fake_clock: FakeClock
) -> None:
    limits.override(org_id, {"timers": 1})
    user = oncall.create_user(org_id, "alice@example.com", config={"phoneNumber": "+14155550100"}).id
    for body in ({"type": "notify_by_sms"}, {"type": "wait", "duration": 300}, {"type": "notify_by_phone_call"}):
        oncall.create_rule(org_id, {"user_id": user, **body})

    def steps(event_id: str) -> list[dict[str, Any]]:
        [escalation] = api.get(f"/v1/events/{event_id}", token=token).json()["escalations"]
        return list(escalation["steps"])

    first = fire(org_id, targets={"userIds": [user]}, dedupKey="a")
    assert [s["status"] for s in steps(first)] == ["sent", "waiting", "planned"]
    assert limits.count(org_id, "TIMERS") == 1

    second = fire(org_id, targets={"userIds": [user]}, dedupKey="b")
    shown = steps(second)
    assert [s["status"] for s in shown] == ["sent", "done", "sent"]  # paged at once: no wait to schedule
    assert shown[1]["reason"] == "timers cap reached: at most 1 per org: the wait was cut short"
    assert limits.count(org_id, "TIMERS") == 1

    fake_clock.advance(300)
    assert scheduler.tick()["ran"] == 1
    assert [s["status"] for s in steps(first)] == ["sent", "done", "sent"]
    assert limits.count(org_id, "TIMERS") == 0


def test_past_the_timers_cap_a_grafana_reminder_is_not_scheduled_and_the_notification_still_goes(
    api: ApiClient, org_id: str, token: str, receiver: Receiver
) -> None:
    limits.override(org_id, {"timers": 1})
    for name in ("first", "second"):
        body: dict[str, Any] = {"name": name, "type": "webhook", "isDefault": True, "sendReminder": True}
        body.update(frequency="5m", settings={"url": receiver.url(f"/{name}")})
        assert api.post("/api/alert-notifications", body, token=token).status == 200
    event_id = fire(org_id, dedupKey="checkout")
    assert limits.count(org_id, "TIMERS") == 1  # one reminder scheduled, the other refused
    assert len(timers.due(time.time() + 3600)) == 1
    shown = api.get(f"/v1/events/{event_id}", token=token).json()["deliveries"]
    assert len(shown) == 2 and {d["status"] for d in shown} == {"pending"}
    assert deliver_queued("webhook") == (2, [])
    assert {r.path for r in receiver.wait_for(2)} == {"/first", "/second"}
