"""Grafana notifiers at their edges (issue 16, items 1 to 5): updates that keep the password, tests of saved
channels by id, Grafana's legacy webhook body, every stored setting taking effect, and the notifier types
delivered through the webhook kind's body formats, each checked at a loopback receiver."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from moto.backends import get_backend

from herald import ids
from herald.auth.api_keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import orgs
from herald.families.grafana.notifiers import adapter_config
from herald.senders import email, pagerduty, webhook
from herald.senders.base import Target
from herald.senders.formats import line, pushover, threema
from herald.senders.render import Notification
from herald.settings import get_settings
from herald_local.template import Resolver
from tests.support import module_env
from tests.support.apigw import ApiClient
from tests.support.receiver import Receiver

BASE = "/api/alert-notifications"

# moto and the function instances once per module, a fresh table per test (tests/support/module_env.py)
module_aws, aws_env, module_api, api = module_env.module_aws, module_env.aws_env, module_env.module_api, module_env.api


@pytest.fixture
def token(aws_env: Resolver) -> str:
    org = ids.org_id()
    orgs.ensure(org)
    return create_key(org, list(ALL_SCOPES))


@pytest.fixture
def fixed_urls(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Providers with a fixed API address (Pushover, Threema, LINE) point at the receiver."""
    monkeypatch.setattr(pushover, "API_URL", receiver.url("/pushover"))
    monkeypatch.setattr(threema, "API_URL", receiver.url("/threema"))
    monkeypatch.setattr(line, "API_URL", receiver.url("/line"))
    yield


def ok(response: Any) -> dict[str, Any]:
    assert response.status == 200, response.text
    return dict(response.json())


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --- item 1: updates as grafana-client sends them ----------------------------------------------------------


def test_update_without_username_keeps_the_stored_password(api: ApiClient, token: str, receiver: Receiver) -> None:
    created = ok(
        api.post(
            BASE,
            {
                "uid": "hook",
                "name": "hook",
                "type": "webhook",
                "settings": {"url": receiver.url("/a"), "username": "grafana"},
                "secureSettings": {"password": "pa55"},
            },
            token=token,
        )
    )
    update = {"name": "hook", "type": "webhook", "settings": {"url": receiver.url("/b"), "httpMethod": "PUT"}}
    updated = ok(api.put(f"{BASE}/uid/hook", update, token=token))
    assert updated["secureFields"] == {"password": True}
    assert updated["settings"] == {"url": receiver.url("/b"), "httpMethod": "PUT"}
    assert updated["id"] == created["id"]


def test_a_password_without_a_username_is_accepted_and_sends_no_basic_auth(
    api: ApiClient, token: str, receiver: Receiver
) -> None:
    body = {"type": "webhook", "settings": {"url": receiver.url("/p")}, "secureSettings": {"password": "pa55"}}
    ok(api.post(BASE, {**body, "name": "password only"}, token=token))
    ok(api.post(f"{BASE}/test", body, token=token))
    (request,) = receiver.requests("/p")
    assert "authorization" not in request.headers  # Grafana sends basic auth only when both are set


# --- item 2: test a saved channel by id --------------------------------------------------------------------


def test_test_by_id_uses_the_saved_secure_settings(api: ApiClient, token: str, receiver: Receiver) -> None:
    slack = ok(
        api.post(
            BASE,
            {
                "name": "slack",
                "type": "slack",
                "settings": {"recipient": "#ops"},
                "secureSettings": {"url": receiver.url("/slack")},
            },
            token=token,
        )
    )
    answer = api.post(
        f"{BASE}/test", {"id": slack["id"], "type": "slack", "settings": {"recipient": "#ops"}}, token=token
    )
    assert ok(answer) == {"message": "Test notification sent"}
    (request,) = receiver.requests("/slack")
    assert request.json()["channel"] == "#ops"
    without_id = api.post(f"{BASE}/test", {"type": "slack", "settings": {"recipient": "#ops"}}, token=token)
    assert without_id.status == 400
    assert without_id.json() == {"message": "alert validation error: Could not find url property in settings"}


def test_test_by_id_sends_basic_auth_with_the_kept_password(api: ApiClient, token: str, receiver: Receiver) -> None:
    hook = ok(
        api.post(
            BASE,
            {
                "name": "h",
                "type": "webhook",
                "settings": {"url": receiver.url("/h")},
                "secureSettings": {"password": "kept"},
            },
            token=token,
        )
    )
    body = {"id": hook["id"], "type": "webhook", "settings": {"url": receiver.url("/h"), "username": "grafana"}}
    ok(api.post(f"{BASE}/test", body, token=token))
    (request,) = receiver.requests("/h")
    assert request.headers["authorization"] == basic("grafana", "kept")


