"""The console's read models and actions on moto, through the real pipeline: session, destinations with
health, the overview, "send test" (worded by the template), replay of failed deliveries, and the page."""

from __future__ import annotations

import json

from herald import clock
from herald.auth.api_keys import create_key
from herald.data import breaker as breaker_repo
from herald.data import deliveries as deliveries_repo
from herald.domain import destination_refs, pacing
from tests.support import pipeline
from tests.support.pipeline import Pipeline
from tests.support.receiver import Receiver

# The pipeline's fixtures: one moto account per module, a fresh table and queues per test.
account, atomic_moto, pipe = pipeline.account, pipeline.atomic_moto, pipeline.pipe
receiver, shared_receiver = pipeline.receiver, pipeline.shared_receiver


def org_of(pipe: Pipeline) -> str:
    return str(pipe.api.get("/v1/console/session", token=pipe.token).json()["orgId"])


def test_session_names_the_org_and_the_keys_scopes(pipe: Pipeline) -> None:
    session = pipe.api.get("/v1/console/session", token=pipe.token)
    assert session.status == 200
    assert {"events:read", "templates:write", "operator:read"} <= set(session.json()["scopes"])
    narrow = create_key(org_of(pipe), ["templates:read"])
    assert pipe.api.get("/v1/console/session", token=narrow).json()["scopes"] == ["templates:read"]
    assert pipe.api.get("/v1/console/overview", token=narrow).status == 403
    assert pipe.api.get("/v1/console/session", token="hrld_nope-nope-nope-nope").status == 401


def test_destinations_show_breaker_last_delivery_and_failure_rate(pipe: Pipeline, receiver: Receiver) -> None:
    good = pipe.create_alert(receiver.url("/good"))
    bad = pipe.create_alert(receiver.url("/bad"))
    event_id = pipe.post_event(monitorId="mon_1")
    pipe.run(event_id)
    failed = next(d for d in pipe.deliveries(event_id) if d["destination"]["id"] == bad)
    deliveries_repo.finish(event_id, failed["id"], "failed", clock.iso(), "HTTP 404")
    org = org_of(pipe)
    [bad_destination] = [d for d in destination_refs.list_all(org) if d.ref == f"uptime:{bad}"]
    key = pacing.destination_key(org, "webhook", bad_destination.config, {"url": receiver.url("/bad")})
    for _ in range(5):
        breaker_repo.record_failure(key, clock.epoch(), 5, 60, 600, False)

    listed = pipe.api.get("/v1/console/destinations", token=pipe.token)
    assert listed.status == 200, listed.text
    by_ref = {d["ref"]: d for d in listed.json()["destinations"]}
    assert by_ref[f"uptime:{good}"]["breaker"] == "closed"
    assert by_ref[f"uptime:{good}"]["lastDelivery"]["status"] == "delivered"
    assert by_ref[f"uptime:{good}"]["failureRate24h"] == 0.0
    assert by_ref[f"uptime:{bad}"]["breaker"] == "open"
    assert by_ref[f"uptime:{bad}"]["failureRate24h"] == 1.0 and by_ref[f"uptime:{bad}"]["deliveries24h"] == 1
    assert "127.0.0.1" not in listed.text  # no destination URL in the answer

    overview = pipe.api.get("/v1/console/overview", token=pipe.token).json()
    assert len(overview["hours"]) == 24
    assert overview["hours"][-1]["delivered"] == 1 and overview["hours"][-1]["failed"] == 1
    assert set(overview["deadLetters"]) >= {"webhook", "email", "slack"}


def test_send_test_uses_the_destinations_template(pipe: Pipeline, receiver: Receiver) -> None:
    alert_id = pipe.create_alert(receiver.url("/hook"))
    ref = f"uptime:{alert_id}"
    body = {"body": '{"test": "{{ title }} to {{ destination.name }}"}'}
    assert pipe.api.put(f"/v1/templates/webhook/{ref}", body, token=pipe.token).status == 200
    answer = pipe.api.post(f"/v1/console/destinations/{ref}/test", token=pipe.token)
    assert answer.status == 200 and answer.json()["result"] == "delivered", answer.text
    [got] = receiver.requests()
    name = pipe.api.get(f"/v1/alerts/{alert_id}", token=pipe.token).json()["name"]
    assert json.loads(got.body) == {"test": f"Test notification to {name}"}
    missing = pipe.api.post("/v1/console/destinations/uptime:alt_none/test", token=pipe.token)
    assert missing.status == 404


def test_replay_resends_only_failed_deliveries(pipe: Pipeline, receiver: Receiver) -> None:
    pipe.create_alert(receiver.url("/one"))
    pipe.create_alert(receiver.url("/two"))
    event_id = pipe.post_event(monitorId="mon_1")
    pipe.run(event_id)
    broken = pipe.deliveries(event_id)[0]
    deliveries_repo.finish(event_id, broken["id"], "failed", clock.iso(), "HTTP 404")

    answer = pipe.api.post(f"/v1/events/{event_id}/replay", token=pipe.token)
    assert answer.status == 200, answer.text
    assert {d["id"]: d["status"] for d in answer.json()["deliveries"]}[broken["id"]] == "pending"
    pipe.deliver_all()
    assert len(receiver.requests()) == 3
    assert {d["status"] for d in pipe.deliveries(event_id)} == {"delivered"}
    assert pipe.api.post("/v1/events/evt_missing/replay", token=pipe.token).status == 404


def test_the_page_and_its_assets(pipe: Pipeline) -> None:
    page = pipe.api.get("/console")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert '<script src="/console/console.js"' in page.text
    assert pipe.api.get("/console/console.js").headers["Content-Type"].startswith("text/javascript")
    assert pipe.api.get("/console/console.css").status == 200
    assert pipe.api.get("/console/app.py").status == 404
    assert pipe.api.get("/console/..%2Fapp.py").status == 404
