"""Issue 15 item 16: pacing and breaker state belong to (org, destination). Two orgs that send to the same
address share neither: one org's failing sends cannot hold back another org's."""

from __future__ import annotations

import json

import pytest

from herald import ids, settings
from herald.auth.api_keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import breaker as breaker_repo
from herald.data import orgs
from herald.delivery import pacing
from tests.integration.test_console_api import org_of
from tests.support import pipeline
from tests.support.fake_clock import FakeClock
from tests.support.pipeline import Pipeline
from tests.support.receiver import Receiver, Reply

account, atomic_moto, pipe = pipeline.account, pipeline.atomic_moto, pipeline.pipe
receiver, shared_receiver = pipeline.receiver, pipeline.shared_receiver


def another_org(pipe: Pipeline) -> Pipeline:
    org = ids.org_id()
    orgs.ensure(org)
    return Pipeline(
        pipe.api,
        create_key(org, list(ALL_SCOPES)),
        pipe.resolver,
        pipe.fanout_handler,
        pipe.delivery_handler,
        pipe.queue_arn,
        pipe.dead_letter_url,
        pipe.stream_arn,
    )


def test_one_orgs_failing_sends_open_only_its_own_breaker(
    pipe: Pipeline, receiver: Receiver, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given orgs A and B with a webhook to the same URL, and a breaker that opens after 2 failures
    monkeypatch.setenv("HERALD_BREAKER_THRESHOLD", "2")
    monkeypatch.setenv("HERALD_BREAKER_PROBE_SECONDS", "60")
    settings.get_settings.cache_clear()
    org_b = another_org(pipe)
    url = receiver.url("/shared")
    pipe.create_alert(url)
    org_b.create_alert(url)

    # When A's first two sends fail transiently
    receiver.then(Reply(status=503), Reply(status=503))
    events = [pipe.post_event(monitorId="mon_1") for _ in range(3)]
    pipe.fan_out_events(*events)
    by_event = {json.loads(m["Body"])["eventId"]: m for m in pipe.receive()}
    for event_id in events[:2]:
        assert pipe.deliver([by_event[event_id]]) == [by_event[event_id]["MessageId"]]

    # Then A's breaker is open: A's third delivery is held, not sent
    assert pipe.deliver([by_event[events[2]]]) == [by_event[events[2]]["MessageId"]]
    assert len(receiver.requests("/shared")) == 2
    state = breaker_repo.get(pacing.destination_key(org_of(pipe), "webhook", {}, {"url": url}))
    assert state is not None and float(state["openUntil"]) > fake_clock.now

    # And B's send to the same URL still goes out, at once, and is delivered
    theirs = org_b.post_event(monitorId="mon_1")
    org_b.fan_out_events(theirs)
    [message] = org_b.receive()
    assert org_b.deliver([message]) == []
    assert org_b.deliveries(theirs)[0]["status"] == "delivered"
    assert len(receiver.requests("/shared")) == 3
    assert breaker_repo.get(pacing.destination_key(org_of(org_b), "webhook", {}, {"url": url})) is None


def test_destination_keys_differ_per_org_for_the_same_address() -> None:
    address = {"webhookUrl": "https://hooks.slack.com/services/T0/B0/x"}
    one = pacing.destination_key("org_a", "slack", {}, address)
    assert one != pacing.destination_key("org_b", "slack", {}, address)
