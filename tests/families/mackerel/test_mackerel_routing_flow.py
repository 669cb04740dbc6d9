"""Mackerel routing against the table (moto): configuration written through the API, events routed by
herald.families.mackerel.routing and by the fan-out, critical incidents and their recoveries."""

from __future__ import annotations

from typing import Any

from herald import clock, ids, secrets
from herald.data import events as events_repo
from herald.delivery import enqueue
from herald.domain import delivery
from herald.events import StoredEvent
from herald.families.mackerel import routing as mackerel
from herald.families.oncall import service as oncall
from herald.routing import planner
from herald_local.template import Resolver
from tests.support.apigw import ApiClient
from tests.support.receiver import Receiver

HOOK = {"name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/hook", "events": ["alert"]}


def call(api: ApiClient, method: str, path: str, token: str, body: Any = None) -> Any:
    response = api.request(method, path, body, headers={"X-Api-Key": token})
    assert response.status == 200, response.text
    return response.json()


def event(
    org_id: str,
    status: str = "triggered",
    severity: str = "critical",
    monitor: str | None = "mon_a",
    dedup: str | None = None,
    service: str | None = None,
) -> StoredEvent:
    snapshot: dict[str, Any] = {"severity": severity, "title": "t", "status": status}
    if dedup:
        snapshot["dedupKey"] = dedup
    return StoredEvent.from_item(
        {**snapshot, "id": ids.event_id(), "orgId": org_id, "monitorId": monitor, "service": service}
        | {"createdAt": "2026-01-01T00:00:00Z"}
    )


def critical_default_group(api: ApiClient, token: str) -> str:
    channel = call(api, "POST", "/api/v0/channels", token, {**HOOK, "addToDefaultNotificationGroup": True})
    default = next(g for g in call(api, "GET", "/api/v0/notification-groups", token)["notificationGroups"])
    body = {k: v for k, v in default.items() if k not in ("id", "type")} | {"notificationLevel": "critical"}
    call(api, "PUT", f"/api/v0/notification-groups/{default['id']}", token, body)
    return str(channel["id"])


def routed(e: StoredEvent) -> list[str]:
    return [d.destination_id for d in mackerel.route(e, 1_700_000_000.0)]


def test_recoveries_pass_a_critical_group_only_after_a_critical_trigger(
    api: ApiClient, token: str, org_id: str
) -> None:
    channel_id = critical_default_group(api, token)
    assert routed(event(org_id, "recovered")) == []  # nothing was open
    assert routed(event(org_id, "triggered", "warning")) == []
    assert routed(event(org_id, "recovered")) == []  # a warning does not open a critical incident
    assert routed(event(org_id, "triggered", "critical")) == [channel_id]
    recovery = event(org_id, "recovered", "critical")
    assert routed(recovery) == [channel_id]
    assert routed(recovery) == [channel_id]  # a replayed stream record reaches the same decision
    assert routed(event(org_id, "recovered")) == []  # the incident was closed by the first recovery
    assert routed(event(org_id, "triggered", "critical")) == [channel_id]  # re-opened
    assert routed(event(org_id, "recovered", "info")) == [channel_id]


def test_incidents_are_told_apart_by_dedup_key_then_monitor(api: ApiClient, token: str, org_id: str) -> None:
    channel_id = critical_default_group(api, token)
    assert routed(event(org_id, "triggered", dedup="disk-full")) == [channel_id]
    assert routed(event(org_id, "recovered", dedup="cpu-high")) == []
    assert routed(event(org_id, "recovered", monitor="mon_b")) == []
    assert routed(event(org_id, "recovered", dedup="disk-full")) == [channel_id]


def test_routing_reads_sealed_urls_and_plans_one_delivery_per_channel(
    api: ApiClient, token: str, org_id: str, aws_env: Resolver
) -> None:
    channel = call(api, "POST", "/api/v0/channels", token, {**HOOK, "addToDefaultNotificationGroup": True})
    child = call(
        api,
        "POST",
        "/api/v0/notification-groups",
        token,
        {"name": "child", "notificationLevel": "all", "childChannelIds": [channel["id"]]},
    )
    call(
        api,
        "POST",
        "/api/v0/notification-groups",
        token,
        {
            "name": "parent",
            "notificationLevel": "all",
            "childNotificationGroupIds": [child["id"]],
            "monitors": [{"id": "mon_a", "skipDefault": False}],
        },
    )
    [planned] = planner.plan_event(event(org_id), 1_700_000_000.0)
    assert (planned.family, planned.kind, planned.destination_id) == ("mackerel", "webhook", channel["id"])
    assert secrets.unseal(org_id, planned.sealed) == {"url": "http://127.0.0.1:9/hook"}


def test_an_org_without_mackerel_configuration_routes_nothing(aws_env: Resolver) -> None:
    assert routed(event(ids.org_id())) == []


def test_webhook_channels_post_mackerels_own_alert_body(
    api: ApiClient, token: str, org_id: str, receiver: Receiver
) -> None:
    # Given a webhook channel in the default group, and a triggered then recovered event for host web-1
    hook = {**HOOK, "url": receiver.url("/mackerel"), "addToDefaultNotificationGroup": True}
    call(api, "POST", "/api/v0/channels", token, hook)
    sent = []
    for status in ("triggered", "recovered"):
        body = {"status": status, "title": "CPU high", "monitorId": "mon_a", "message": "cpu 95 > 90"}
        response = api.post("/v1/events", {**body, "labels": {"host": "web-1"}}, token=token)
        item, _ = events_repo.get_with_deliveries(response.json()["id"])
        assert item is not None
        stored = StoredEvent.from_item(item)
        (queued,) = enqueue.record_deliveries(stored, planner.plan_event(stored, clock.epoch()))
        delivery_id = queued.delivery_id
        assert delivery.deliver(delivery.QueuedMessage(stored.id, delivery_id, 1, "r", None)) == "delivered"
        sent.append(stored)
    # Then the receiver got Mackerel's webhook body, not Herald's
    alerting, recovered = (r.json() for r in receiver.requests("/mackerel"))
    assert alerting["event"] == "alert" and alerting["orgName"] == org_id and alerting["type"] == "host"
    assert alerting["message"] == "cpu 95 > 90" and alerting["host"]["name"] == "web-1"
    alert = alerting["alert"]
    assert alert["id"] == sent[0].id and alert["status"] == "critical" and alert["isOpen"] is True
    assert alert["monitorName"] == "CPU high" and alert["trigger"] == "monitoring"
    assert (
        isinstance(alert["openedAt"], int) and alert["createdAt"] // 1000 == alert["openedAt"]
    )  # epoch ms and epoch s
    assert recovered["alert"]["status"] == "ok" and recovered["alert"]["isOpen"] is False
    assert "closedAt" in recovered["alert"] and "data" not in recovered


def test_email_channel_user_ids_receive_at_their_oncall_address(
    api: ApiClient, token: str, org_id: str, aws_env: Resolver
) -> None:
    alice = oncall.create_user(org_id, "alice@example.com").id
    body = {"name": "mail", "type": "email", "emails": ["ops@example.com"], "userIds": [alice]}
    channel = call(api, "POST", "/api/v0/channels", token, {**body, "addToDefaultNotificationGroup": True})
    [planned] = planner.plan_event(event(org_id), 1_700_000_000.0)
    assert planned.destination_id == channel["id"] and planned.kind == "email"
    assert planned.config["email"] == "ops@example.com,alice@example.com"
