"""Issue 15, items 6-8, at each family's API: a stored secret survives an update only at the same type and
origin (herald.secrets_kept); the sends that prove nothing leaks are in tests/security."""

from __future__ import annotations

from typing import Any

import pytest

from herald import secrets
from herald.families.grafana import store as grafana_repo
from herald.families.influxdb import store as influx_repo
from herald.families.mackerel import store as mackerel_repo
from herald.families.uptime import store as alerts_repo
from tests.support.apigw import ApiClient, ApiResponse

INFLUX = "/api/v2/notificationEndpoints"
GRAFANA = "/api/alert-notifications"


def _ok(response: ApiResponse, status: int = 200) -> Any:
    assert response.status == status, response.text
    return response.json()


def _invalid(response: ApiResponse, reason: str) -> None:
    assert response.status == 400, response.text
    assert response.json()["code"] == "invalid" and reason in response.json()["message"]


# --- InfluxDB (item 6) ---


def _http_endpoint(api: ApiClient, token: str, org_id: str, name: str = "hook") -> dict[str, Any]:
    body = {
        "orgID": org_id,
        "name": name,
        "type": "http",
        "url": "https://hooks.example.com/in",
        "method": "POST",
        "authMethod": "basic",
        "username": "alice",
        "password": "pw-plain",
    }
    return dict(_ok(api.post(INFLUX, body, token=token), 201))


def test_influxdb_a_retyped_endpoint_keeps_no_secret(api: ApiClient, token: str, org_id: str) -> None:
    # Given a Telegram endpoint with a bot token
    body = {"orgID": org_id, "name": "tg", "type": "telegram", "token": "bot-token", "channel": "-1001"}
    telegram = _ok(api.post(INFLUX, body, token=token), 201)
    before = influx_repo.get_endpoint(org_id, telegram["id"])
    # When it is re-typed to http, bearer auth naming its own token by reference
    retyped = {
        **body,
        "type": "http",
        "url": "https://collector.example.net/x",
        "authMethod": "bearer",
        "method": "POST",
        "token": f"secret: {telegram['id']}-token",
    }
    # Then the request is refused and nothing changed
    _invalid(api.put(f"{INFLUX}/{telegram['id']}", retyped, token=token), "type or URL origin changes")
    assert influx_repo.get_endpoint(org_id, telegram["id"]) == before
    # and with the token sent again it is accepted
    _ok(api.put(f"{INFLUX}/{telegram['id']}", {**retyped, "token": "new-token"}, token=token))
    stored = influx_repo.get_endpoint(org_id, telegram["id"])
    assert secrets.unseal(org_id, stored.sealed)["token"] == "new-token"


def test_influxdb_a_url_at_another_origin_keeps_no_secret(api: ApiClient, token: str, org_id: str) -> None:
    hook = _http_endpoint(api, token, org_id)
    for url in ("https://evil.example.com/in", "http://hooks.example.com/in", "https://hooks.example.com:8443/in"):
        _invalid(api.put(f"{INFLUX}/{hook['id']}", {**hook, "url": url}, token=token), "URL origin changes")
    # another path at the same origin keeps them
    sealed = influx_repo.get_endpoint(org_id, hook["id"]).sealed
    _ok(api.put(f"{INFLUX}/{hook['id']}", {**hook, "url": "https://HOOKS.example.com:443/v2"}, token=token))
    after = influx_repo.get_endpoint(org_id, hook["id"]).sealed
    assert (after["username"], after["password"]) == (sealed["username"], sealed["password"])


def test_influxdb_a_reference_names_only_this_endpoints_own_field(api: ApiClient, token: str, org_id: str) -> None:
    first, second = _http_endpoint(api, token, org_id), _http_endpoint(api, token, org_id, "second")
    borrowed = {**second, "password": f"secret: {first['id']}-password"}
    _invalid(api.put(f"{INFLUX}/{second['id']}", borrowed, token=token), "names no stored secret of this endpoint")
    crossed = {**second, "password": f"secret: {second['id']}-username"}
    _invalid(api.put(f"{INFLUX}/{second['id']}", crossed, token=token), "names no stored secret of this endpoint")


# --- Grafana (item 7) ---


def _grafana_webhook(api: ApiClient, token: str) -> dict[str, Any]:
    body = {
        "name": "gf",
        "type": "webhook",
        "settings": {"url": "https://hooks.example.com/grafana", "username": "gf-user"},
        "secureSettings": {"password": "gf-pw"},
    }
    return dict(_ok(api.post(GRAFANA, body, token=token)))


def test_grafana_an_update_at_the_same_origin_keeps_the_password(api: ApiClient, token: str, org_id: str) -> None:
    channel = _grafana_webhook(api, token)
    update = {"name": "gf", "type": "webhook", "settings": {"url": "https://hooks.example.com/v2", "username": "u"}}
    assert _ok(api.put(f"{GRAFANA}/{channel['id']}", update, token=token))["secureFields"] == {"password": True}
    record = grafana_repo.get(org_id, channel["id"], "missing")
    assert secrets.unseal(org_id, {"password": record.sealed["password"]}) == {"password": "gf-pw"}


