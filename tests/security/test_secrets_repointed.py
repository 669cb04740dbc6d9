"""Security proof: a key that can write a destination cannot send the destination's stored secrets to a
server of its choosing (issue 15, items 6-8; the rule is herald.secrets_kept).

Each destination is first saved against the `old` receiver with its secrets; then a request re-points it
at the `new` receiver (another origin: another port) or re-types it, sending the secrets back only as
references or not at all. Real sends follow, and every request the `new` receiver recorded is searched for
the secrets. The `old` receiver is the control: it must see them, so the search can find what it looks for.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from herald import settings
from tests.security.test_ssrf_and_secrets import _run_pipeline
from tests.support.apigw import ApiClient, ApiResponse
from tests.support.receiver import Received, Receiver

INFLUX = "/api/v2/notificationEndpoints"
TELEGRAM_TOKEN = "123456:telegram-bot-token-Kq7"
HTTP_PASSWORD = "influx-basic-password-Wm3"
GRAFANA_PASSWORD = "grafana-basic-password-Pz9"
SIGNING_SECRET = "whsec_c2lnbmluZy1zZWNyZXQtb2YtdGhlLWFsZXJ0"
MACKEREL_PATH_TOKEN = "mackerel-path-token-Xv5"


@pytest.fixture
def old() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def new() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def _ok(response: ApiResponse, status: int = 200) -> Any:
    assert response.status == status, response.text
    return response.json()


def _seen(request: Received) -> str:
    """Everything a receiver got in one request, basic-auth credentials decoded."""
    parts = [request.path, json.dumps(request.headers), request.body.decode(errors="replace")]
    for name, value in request.headers.items():
        if name.lower() == "authorization" and value.startswith("Basic "):
            parts.append(base64.b64decode(value[6:]).decode(errors="replace"))
    return "\n".join(parts)


def _signed_with(secret: str, request: Received) -> bool:
    headers = {k.lower(): v for k, v in request.headers.items()}
    if "webhook-signature" not in headers:
        return False
    try:
        Webhook(secret).verify(request.body, headers)
    except WebhookVerificationError:
        return False
    return True


def test_secrets_do_not_follow_a_destination_to_another_origin_or_type(
    aws_env: Any,
    api: ApiClient,
    token: str,
    org_id: str,
    old: Receiver,
    new: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    record_property: Callable[[str, Any], None],
) -> None:
    monkeypatch.setenv("HERALD_TELEGRAM_API_URL", old.url("/telegram"))  # the bot API, at the old origin
    settings.get_settings.cache_clear()
    tried: list[str] = []
    mackerel = {"X-Api-Key": token}

    # InfluxDB, item 6: a Telegram endpoint re-typed to http, bearer token given as its own reference
    telegram = _ok(
        api.post(
            INFLUX,
            {"orgID": org_id, "name": "tg", "type": "telegram", "token": TELEGRAM_TOKEN, "channel": "-100123"},
            token=token,
        ),
        201,
    )
    retyped = {
        "orgID": org_id,
        "name": "tg",
        "type": "http",
        "url": new.url("/influx-retyped"),
        "method": "POST",
        "authMethod": "bearer",
        "token": f"secret: {telegram['id']}-token",
    }
    refused = {"type or URL origin": api.put(f"{INFLUX}/{telegram['id']}", retyped, token=token)}
    tried.append("InfluxDB telegram→http")

    # InfluxDB: an http endpoint with basic auth moved to another origin, its secrets sent as references
    hook = _ok(
        api.post(
            INFLUX,
            {
                "orgID": org_id,
                "name": "hook",
                "type": "http",
                "url": old.url("/influx"),
                "method": "POST",
                "authMethod": "basic",
                "username": "influx-user",
                "password": HTTP_PASSWORD,
            },
            token=token,
        ),
        201,
    )
    moved = {**hook, "url": new.url("/influx")}
    refused["username: a stored secret is not kept"] = api.put(f"{INFLUX}/{hook['id']}", moved, token=token)
    tried.append("InfluxDB http URL moved")

    # InfluxDB: a reference that names another endpoint's secret
    other = _ok(api.post(INFLUX, {**moved, "name": "other", "username": "u2", "password": "its-own"}, token=token), 201)
    borrowed = {**other, "password": f"secret: {hook['id']}-password"}
    refused["names no stored secret of this endpoint"] = api.put(f"{INFLUX}/{other['id']}", borrowed, token=token)
    tried.append("InfluxDB reference to another endpoint")

    # Grafana, item 7: a webhook channel with basic auth moved to another origin without its password
    channel = _ok(
        api.post(
            "/api/alert-notifications",
            {
                "name": "gf",
                "type": "webhook",
                "isDefault": True,
                "settings": {"url": old.url("/grafana"), "username": "gf-user"},
                "secureSettings": {"password": GRAFANA_PASSWORD},
            },
            token=token,
        )
    )
    repointed = {
        "name": "gf",
        "type": "webhook",
        "isDefault": True,
        "settings": {"url": new.url("/grafana"), "username": "gf-user"},
    }
    _ok(api.post("/api/alert-notifications/test", {**repointed, "id": channel["id"]}, token=token))
    tried.append("Grafana test send at another origin")
    updated = _ok(api.put(f"/api/alert-notifications/{channel['id']}", repointed, token=token))
    tried.append("Grafana webhook URL moved")

    # Uptime alerts, item 8: a signed webhook alert whose URL moves; the secret is not sent again
    alert = _ok(
        api.post(
            "/v1/alerts",
            {"name": "up", "strategy": "webhook", "url": old.url("/uptime"), "secret": SIGNING_SECRET},
            token=token,
        ),
        201,
    )
    _ok(api.put(f"/v1/alerts/{alert['id']}", {"url": new.url("/uptime")}, token=token))
    tried.append("uptime webhook URL moved")

    # Mackerel, item 8: a webhook channel whose URL (its secret) is replaced by its mask at another origin
    mackerel_hook = _ok(
        api.request(
            "POST",
            "/api/v0/channels",
            {
                "name": "mk",
                "type": "webhook",
                "events": ["alert"],
                "addToDefaultNotificationGroup": True,
                "url": old.url(f"/mackerel/{MACKEREL_PATH_TOKEN}"),
            },
            headers=mackerel,
        )
    )
    masked_elsewhere = new.url("/********")
    _ok(
        api.request(
            "PUT",
            f"/api/v0/channels/{mackerel_hook['id']}",
            {"name": "mk", "type": "webhook", "events": ["alert"], "url": masked_elsewhere},
            headers=mackerel,
        )
    )
    tried.append("Mackerel webhook URL masked elsewhere")

    # When an event reaches every destination
    event = _ok(
        api.post(
            "/v1/events",
            {
                "monitorId": "mon_x",
                "status": "triggered",
                "title": "t",
                "targets": {"endpointIDs": [telegram["id"], hook["id"], other["id"]]},
            },
            token=token,
        ),
        202,
    )
    _run_pipeline(aws_env, event["id"])

    # Then the new origin got the sends (test, Grafana, uptime, Mackerel) and none of the secrets
    received = new.wait_for(5, timeout=10)
    paths = sorted({r.path for r in received})
    assert {"/grafana", "/uptime", "/********", "/influx"} <= set(paths), paths
    secrets = [TELEGRAM_TOKEN, HTTP_PASSWORD, GRAFANA_PASSWORD, SIGNING_SECRET, MACKEREL_PATH_TOKEN]
    leaked = [s for s in secrets for r in received if s in _seen(r)]
    leaked += ["uptime signature" for r in received if _signed_with(SIGNING_SECRET, r)]
    assert leaked == []
    # (InfluxDB refuses the update in its own error shape; Grafana drops the password it was not sent again)
    for reason, answer in refused.items():
        assert answer.status == 400 and answer.json()["code"] == "invalid" and reason in answer.json()["message"]
    assert "password" not in updated["secureFields"]
    # and the control: the old origin still gets the InfluxDB endpoint, whose password is searched for alike
    control = old.wait_for(2, timeout=10)
    assert any(HTTP_PASSWORD in _seen(r) for r in control) and any(TELEGRAM_TOKEN in _seen(r) for r in control)
    record_property("security", f"secrets re-pointed: {len(tried)} tried ({'; '.join(tried)}), {len(leaked)} leaked")
