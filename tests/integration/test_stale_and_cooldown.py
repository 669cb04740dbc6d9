"""Out-of-order triggers and cooldowns (issue 13, defects 11 and 12), on a driven clock: what a receiver
gets, and what GET /v1/events/{id} and the uptime history show for what it did not get."""

from __future__ import annotations

from typing import Any

from herald.data import table_keys
from herald.data.table import table
from herald.domain import events, fanout, replay
from herald.models.events import EventIn
from herald_local.template import Resolver
from tests.support.apigw import ApiClient
from tests.support.delivery_run import deliver_queued
from tests.support.fake_clock import T0, FakeClock
from tests.support.receiver import Receiver


def create_alert(api: ApiClient, token: str, url: str, **fields: Any) -> str:
    body = {"name": "hook", "strategy": "webhook", "url": url, "notifyOnRecovery": True, **fields}
    answer = api.post("/v1/alerts", body, token=token)
    assert answer.status == 201, answer.text
    return str(answer.json()["id"])


def submit(org_id: str, status: str, **fields: Any) -> str:
    body = {"status": status, "title": "checkout", "monitorId": "mon_a", **fields}
    return events.submit_event(org_id, EventIn.model_validate(body)).id


def fan_out(*event_ids: str) -> None:
    for event_id in event_ids:
        item = table().get_item(Key=table_keys.event(event_id))["Item"]
        assert fanout.fan_out([("1", item)]) == []


def received(receiver: Receiver) -> list[tuple[str, str]]:
    """(event id, status) of each request, in arrival order (a batch is sent concurrently)."""
    return [(r.json()["data"]["eventId"], r.json()["data"]["status"]) for r in receiver.requests()]


def delivery(api: ApiClient, token: str, event_id: str) -> dict[str, Any]:
    [found] = api.get(f"/v1/events/{event_id}", token=token).json()["deliveries"]
    return dict(found)


# --- defect 11: a trigger never reaches a destination after the recovery of its dedupKey ----------


def test_a_trigger_fanned_out_after_its_recovery_is_skipped_as_stale(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, receiver: Receiver, fake_clock: FakeClock
) -> None:
    # Given a trigger at T0 and its recovery a minute later, whose stream records arrive recovery first
    create_alert(api, token, receiver.url())
    trigger = submit(org_id, "triggered", dedupKey="db-1")
    fake_clock.set(T0 + 60)
    recovery = submit(org_id, "recovered", dedupKey="db-1")
    fan_out(recovery, trigger)

    # When the delivery function sends what was queued
    deliver_queued("webhook")

    # Then the receiver got the recovery only: the trigger is skipped, with why
    assert received(receiver) == [(recovery, "recovered")]
    stale = delivery(api, token, trigger)
    assert stale["status"] == "skipped" and stale["lastError"].startswith("stale trigger: the recovery of dedupKey")


def test_a_trigger_still_queued_when_its_recovery_went_out_is_not_sent_after_it(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, receiver: Receiver, fake_clock: FakeClock
) -> None:
    # Given a trigger queued (its receiver was down, so it waits in backoff) and then its recovery queued
    create_alert(api, token, receiver.url())
    trigger = submit(org_id, "triggered", dedupKey="db-2")
    fan_out(trigger)
    fake_clock.set(T0 + 60)
    recovery = submit(org_id, "recovered", dedupKey="db-2")
    fan_out(recovery)

    # When the delivery function gets both
    deliver_queued("webhook")

    # Then only the recovery reached the receiver; the trigger shows skipped as stale
    assert received(receiver) == [(recovery, "recovered")]
    assert delivery(api, token, trigger)["status"] == "skipped"
    assert delivery(api, token, recovery)["status"] == "delivered"


def test_a_newer_trigger_after_a_recovery_is_sent(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, receiver: Receiver, fake_clock: FakeClock
) -> None:
    # Given a recovery, then a new trigger of the same dedupKey (the incident reopened)
    create_alert(api, token, receiver.url())
    recovery = submit(org_id, "recovered", dedupKey="db-3")
    fan_out(recovery)
    fake_clock.set(T0 + 60)
    reopened = submit(org_id, "triggered", dedupKey="db-3")
    fan_out(reopened)

    # Then both are sent: the trigger is newer than the recovery
    deliver_queued("webhook")
    assert sorted(received(receiver)) == sorted([(recovery, "recovered"), (reopened, "triggered")])


# --- defect 12: cooldowns -------------------------------------------------------------------------


def test_a_cooldown_never_swallows_the_recovery(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, receiver: Receiver, fake_clock: FakeClock
) -> None:
    # Given an alert with a 5-minute cooldown
    create_alert(api, token, receiver.url(), cooldownMinutes=5)

    # When the monitor goes down and comes back up a minute later
    down = submit(org_id, "triggered")
    fan_out(down)
    fake_clock.set(T0 + 60)
    up = submit(org_id, "recovered")
    fan_out(up)
    deliver_queued("webhook")

    # Then the user hears both "down" and "up"
    assert sorted(received(receiver)) == sorted([(down, "triggered"), (up, "recovered")])


def test_a_replay_of_an_old_event_does_not_claim_the_cooldown_for_a_live_one(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, receiver: Receiver, fake_clock: FakeClock
) -> None:
    # Given an alert with a 10-minute cooldown and an event from an hour ago that was never fanned out
    create_alert(api, token, receiver.url(), cooldownMinutes=10)
    fake_clock.set(T0 - 3600)
    old = submit(org_id, "triggered")

    # When it is replayed now, and a live event arrives a moment later
    fake_clock.set(T0)
    assert replay.replay_events([table().get_item(Key=table_keys.event(old))["Item"]]).queued == 1
    fake_clock.set(T0 + 1)
    live = submit(org_id, "triggered")
    fan_out(live)
    deliver_queued("webhook")

    # Then both are sent: the old event's window was judged on its own time and has long ended
    assert sorted(received(receiver)) == sorted([(old, "triggered"), (live, "triggered")])


def test_a_cooldown_is_judged_on_the_events_time_and_its_skip_is_shown(
    api: ApiClient, aws_env: Resolver, org_id: str, token: str, receiver: Receiver, fake_clock: FakeClock
) -> None:
    # Given an alert with a 5-minute cooldown, and two events four minutes apart that reach the fan-out
    # together ten minutes later (a stream backlog)
    alert_id = create_alert(api, token, receiver.url(), cooldownMinutes=5)
    first = submit(org_id, "triggered")
    fake_clock.set(T0 + 240)
    second = submit(org_id, "triggered")
    fake_clock.set(T0 + 600)
    fan_out(first, second)
    deliver_queued("webhook")

    # Then the second is held back (it fell inside the first one's window), recorded as skipped with why,
    # in the event and in the uptime history
    assert received(receiver) == [(first, "triggered")]
    skipped = delivery(api, token, second)
    assert skipped["status"] == "skipped" and "cooldown" in skipped["lastError"]
    history = api.get(f"/v1/alerts/{alert_id}/events", token=token).json()["events"]
    assert [(h["id"], h["status"]) for h in history] == [(second, "skipped"), (first, "delivered")]