def test_grafana_an_update_to_another_origin_drops_the_password(api: ApiClient, token: str, org_id: str) -> None:
    channel = _grafana_webhook(api, token)
    update = {"name": "gf", "type": "webhook", "settings": {"url": "https://evil.example.com/x", "username": "u"}}
    assert _ok(api.put(f"{GRAFANA}/{channel['id']}", update, token=token))["secureFields"] == {}
    assert "password" not in grafana_repo.get(org_id, channel["id"], "missing").sealed
    # sent again, it is kept as sent
    again = {**update, "secureSettings": {"password": "new-pw"}}
    assert _ok(api.put(f"{GRAFANA}/uid/{channel['uid']}", again, token=token))["secureFields"] == {"password": True}


def test_grafana_a_secure_url_moved_by_secure_settings_drops_the_token(api: ApiClient, token: str) -> None:
    body = {
        "name": "sl",
        "type": "slack",
        "settings": {"recipient": "#ops"},
        "secureSettings": {"url": "https://hooks.slack.com/services/T/B/x", "token": "xoxb-1"},
    }
    channel = _ok(api.post(GRAFANA, body, token=token))
    same = {**body, "secureSettings": {"url": "https://hooks.slack.com/services/T/B/y"}}
    assert _ok(api.put(f"{GRAFANA}/{channel['id']}", same, token=token))["secureFields"] == {"token": True, "url": True}
    moved = {**body, "secureSettings": {"url": "https://evil.example.com/services"}}
    assert _ok(api.put(f"{GRAFANA}/{channel['id']}", moved, token=token))["secureFields"] == {"url": True}


# --- uptime alerts and Mackerel (item 8) ---


def test_uptime_a_url_at_another_origin_drops_the_signing_secret(api: ApiClient, token: str, org_id: str) -> None:
    body = {"name": "w", "strategy": "webhook", "url": "https://hooks.example.com/a", "secret": "whsec_c2VjcmV0"}
    alert = _ok(api.post("/v1/alerts", body, token=token), 201)
    _ok(api.put(f"/v1/alerts/{alert['id']}", {"url": "https://hooks.example.com/b"}, token=token))
    assert set(alerts_repo.get(org_id, alert["id"]).sealed) == {"url", "secret"}
    _ok(api.put(f"/v1/alerts/{alert['id']}", {"url": "https://evil.example.com/b"}, token=token))
    assert set(alerts_repo.get(org_id, alert["id"]).sealed) == {"url"}
    _ok(api.put(f"/v1/alerts/{alert['id']}", {"url": "https://x.example.com/", "secret": "s2"}, token=token))
    stored = alerts_repo.get(org_id, alert["id"])
    assert secrets.unseal(org_id, stored.sealed) == {"url": "https://x.example.com/", "secret": "s2"}


def test_mackerel_a_mask_at_another_origin_is_a_new_url(api: ApiClient, token: str, org_id: str) -> None:
    headers = {"X-Api-Key": token}
    body = {"name": "mk", "type": "webhook", "events": ["alert"], "url": "https://hooks.example.com/secret-path"}
    channel = _ok(api.request("POST", "/api/v0/channels", body, headers=headers))

    def saved() -> str:
        record = mackerel_repo.load(org_id).channels[channel["id"]]
        return secrets.unseal(org_id, record.sealed)["url"]

    _ok(
        api.request(
            "PUT",
            f"/api/v0/channels/{channel['id']}",
            {**body, "url": "https://hooks.example.com/********"},
            headers=headers,
        )
    )
    assert saved() == "https://hooks.example.com/secret-path"
    elsewhere = "https://evil.example.com/********"
    _ok(api.request("PUT", f"/api/v0/channels/{channel['id']}", {**body, "url": elsewhere}, headers=headers))
    assert saved() == elsewhere


def test_uptime_a_url_moved_while_the_update_was_deciding_is_decided_again(
    api: ApiClient, token: str, org_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a signed webhook alert
    body = {"name": "w", "strategy": "webhook", "url": "https://hooks.example.com/a", "secret": "s-old"}
    alert = _ok(api.post("/v1/alerts", body, token=token), 201)
    real_get = alerts_repo.get
    raced: list[bool] = []

    def get_then_race(org: str, alert_id: str) -> alerts_repo.AlertRecord:
        record = real_get(org, alert_id)
        if not raced:  # another request moves it to another origin, with a secret of its own
            raced.append(True)
            moved = {"url": "https://other.example.com/", "secret": "s-other"}
            _ok(api.put(f"/v1/alerts/{alert_id}", moved, token=token))
        return record

    monkeypatch.setattr(alerts_repo, "get", get_then_race)
    # When an update that read the old origin moves the URL back there without a secret
    _ok(api.put(f"/v1/alerts/{alert['id']}", {"url": "https://hooks.example.com/b"}, token=token))
    # Then the other request's secret does not follow it
    stored = real_get(org_id, alert["id"])
    assert secrets.unseal(org_id, stored.sealed) == {"url": "https://hooks.example.com/b"}