def test_test_by_unknown_id_is_404(api: ApiClient, token: str, receiver: Receiver) -> None:
    response = api.post(
        f"{BASE}/test", {"id": 999, "type": "webhook", "settings": {"url": receiver.url()}}, token=token
    )
    assert response.status == 404 and response.json() == {"message": "Alert notification not found"}


# --- item 3: Grafana's legacy webhook body -----------------------------------------------------------------


def notification(status: str = "triggered", **labels: str) -> Notification:
    return Notification(
        id="evt_1",
        status=status,
        severity="critical",
        title="High CPU",
        created_at="2026-11-29T09:00:00Z",
        message="CPU above 90%",
        url="https://grafana.example/d/AbC/servers?tab=alert&viewPanel=2&orgId=1",
        labels=dict(labels),
    )


def send_grafana(kind: str, settings: dict[str, Any], secrets: dict[str, str], note: Notification) -> str:
    target = Target("dlv_1", adapter_config(kind, settings), secrets)
    return webhook.send(note, target).result


def test_webhook_channel_posts_grafanas_legacy_body(aws_env: Resolver, receiver: Receiver) -> None:
    note = notification(ruleId="7", dashboardId="3", panelId="2", team="ops")
    secrets = {"url": receiver.url("/g"), "password": "pw"}
    assert send_grafana("webhook", {"httpMethod": "PUT", "username": "u"}, secrets, note) == "delivered"
    assert send_grafana("webhook", {}, {"url": receiver.url("/g")}, notification("recovered")) == "delivered"
    alerting, recovered = receiver.requests("/g")
    assert alerting.method == "PUT" and alerting.headers["authorization"] == basic("u", "pw")
    assert alerting.headers["content-type"] == "application/json" and alerting.headers["user-agent"] == "Grafana"
    assert list(alerting.json()) == sorted(alerting.json())  # Grafana's simplejson writes keys in order
    assert alerting.json() == {
        "dashboardId": 3,
        "evalMatches": [],
        "message": "CPU above 90%",
        "orgId": 1,
        "panelId": 2,
        "ruleId": 7,
        "ruleName": "High CPU",
        "ruleUrl": "https://grafana.example/d/AbC/servers?tab=alert&viewPanel=2&orgId=1",
        "state": "alerting",
        "tags": {"team": "ops"},
        "title": "[Alerting] High CPU",
    }
    assert recovered.method == "POST" and "authorization" not in recovered.headers
    assert recovered.json()["state"] == "ok" and recovered.json()["title"] == "[OK] High CPU"


# --- item 4: every stored setting takes effect -------------------------------------------------------------


def test_slack_settings_reach_the_message(api: ApiClient, token: str, receiver: Receiver) -> None:
    settings = {
        "recipient": "#ops",
        "username": "grafana-bot",
        "icon_emoji": ":fire:",
        "icon_url": "https://example.com/icon.png",
        "mentionUsers": "U1, U2",
        "mentionGroups": "G1",
        "mentionChannel": "here",
    }
    body = {"type": "slack", "settings": settings, "secureSettings": {"url": receiver.url("/s")}}
    ok(api.post(f"{BASE}/test", body, token=token))
    sent = receiver.requests("/s")[0].json()
    assert sent["channel"] == "#ops" and sent["username"] == "grafana-bot"
    assert sent["icon_emoji"] == ":fire:" and sent["icon_url"] == "https://example.com/icon.png"
    assert sent["text"].startswith("<@U1> <@U2> <!subteam^G1> <!here> ")


