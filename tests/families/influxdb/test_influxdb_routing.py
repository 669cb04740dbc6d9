"""Routing of events through InfluxDB notification endpoints: `targets.endpointIDs`, each active endpoint
through its type's adapter, inactive ones recorded as skipped and never queued."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from herald import clock, ids, secrets
from herald.data import deliveries, orgs
from herald.data import events as events_repo
from herald.delivery import enqueue
from herald.domain import delivery as delivery_domain
from herald.events import StoredEvent
from herald.families.influxdb import routing as influxdb
from herald.routing import planner
from herald.settings import get_settings
from tests.support.apigw import ApiClient
from tests.support.receiver import Receiver

BASE = "/api/v2/notificationEndpoints"


def endpoint(api: ApiClient, token: str, body: dict[str, Any]) -> str:
    response = api.post(BASE, body, token=token)
    assert response.status == 201, response.text
    return str(response.json()["id"])


def submit(api: ApiClient, token: str, endpoint_ids: list[str]) -> StoredEvent:
    response = api.post(
        "/v1/events",
        {"status": "triggered", "title": "cpu high", "targets": {"endpointIDs": endpoint_ids}},
        token=token,
    )
    assert response.status == 202, response.text
    item, _ = events_repo.get_with_deliveries(response.json()["id"])
    assert item is not None
    return StoredEvent.from_item(item)


def test_route_maps_each_type_to_its_adapter_settings(api: ApiClient, token: str, org_id: str) -> None:
    slack = endpoint(api, token, {"type": "slack", "name": "s", "url": "https://hooks.slack.com/a", "token": "xoxb"})
    http = endpoint(
        api,
        token,
        {
            "type": "http",
            "name": "h",
            "url": "https://hooks.example.com/in",
            "method": "PUT",
            "authMethod": "bearer",
            "token": "tok",
            "headers": {"X-A": "1"},
            "contentTemplate": "{{ .title }}",
        },
    )
    pd = endpoint(api, token, {"type": "pagerduty", "name": "p", "clientURL": "https://c.example", "routingKey": "rk"})
    tg = endpoint(api, token, {"type": "telegram", "name": "t", "token": "123:abc", "channel": "-42"})
    event = submit(api, token, [slack, http.upper(), pd, tg, "0123456789abcdef", "not-an-id", slack])
    planned = {p.destination_id: p for p in influxdb.route(event, clock.epoch())}
    assert set(planned) == {slack, http, pd, tg}  # unknown and malformed ids ignored, duplicates once
    assert all(p.family == "influxdb" and p.skip_reason is None for p in planned.values())

    def unsealed(endpoint_id: str) -> dict[str, str]:
        return secrets.unseal(org_id, planned[endpoint_id].sealed)

    assert (planned[slack].kind, planned[slack].config) == ("slack", {})
    assert unsealed(slack) == {"webhookUrl": "https://hooks.slack.com/a", "token": "xoxb"}
    assert planned[http].kind == "http"
    assert planned[http].config == {
        "method": "PUT",
        "authMethod": "bearer",
        "headers": '{"X-A":"1"}',
        "contentTemplate": "{{ .title }}",
    }
    assert unsealed(http) == {"url": "https://hooks.example.com/in", "token": "tok"}
    assert (planned[pd].kind, planned[pd].config) == ("pagerduty", {"clientUrl": "https://c.example"})
    assert unsealed(pd) == {"routingKey": "rk"}
    assert (planned[tg].kind, planned[tg].config, unsealed(tg)) == ("telegram", {"chatId": "-42"}, {"token": "123:abc"})


def test_events_without_endpoint_ids_and_other_orgs_endpoints_route_nowhere(
    api: ApiClient, token: str, org_id: str, make_token: Callable[..., str]
) -> None:
    mine = endpoint(api, token, {"type": "telegram", "name": "t", "token": "1:a", "channel": "1"})
    assert influxdb.route(submit(api, token, []), clock.epoch()) == []
    other = ids.org_id()
    orgs.ensure(other)
    assert influxdb.route(submit(api, make_token(other), [mine]), clock.epoch()) == []


def test_inactive_endpoint_is_recorded_as_skipped_and_not_queued(
    api: ApiClient, token: str, org_id: str, aws_env: Any
) -> None:
    active = endpoint(api, token, {"type": "telegram", "name": "on", "token": "1:a", "channel": "1"})
    inactive = endpoint(api, token, {"type": "telegram", "name": "off", "token": "1:a", "channel": "1"})
    assert api.request("PATCH", f"{BASE}/{inactive}", {"status": "inactive"}, token=token).status == 200
    event = submit(api, token, [active, inactive])
    pending = enqueue.record_deliveries(event, planner.plan_event(event, clock.epoch()))
    assert [send.kind for send in pending] == ["telegram"]  # only the active endpoint is queued
    shown = api.get(f"/v1/events/{event.id}", token=token).json()
    by_endpoint = {d["destination"]["id"]: d for d in shown["deliveries"]}
    assert by_endpoint[active]["status"] == "pending"
    assert by_endpoint[inactive]["status"] == "skipped"
    assert by_endpoint[inactive]["lastError"] == "endpoint inactive"
    assert by_endpoint[inactive]["destination"] == {
        "family": "influxdb",
        "kind": "telegram",
        "id": inactive,
        "name": "off",
    }
    # replaying the stream record neither queues the skipped one nor duplicates anything
    again = enqueue.record_deliveries(event, planner.plan_event(event, clock.epoch()))
    assert [send.kind for send in again] == ["telegram"]
    assert len(api.get(f"/v1/events/{event.id}", token=token).json()["deliveries"]) == 2


def test_http_and_slack_endpoints_deliver_to_the_receiver(
    api: ApiClient, token: str, org_id: str, receiver: Receiver
) -> None:
    http = endpoint(
        api,
        token,
        {
            "type": "http",
            "name": "h",
            "url": receiver.url("/influx-http"),
            "method": "POST",
            "authMethod": "basic",
            "username": "alice",
            "password": "s3cret",
            "headers": {"X-Team": "ops"},
        },
    )
    slack = endpoint(api, token, {"type": "slack", "name": "s", "url": receiver.url("/influx-slack")})
    event = submit(api, token, [http, slack])
    pending = enqueue.record_deliveries(event, planner.plan_event(event, clock.epoch()))
    assert sorted(send.kind for send in pending) == ["http", "slack"]
    for send in pending:
        delivery_id = send.delivery_id
        message = delivery_domain.QueuedMessage(event.id, delivery_id, 1, "receipt", None)
        assert delivery_domain.deliver(message) == "delivered"
    received = {r.path: r for r in receiver.wait_for(2)}
    hook = received["/influx-http"]
    assert hook.method == "POST"
    assert hook.headers["authorization"] == "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert hook.headers["x-team"] == "ops"
    assert "cpu high" in hook.body.decode()
    assert "cpu high" in received["/influx-slack"].json()["text"]
    for send in pending:
        delivery_id = send.delivery_id
        record = deliveries.get(event.id, delivery_id)
        assert record is not None and record.status == "delivered"


def test_a_token_only_slack_endpoint_posts_through_chat_post_message(
    api: ApiClient, token: str, receiver: Receiver, monkeypatch: Any
) -> None:
    # Given a Slack endpoint with a token and no URL, as InfluxDB allows
    monkeypatch.setenv("HERALD_SLACK_API_URL", receiver.url("/slack-api"))
    get_settings.cache_clear()
    receiver.default.body = b'{"ok":true,"channel":"C1","ts":"1.2"}'
    slack = endpoint(api, token, {"type": "slack", "name": "bot", "token": "xoxb-bot-token"})
    assert api.get(f"{BASE}/{slack}", token=token).json()["url"] == ""
    # When an event naming the endpoint and carrying its channel is delivered
    response = api.post(
        "/v1/events",
        {
            "status": "triggered",
            "title": "cpu high",
            "labels": {"channel": "#ops"},
            "targets": {"endpointIDs": [slack]},
        },
        token=token,
    )
    item, _ = events_repo.get_with_deliveries(response.json()["id"])
    assert item is not None
    event = StoredEvent.from_item(item)
    (queued,) = enqueue.record_deliveries(event, planner.plan_event(event, clock.epoch()))
    kind, delivery_id = queued.kind, queued.delivery_id
    assert kind == "slack"
    assert delivery_domain.deliver(delivery_domain.QueuedMessage(event.id, delivery_id, 1, "r", None)) == "delivered"
    # Then Slack's chat.postMessage got it with the token as a bearer, in the message's channel
    (request,) = receiver.requests("/slack-api/chat.postMessage")
    assert request.headers["authorization"] == "Bearer xoxb-bot-token"
    assert request.json()["channel"] == "#ops" and "cpu high" in request.json()["text"]
    get_settings.cache_clear()
