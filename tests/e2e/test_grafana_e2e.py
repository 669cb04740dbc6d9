"""The real grafana-client against the local stack: its notifications API, unchanged, end to end."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from grafana_client.api import GrafanaApi
from grafana_client.client import GrafanaBadInputError, GrafanaClientError, GrafanaServerError

from tests.e2e.conftest import LocalStack
from tests.support.receiver import Receiver, Reply

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def grafana(stack: LocalStack, token: str) -> Any:
    """The client, typed Any: grafana-client has no annotations on its API elements."""
    api: Any = GrafanaApi.from_url(stack.api_url, token)
    assert api.connect()["version"]  # GET /api/frontend/settings
    return api


def test_grafana_client_manages_notification_channels(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    api = grafana(stack, token)
    channel: dict[str, Any] = {
        "uid": "team-a-hook",
        "name": "Team A hook",
        "type": "webhook",
        "isDefault": True,
        "settings": {"url": receiver.url("/grafana"), "httpMethod": "PUT", "username": "grafana"},
        "secureSettings": {"password": "pa55"},
    }
    created = api.notifications.create_channel(channel)
    assert created["id"] == 1 and created["uid"] == "team-a-hook"
    assert created["secureFields"] == {"password": True} and "password" not in created["settings"]

    assert [c["uid"] for c in api.notifications.get_channels()] == ["team-a-hook"]
    assert api.notifications.lookup_channels() == [
        {"id": 1, "uid": "team-a-hook", "name": "Team A hook", "type": "webhook", "isDefault": True}
    ]
    assert api.notifications.get_channel_by_uid("team-a-hook") == created
    assert api.notifications.get_channel_by_id(1) == created

    changed = {**channel, "name": "Team A", "sendReminder": True, "frequency": "1h30m"}
    del changed["secureSettings"]
    updated = api.notifications.update_channel_by_uid("team-a-hook", changed)
    assert updated["name"] == "Team A" and updated["frequency"] == "1h30m"
    assert updated["secureFields"] == {"password": True}  # kept without being resent
    by_id = api.notifications.update_channel_by_id(1, {**changed, "id": 1, "isDefault": False})
    assert by_id["isDefault"] is False and by_id["uid"] == "team-a-hook"

    answer = api.client.POST("/alert-notifications/test", json={**channel, "name": "Team A"})
    assert answer == {"message": "Test notification sent"}
    (request,) = receiver.wait_for(1, path="/grafana")
    assert request.method == "PUT"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"grafana:pa55").decode()

    # As grafana-client and Grafana's UI update a webhook: url and httpMethod, no username, no password.
    kept_settings = {"url": receiver.url("/kept"), "httpMethod": "POST"}
    plain = {"name": "Team A", "type": "webhook", "settings": kept_settings}
    kept = api.notifications.update_channel_by_uid("team-a-hook", plain)
    assert kept["secureFields"] == {"password": True} and kept["settings"] == kept_settings
    # The UI's Test button: the saved channel's id, its settings with a username, no secure settings.
    with_user = {**kept_settings, "username": "ops"}
    tested = api.client.POST("/alert-notifications/test", json={"id": 1, "type": "webhook", "settings": with_user})
    assert tested == {"message": "Test notification sent"}
    (test_send,) = receiver.wait_for(1, path="/kept")
    assert test_send.headers["authorization"] == "Basic " + base64.b64encode(b"ops:pa55").decode()
    assert test_send.json()["ruleName"] == "Test notification" and test_send.json()["state"] == "alerting"
    assert set(test_send.json()) >= {"title", "ruleId", "ruleName", "state", "evalMatches", "orgId", "tags"}

    with pytest.raises(GrafanaClientError) as missing:
        api.notifications.get_channel_by_uid("nope")
    assert missing.value.status_code == 404 and "Alert notification not found" in missing.value.message
    with pytest.raises(GrafanaClientError) as duplicate:
        api.notifications.create_channel({**channel, "uid": "other", "name": "Team A"})
    assert duplicate.value.status_code == 409
    with pytest.raises(GrafanaBadInputError):
        api.notifications.create_channel({"name": "bad", "type": "telegram", "settings": {}})
    receiver.then(Reply(status=500, body=b"down"))
    with pytest.raises(GrafanaServerError) as failed:
        api.client.POST("/alert-notifications/test", json={"type": "webhook", "settings": {"url": receiver.url("/x")}})
    assert "Failed to send alert notifications" in failed.value.message

    second = api.notifications.create_channel({"name": "second", "type": "email", "settings": {"addresses": "a@b.co"}})
    assert second["id"] == 2
    assert api.notifications.delete_notification_by_uid("team-a-hook") == {"message": "Notification deleted", "id": 1}
    assert api.notifications.delete_notification_by_id(2) == {"message": "Notification deleted"}
    assert api.notifications.get_channels() == []


def test_default_channel_receives_events_through_the_pipeline(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    api = grafana(stack, token)
    api.notifications.create_channel(
        {"name": "default", "type": "webhook", "isDefault": True, "settings": {"url": receiver.url("/default")}}
    )
    api.notifications.create_channel(
        {"uid": "named", "name": "named", "type": "webhook", "settings": {"url": receiver.url("/named")}}
    )
    api.notifications.create_channel(
        {"name": "unused", "type": "webhook", "settings": {"url": receiver.url("/unused")}}
    )
    answer = stack.call(
        "POST",
        "/v1/events",
        token,
        {"status": "triggered", "title": "db down", "targets": {"notificationUids": ["named"]}},
    )
    assert answer.status == 202, answer.body
    received = receiver.wait_for(2, timeout=60)
    assert sorted(r.path for r in received) == ["/default", "/named"]
    assert all(r.json()["title"] == "[Alerting] db down" and r.json()["state"] == "alerting" for r in received)