def test_slack_token_posts_through_chat_post_message(
    api: ApiClient, token: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HERALD_SLACK_API_URL", receiver.url("/api"))
    get_settings.cache_clear()
    body = {"type": "slack", "settings": {"recipient": "#ops"}, "secureSettings": {"token": "xoxb-secret"}}
    receiver.default.body = b'{"ok":true}'
    ok(api.post(f"{BASE}/test", body, token=token))
    (request,) = receiver.requests("/api/chat.postMessage")
    assert request.headers["authorization"] == "Bearer xoxb-secret" and request.json()["channel"] == "#ops"
    receiver.default.body = b'{"ok":false,"error":"channel_not_found"}'
    assert api.post(f"{BASE}/test", body, token=token).status == 500
    get_settings.cache_clear()


def test_discord_content_and_avatar(api: ApiClient, token: str, receiver: Receiver) -> None:
    settings = {"content": "@oncall look", "avatar_url": "https://example.com/a.png", "use_discord_username": False}
    body = {"type": "discord", "settings": settings, "secureSettings": {"url": receiver.url("/d")}}
    ok(api.post(f"{BASE}/test", body, token=token))
    sent = receiver.requests("/d")[0].json()
    assert sent["content"] == "@oncall look" and sent["avatar_url"] == "https://example.com/a.png"
    assert sent["username"] == "Grafana"


def test_pagerduty_auto_resolve_off_sends_no_resolve(
    aws_env: Resolver, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HERALD_PAGERDUTY_EVENTS_URL", receiver.url("/pd"))
    get_settings.cache_clear()
    receiver.default.status = 202
    secrets = {"routingKey": "R" * 32}
    for auto_resolve, expected in ((False, 0), (True, 1)):
        config = adapter_config("pagerduty", {"autoResolve": auto_resolve, "severity": "warning"})
        assert pagerduty.send(notification("recovered"), Target("d", config, secrets)).result == "delivered"
        assert len(receiver.requests("/pd")) == expected
    pagerduty.send(notification(), Target("d", adapter_config("pagerduty", {"severity": "warning"}), secrets))
    assert receiver.requests("/pd")[-1].json()["payload"]["severity"] == "warning"
    get_settings.cache_clear()


def test_email_single_email_decides_one_message_or_one_each(aws_env: Resolver) -> None:
    backend = get_backend("ses")["123456789012"]["us-east-1"]
    backend.verify_email_identity("herald@example.com")
    addresses = "a@example.com;b@example.com"
    for single, messages in ((True, 1), (False, 2)):
        before = len(backend.sent_messages)
        config = adapter_config("email", {"addresses": addresses, "singleEmail": single})
        assert email.send(notification(), Target("d", config, {})).result == "delivered"
        sent = backend.sent_messages[before:]
        assert len(sent) == messages
        assert sorted(a for m in sent for a in m.destinations["ToAddresses"]) == ["a@example.com", "b@example.com"]


# --- item 5: more notifier types ---------------------------------------------------------------------------


def test_opsgenie_creates_with_tags_and_closes_by_alias(aws_env: Resolver, receiver: Receiver) -> None:
    settings = {"apiUrl": receiver.url("/og/v2/alerts"), "sendTagsAs": "both"}
    note = notification(ruleId="7", team="ops", og_priority="P2")
    assert send_grafana("opsgenie", settings, {"apiKey": "gk"}, note) == "delivered"
    assert send_grafana("opsgenie", settings, {"apiKey": "gk"}, notification("recovered", ruleId="7")) == "delivered"
    off = {**settings, "autoClose": False}
    assert send_grafana("opsgenie", off, {"apiKey": "gk"}, notification("recovered", ruleId="7")) == "delivered"
    created, closed = receiver.requests()
    assert created.path == "/og/v2/alerts" and created.headers["authorization"] == "GenieKey gk"
    body = created.json()
    assert body["alias"] == "alertId-7" and body["message"] == "High CPU" and body["priority"] == "P2"
    assert body["tags"] == ["team:ops", "og_priority:P2"] and body["details"]["team"] == "ops"
    assert closed.path == "/og/v2/alerts/alertId-7/close?identifierType=alias"


@pytest.mark.parametrize(
    ("kind", "settings", "secure", "path"),
    [
        ("victorops", {}, {"url": "/vo"}, "/vo"),
        ("googlechat", {}, {"url": "/gc"}, "/gc"),
        ("sensu", {"handler": "h", "username": "u"}, {"url": "/sensu", "password": "p"}, "/sensu"),
        ("kafka", {"kafkaTopic": "alerts"}, {"kafkaRestProxy": "/kafka"}, "/kafka/topics/alerts"),
        (
            "prometheus-alertmanager",
            {"basicAuthUser": "u"},
            {"url": "/am", "basicAuthPassword": "p"},
            "/am/api/v2/alerts",
        ),
        ("dingding", {"msgType": "actionCard"}, {"url": "/ding"}, "/ding"),
        (
            "pushover",
            {"priority": "2", "retry": "60", "expire": "600", "sound": "siren"},
            {"apiToken": "t", "userKey": "k"},
            "/pushover",
        ),
        ("threema", {"gateway_id": "*ABCDEFG", "recipient_id": "ABCD1234"}, {"api_secret": "s"}, "/threema"),
        ("LINE", {}, {"token": "line-token"}, "/line"),
    ],
)
def test_new_notifier_types_post_their_products_request(
    api: ApiClient,
    token: str,
    receiver: Receiver,
    fixed_urls: None,
    kind: str,
    settings: dict[str, Any],
    secure: dict[str, str],
    path: str,
) -> None:
    secure = {k: receiver.url(v) if v.startswith("/") else v for k, v in secure.items()}
    created = ok(
        api.post(BASE, {"name": kind, "type": kind, "settings": settings, "secureSettings": secure}, token=token)
    )
    assert created["secureFields"] == dict.fromkeys(secure, True)
    ok(api.post(f"{BASE}/test", {"id": created["id"], "type": kind, "settings": settings}, token=token))
    (request,) = receiver.requests(path)
    raw = request.body.decode()
    if kind == "victorops":
        assert request.json()["message_type"] == "CRITICAL" and request.json()["entity_id"] == "Test notification"
    elif kind == "googlechat":
        assert request.json()["cards"][0]["header"]["title"] == "[Alerting] Test notification"
    elif kind == "sensu":
        assert (
            request.json()["status"] == 2
            and request.json()["handler"] == "h"
            and request.json()["name"] == "Test_notification"
        )
        assert request.headers["authorization"] == basic("u", "p")
    elif kind == "kafka":
        assert request.headers["content-type"] == "application/vnd.kafka.json.v2+json"
        assert request.json()["records"][0]["value"]["incident_key"] == "alertId-0"
    elif kind == "prometheus-alertmanager":
        (alert,) = request.json()
        assert alert["labels"]["alertname"] == "Test notification" and "endsAt" not in alert
        assert request.headers["authorization"] == basic("u", "p")
    elif kind == "dingding":
        assert request.json()["msgtype"] == "actionCard"
    elif kind == "pushover":
        assert request.headers["content-type"].startswith("multipart/form-data")
        for field in (
            'name="user"\r\n\r\nk',
            'name="token"\r\n\r\nt',
            'name="priority"\r\n\r\n2',
            'name="retry"\r\n\r\n60',
            'name="sound"\r\n\r\nsiren',
        ):
            assert field in raw
    elif kind == "threema":
        form = parse_qs(raw)
        assert form["from"] == ["*ABCDEFG"] and form["to"] == ["ABCD1234"] and form["secret"] == ["s"]
    elif kind == "LINE":
        assert request.headers["authorization"] == "Bearer line-token"
        assert parse_qs(raw)["message"][0].startswith("[Alerting] Test notification")
    assert json.dumps(created).count("line-token") == 0


def test_an_undeliverable_type_is_still_refused(api: ApiClient, token: str) -> None:
    response = api.post(BASE, {"name": "x", "type": "hipchat", "settings": {"url": "https://example.com"}}, token=token)
    assert response.status == 400
    assert response.json() == {"message": "alert validation error: Unsupported notification type"}


def test_telegram_and_teams_settings_reach_the_provider(
    api: ApiClient, token: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HERALD_TELEGRAM_API_URL", receiver.url("/tg"))
    get_settings.cache_clear()
    receiver.default.body = b'{"ok":true,"result":{}}'
    telegram = {"type": "telegram", "settings": {"chatid": "-100123", "uploadImage": False}}
    ok(api.post(f"{BASE}/test", {**telegram, "secureSettings": {"bottoken": "123:abc"}}, token=token))
    (sent,) = receiver.requests("/tg/bot123:abc/sendMessage")
    assert sent.json()["chat_id"] == "-100123"
    refused = api.post(BASE, {**telegram, "name": "t", "settings": {"chatid": "-1", "uploadImage": True}}, token=token)
    assert refused.status == 400
    assert (
        refused.json()["message"]
        == "alert validation error: uploadImage is not supported: Herald sends no panel images"
    )
    ok(api.post(f"{BASE}/test", {"type": "teams", "settings": {"url": receiver.url("/teams")}}, token=token))
    assert receiver.requests("/teams")[0].json()["type"] == "message"
    get_settings.cache_clear()
