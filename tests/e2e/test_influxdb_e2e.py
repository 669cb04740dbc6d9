# influxdb-client ships without type annotations.
# mypy: disable-error-code="no-untyped-call"
"""End to end on the local stack: the real influxdb-client drives the InfluxDB API unchanged, and an event
naming endpoint ids is delivered through an http and a slack endpoint to a loopback receiver."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from influxdb_client.client.influxdb_client import InfluxDBClient
from influxdb_client.domain.http_notification_endpoint import HTTPNotificationEndpoint
from influxdb_client.domain.label_create_request import LabelCreateRequest
from influxdb_client.domain.label_mapping import LabelMapping
from influxdb_client.domain.notification_endpoint_update import NotificationEndpointUpdate
from influxdb_client.domain.pager_duty_notification_endpoint import PagerDutyNotificationEndpoint
from influxdb_client.domain.slack_notification_endpoint import SlackNotificationEndpoint
from influxdb_client.domain.telegram_notification_endpoint import TelegramNotificationEndpoint
from influxdb_client.rest import ApiException
from influxdb_client.service.health_service import HealthService
from influxdb_client.service.labels_service import LabelsService
from influxdb_client.service.notification_endpoints_service import NotificationEndpointsService
from influxdb_client.service.organizations_service import OrganizationsService

from tests.e2e.conftest import LocalStack
from tests.support.receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_influxdb_client_manages_endpoints_labels_and_orgs(stack: LocalStack) -> None:
    org_id, token = stack.new_org_token()
    with InfluxDBClient(url=stack.api_url, token=token, org=org_id) as client:
        assert client.ping() is True
        assert HealthService(client.api_client).get_health().status == "pass"

        orgs = OrganizationsService(client.api_client).get_orgs(org=org_id).orgs
        assert [o.id for o in orgs] == [org_id]
        assert client.organizations_api().find_organizations(org=org_id)[0].name == org_id

        endpoints = NotificationEndpointsService(client.api_client)
        made = [
            SlackNotificationEndpoint(name="slack", org_id=org_id, url="https://hooks.slack.com/x", token="xoxb"),
            PagerDutyNotificationEndpoint(name="pd", org_id=org_id, client_url="https://c.example", routing_key="rk-1"),
            HTTPNotificationEndpoint(
                name="http",
                org_id=org_id,
                url="https://hooks.example.com/in",
                method="POST",
                auth_method="bearer",
                token="tok",
                headers={"X-A": "1"},
            ),
            TelegramNotificationEndpoint(name="tg", org_id=org_id, token="123:abc", channel="-100"),
        ]
        created = [endpoints.create_notification_endpoint(e) for e in made]
        assert [type(c).__name__ for c in created] == [type(e).__name__ for e in made]
        slack, pd, http, tg = created
        assert slack.token == f"secret: {slack.id}-token" and slack.url == "https://hooks.slack.com/x"
        assert pd.routing_key == f"secret: {pd.id}-routing-key" and pd.client_url == "https://c.example"
        assert http.auth_method == "bearer" and http.headers == {"X-A": "1"} and http.token.startswith("secret: ")
        assert tg.channel == "-100" and tg.status == "active"

        listed = endpoints.get_notification_endpoints(org_id=org_id, limit=2)
        assert len(listed.notification_endpoints) == 2 and listed.links.next
        everything = endpoints.get_notification_endpoints(org_id=org_id).notification_endpoints
        assert sorted(e.id for e in everything) == sorted(c.id for c in created)

        got = endpoints.get_notification_endpoints_id(http.id)
        assert isinstance(got, HTTPNotificationEndpoint) and got.url == "https://hooks.example.com/in"

        patched = endpoints.patch_notification_endpoints_id(
            tg.id, NotificationEndpointUpdate(name="tg-2", description="ops chat", status="inactive")
        )
        assert (patched.name, patched.description, patched.status) == ("tg-2", "ops chat", "inactive")

        got.name = "http-2"
        replaced = endpoints.put_notification_endpoints_id(http.id, got)  # secrets sent back as references
        assert replaced.name == "http-2" and replaced.token == f"secret: {http.id}-token"

        labels = LabelsService(client.api_client)
        label = labels.post_labels(LabelCreateRequest(org_id=org_id, name="team", properties={"color": "red"})).label
        added = endpoints.post_notification_endpoint_id_labels(slack.id, LabelMapping(label_id=label.id))
        assert added.label.id == label.id
        assert [x.name for x in endpoints.get_notification_endpoints_id_labels(slack.id).labels] == ["team"]
        assert [x.id for x in labels.get_labels(org_id=org_id).labels] == [label.id]
        endpoints.delete_notification_endpoints_id_labels_id(slack.id, label.id)
        assert endpoints.get_notification_endpoints_id_labels(slack.id).labels == []

        for endpoint in created:
            endpoints.delete_notification_endpoints_id(endpoint.id)
        assert endpoints.get_notification_endpoints(org_id=org_id).notification_endpoints == []
        with pytest.raises(ApiException) as missing:
            endpoints.get_notification_endpoints_id(slack.id)
        assert missing.value.status == 404
        labels.delete_labels_id(label.id)


def test_event_delivers_through_http_and_slack_endpoints(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()

    def create(body: dict[str, Any]) -> str:
        answer = stack.call("POST", "/api/v2/notificationEndpoints", token, body)
        assert answer.status == 201, answer.body
        return str(answer.json()["id"])

    http = create(
        {
            "type": "http",
            "name": "hook",
            "url": receiver.url("/influx-http"),
            "method": "POST",
            "authMethod": "basic",
            "username": "alice",
            "password": "s3cret",
            "headers": {"X-Team": "ops"},
        }
    )
    slack = create({"type": "slack", "name": "slack", "url": receiver.url("/influx-slack")})
    off = create({"type": "slack", "name": "off", "url": receiver.url("/influx-off"), "status": "inactive"})
    answer = stack.call(
        "POST",
        "/v1/events",
        token,
        {"status": "triggered", "title": "disk full", "targets": {"endpointIDs": [http, slack, off]}},
    )
    assert answer.status == 202, answer.body
    event_id = answer.json()["id"]

    def settled() -> list[dict[str, Any]] | None:
        deliveries = stack.call("GET", f"/v1/events/{event_id}", token).json()["deliveries"]
        done = [d for d in deliveries if d["status"] in ("delivered", "failed", "skipped")]
        return deliveries if len(deliveries) == 3 and len(done) == 3 else None

    deliveries = stack.wait_for(settled, timeout=30)
    assert deliveries, stack.call("GET", f"/v1/events/{event_id}", token).json()
    status = {d["destination"]["id"]: (d["destination"]["kind"], d["status"]) for d in deliveries}
    assert status == {http: ("http", "delivered"), slack: ("slack", "delivered"), off: ("slack", "skipped")}
    received = {r.path: r for r in receiver.wait_for(2)}
    assert set(received) == {"/influx-http", "/influx-slack"}
    hook = received["/influx-http"]
    assert hook.headers["authorization"] == "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert hook.headers["x-team"] == "ops" and "disk full" in hook.body.decode()
    assert "disk full" in received["/influx-slack"].json()["text"]
