"""Grafana legacy alert notification channels (/api/alert-notifications), route by route, through API Gateway
v2 events routed by template.yaml to the alert_notifications function, on moto."""

from __future__ import annotations

import base64
import functools
import json
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend

from herald import ids, secrets
from herald.auth.api_keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import orgs, table_keys
from herald.data.table import table
from herald_local.template import Resolver
from tests.support import module_env
from tests.support.apigw import ApiClient, ApiResponse
from tests.support.receiver import Receiver, Reply

BASE = "/api/alert-notifications"
FIELDS = {
    "id",
    "uid",
    "name",
    "type",
    "isDefault",
    "sendReminder",
    "disableResolveMessage",
    "frequency",
    "created",
    "updated",
    "settings",
    "secureFields",
}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SLACK_URL = "https://hooks.slack.com/services/T00/B00/slack-secret-xyz"
EMAIL = {"name": "Team A", "type": "email", "settings": {"addresses": "carl@grafana.com;dev@grafana.com"}}


# --- environment: one moto per module, one org per test -----------------------------------------------


# one moto per module, a fresh table per test (tests/support/module_env.py)
aws_env, api = module_env.aws_env, module_env.api
module_api, module_aws = module_env.module_api, module_env.module_aws


@pytest.fixture
def new_org(aws_env: Resolver) -> Callable[..., tuple[str, str]]:
    def make(scopes: list[str] | None = None) -> tuple[str, str]:
        org = ids.org_id()
        orgs.ensure(org)
        return org, create_key(org, list(ALL_SCOPES) if scopes is None else scopes)

    return make


@pytest.fixture
def org(new_org: Callable[..., tuple[str, str]]) -> tuple[str, str]:
    return new_org()


@pytest.fixture
def token(org: tuple[str, str]) -> str:
    return org[1]


def create(api: ApiClient, token: str, body: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    response = api.post(BASE, {**(body or EMAIL), **changes}, token=token)
    assert response.status == 200, response.text
    return dict(response.json())


def message(response: ApiResponse) -> str:
    return str(response.json()["message"])


def stored_item(org_id: str, channel_id: int) -> dict[str, Any]:
    return dict(table().get_item(Key=table_keys.grafana_channel(org_id, channel_id))["Item"])


# --- create, read, list, lookup ---------------------------------------------------------------------------


def test_create_answers_200_with_every_field(api: ApiClient, token: str) -> None:
    created = create(api, token)
    assert set(created) == FIELDS
    assert created["id"] == 1 and isinstance(created["id"], int)
    assert 0 < len(created["uid"]) <= 40
    assert created["name"] == "Team A" and created["type"] == "email"
    assert created["isDefault"] is False and created["sendReminder"] is False
    assert created["disableResolveMessage"] is False and created["frequency"] == ""
    assert created["settings"] == {"addresses": "carl@grafana.com;dev@grafana.com"}
    assert created["secureFields"] == {}
    assert RFC3339.match(created["created"]) and RFC3339.match(created["updated"])


def test_ids_increase_per_org_and_are_never_reused(api: ApiClient, new_org: Callable[..., tuple[str, str]]) -> None:
    _, token = new_org()
    first = [create(api, token, name=f"c{i}")["id"] for i in range(3)]
    assert first == [1, 2, 3]
    assert api.delete(f"{BASE}/3", token=token).status == 200
    assert create(api, token, name="after-delete")["id"] == 4
    _, other = new_org()
    assert create(api, other, name="c0")["id"] == 1


@pytest.fixture
def atomic_dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """DynamoDB applies each write atomically; moto in-process does not lock, so make it (only that)."""
    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "get_item", "query"):
        original = getattr(DynamoDBBackend, name)

        def locked(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(*args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, functools.wraps(original)(locked))
    yield


def _race(org_id: str, names: list[str]) -> list[int | str]:
    """Creates racing on threads, straight through the domain (each answer: the new id, or the error)."""
    from herald.errors import HeraldError
    from herald.families.grafana import service as grafana_channels
    from herald.families.grafana.wire import ChannelIn

    def attempt(name: str) -> int | str:
        try:
            return grafana_channels.create_channel(org_id, ChannelIn.model_validate({**EMAIL, "name": name})).id
        except HeraldError as error:
            return f"{error.status} {error.message}"

    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(attempt, names))


def test_concurrent_creates_get_distinct_ids_and_one_name_wins(
    api: ApiClient, org: tuple[str, str], atomic_dynamodb: None
) -> None:
    org_id, token = org
    results = _race(org_id, [f"n{i}" for i in range(8)])
    assert sorted(r for r in results if isinstance(r, int)) == list(range(1, 9)), results
    same = _race(org_id, ["same"] * 5)
    assert sorted(str(r) for r in same) == ["409 Failed to create alert notification"] * 4 + ["9"], same
    listed = api.get(BASE, token=token).json()
    assert [c["id"] for c in listed] == list(range(1, 10))
    assert len({c["uid"] for c in listed}) == 9


# --- uid and name rules -----------------------------------------------------------------------------------


def test_uid_over_40_characters_is_400(api: ApiClient, token: str) -> None:
    response = api.post(BASE, {**EMAIL, "uid": "x" * 41}, token=token)
    assert response.status == 400
    assert message(response) == "alert validation error: Invalid UID: Must be 40 characters or less"
    assert create(api, token, uid="y" * 40)["uid"] == "y" * 40
    created = create(api, token, name="other")
    renamed = api.put(f"{BASE}/{created['id']}", {**EMAIL, "name": "other", "uid": "z" * 41}, token=token)
    assert renamed.status == 400


def test_uid_with_a_slash_is_400(api: ApiClient, token: str) -> None:
    response = api.post(BASE, {**EMAIL, "uid": "a/b"}, token=token)
    assert response.status == 400 and message(response).startswith("alert validation error: Invalid UID")


def test_duplicate_uid_or_name_is_409(api: ApiClient, token: str) -> None:
    create(api, token, uid="u1", name="n1")
    same_uid = api.post(BASE, {**EMAIL, "uid": "u1", "name": "n2"}, token=token)
    same_name = api.post(BASE, {**EMAIL, "uid": "u2", "name": "n1"}, token=token)
    for response in (same_uid, same_name):
        assert response.status == 409
        assert response.json() == {"message": "Failed to create alert notification"}
    assert len(api.get(BASE, token=token).json()) == 1


def test_rename_onto_an_existing_name_or_uid_is_409(api: ApiClient, token: str) -> None:
    create(api, token, uid="first", name="first")
    second = create(api, token, uid="second", name="second")
    by_id = api.put(f"{BASE}/{second['id']}", {**EMAIL, "name": "first"}, token=token)
    by_uid = api.put(f"{BASE}/uid/second", {**EMAIL, "name": "second", "uid": "first"}, token=token)
    for response in (by_id, by_uid):
        assert response.status == 409 and message(response) == "Failed to create alert notification"
    assert api.get(f"{BASE}/uid/second", token=token).json()["name"] == "second"


def test_same_uid_and_name_in_another_org_are_fine(api: ApiClient, new_org: Callable[..., tuple[str, str]]) -> None:
    for _ in range(2):
        _, token = new_org()
        assert create(api, token, uid="shared", name="shared")["uid"] == "shared"


# --- update -----------------------------------------------------------------------------------------------


def test_update_by_uid_replaces_and_can_rename_the_uid(api: ApiClient, token: str) -> None:
    created = create(api, token, uid="cIBgcSjkk", isDefault=True)
    body = {
        "uid": "new-alert-notification",
        "name": "new alert notification",
        "type": "email",
        "isDefault": False,
        "sendReminder": True,
        "frequency": "15m",
        "settings": {"addresses": "carl@grafana.com"},
    }
    response = api.put(f"{BASE}/uid/cIBgcSjkk", body, token=token)
    assert response.status == 200, response.text
    updated = response.json()
    assert updated["id"] == created["id"] and updated["uid"] == "new-alert-notification"
    assert updated["name"] == "new alert notification" and updated["isDefault"] is False
    assert updated["sendReminder"] is True and updated["frequency"] == "15m"
    assert updated["settings"] == {"addresses": "carl@grafana.com"}
    assert updated["created"] == created["created"]
    assert api.get(f"{BASE}/uid/cIBgcSjkk", token=token).status == 404
    assert api.get(f"{BASE}/uid/new-alert-notification", token=token).json() == updated
    # the old uid is free again
    assert create(api, token, uid="cIBgcSjkk", name="reuse")["uid"] == "cIBgcSjkk"


def test_update_by_id_uses_the_path_id_and_keeps_the_uid(api: ApiClient, token: str) -> None:
    created = create(api, token, uid="keep-me")
    response = api.put(
        f"{BASE}/{created['id']}", {**EMAIL, "id": 999, "name": "renamed", "disableResolveMessage": True}, token=token
    )
    assert response.status == 200, response.text
    assert response.json()["uid"] == "keep-me" and response.json()["name"] == "renamed"
    assert response.json()["disableResolveMessage"] is True
    assert api.get(f"{BASE}/{created['id']}", token=token).json()["name"] == "renamed"


def test_update_may_change_the_type(api: ApiClient, token: str) -> None:
    created = create(api, token)
    body = {"name": "Team A", "type": "slack", "settings": {"url": SLACK_URL, "recipient": "#ops"}}
    response = api.put(f"{BASE}/{created['id']}", body, token=token)
    assert response.status == 200
    assert response.json()["type"] == "slack" and response.json()["secureFields"] == {}
    assert response.json()["settings"] == {"url": SLACK_URL, "recipient": "#ops"}


# --- delete -----------------------------------------------------------------------------------------------


def test_delete_by_uid_answers_the_id(api: ApiClient, token: str) -> None:
    created = create(api, token, uid="del-me")
    response = api.delete(f"{BASE}/uid/del-me", token=token)
    assert response.status == 200
    assert response.json() == {"message": "Notification deleted", "id": created["id"]}
    assert api.get(f"{BASE}/uid/del-me", token=token).status == 404
    assert api.get(f"{BASE}/{created['id']}", token=token).status == 404
    assert create(api, token, uid="del-me")["id"] == created["id"] + 1  # name and uid free, id not reused


def test_delete_by_id(api: ApiClient, token: str) -> None:
    created = create(api, token)
    response = api.delete(f"{BASE}/{created['id']}", token=token)
    assert response.status == 200 and response.json() == {"message": "Notification deleted"}
    assert api.get(BASE, token=token).json() == []
    again = api.delete(f"{BASE}/{created['id']}", token=token)
    assert again.status == 404 and again.json() == {"message": "alert notification not found"}


# --- not found, invalid ids, tenancy ----------------------------------------------------------------------


def test_unknown_ids_are_404_with_grafanas_messages(api: ApiClient, token: str) -> None:
    for path in (f"{BASE}/42", f"{BASE}/uid/nope"):
        got = api.get(path, token=token)
        assert got.status == 404 and got.json() == {"message": "Alert notification not found"}
        put = api.put(path, EMAIL, token=token)
        assert put.status == 404 and put.json() == {"message": "alert notification not found"}
        deleted = api.delete(path, token=token)
        assert deleted.status == 404 and deleted.json() == {"message": "alert notification not found"}


@pytest.mark.parametrize("raw", ["abc", "1.5", "1e3"])
def test_non_numeric_id_is_400(api: ApiClient, token: str, raw: str) -> None:
    for response in (
        api.get(f"{BASE}/{raw}", token=token),
        api.put(f"{BASE}/{raw}", EMAIL, token=token),
        api.delete(f"{BASE}/{raw}", token=token),
    ):
        assert response.status == 400 and response.json() == {"message": "notificationId is invalid"}


def test_another_orgs_channel_is_404(api: ApiClient, new_org: Callable[..., tuple[str, str]]) -> None:
    _, owner = new_org()
    _, stranger = new_org()
    created = create(api, owner, uid="mine")
    for path in (f"{BASE}/{created['id']}", f"{BASE}/uid/mine"):
        assert api.get(path, token=stranger).status == 404
        assert api.put(path, EMAIL, token=stranger).status == 404
        assert api.delete(path, token=stranger).status == 404
    assert api.get(BASE, token=stranger).json() == []
    assert api.get(f"{BASE}/uid/mine", token=owner).status == 200


# --- request binding --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "",
        "[]",
        json.dumps({"type": "email", "settings": {"addresses": "a@example.com"}}),
        json.dumps({"name": "", "type": "email"}),
        json.dumps({"name": 5, "type": "email"}),
        json.dumps({"name": "x"}),
        json.dumps({"name": "x", "type": "email", "isDefault": "yes"}),
        json.dumps({"name": "x", "type": "email", "settings": "nope"}),
        json.dumps({"name": "x", "type": "email", "secureSettings": {"a": 1}}),
    ],
)
def test_unbindable_bodies_are_bad_request_data(api: ApiClient, token: str, raw: str) -> None:
    response = api.request("POST", BASE, raw_body=raw, token=token)
    assert response.status == 400 and response.json() == {"message": "bad request data"}
    created = create(api, token, name="target")
    update = api.request("PUT", f"{BASE}/{created['id']}", raw_body=raw, token=token)
    assert update.status == 400 and update.json() == {"message": "bad request data"}


# --- notifier validation ----------------------------------------------------------------------------------

INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("sms-pigeon", {}, "Unsupported notification type"),
    ("email", {}, "Could not find addresses in settings"),
    ("email", {"addresses": " ; , "}, "Could not find addresses in settings"),
    ("email", {"addresses": "ok@example.com;not-an-address"}, "Invalid email address: not-an-address"),
    ("slack", {"recipient": "#ops"}, "Could not find url property in settings"),
    ("slack", {"url": SLACK_URL, "recipient": "#Bad Channel"}, 'recipient on invalid format: "#Bad Channel"'),
    ("slack", {"url": "ftp://example.com/x"}, "Invalid url property in settings: must be an http or https URL"),
    ("webhook", {}, "Could not find url property in settings"),
    ("webhook", {"url": "https://example.com/h", "httpMethod": "GET"}, "Invalid httpMethod GET: must be POST or PUT"),
    (
        "webhook",
        {"url": "https://example.com/h", "maxAlerts": 3},
        "Unsupported setting(s) for webhook: maxAlerts (Herald would not use them)",
    ),
    (
        "email",
        {"addresses": "a@example.com", "uploadImage": True},
        "uploadImage is not supported: Herald sends no panel images",
    ),
    (
        "email",
        {"addresses": "a@example.com", "singleEmail": "maybe"},
        "Invalid singleEmail property in settings: must be true or false",
    ),
    (
        "slack",
        {"url": SLACK_URL, "mentionChannel": "everyone"},
        "Invalid mentionChannel everyone: must be one of channel, here",
    ),
    ("slack", {"token": "xoxb-1"}, "recipient must be specified when using token"),
    ("opsgenie", {}, "Could not find api key property in settings"),
    ("victorops", {}, "Could not find victorops url property in settings"),
    ("pushover", {"apiToken": "t"}, "User key not given"),
    ("pushover", {"apiToken": "t", "userKey": "u", "priority": "high"}, "failed to convert priority to integer"),
    ("googlechat", {}, "Could not find url property in settings"),
    ("sensu", {}, "Could not find url property in settings"),
    (
        "threema",
        {"gateway_id": "ABCDEFGH", "recipient_id": "12345678", "api_secret": "s"},
        "Invalid Threema Gateway ID: Must start with a *",
    ),
    ("LINE", {}, "Could not find token in settings"),
    ("kafka", {"kafkaRestProxy": "https://kafka.example.com"}, "Could not find kafka topic property in settings"),
    (
        "prometheus-alertmanager",
        {"url": "https://am.example.com,ftp://x"},
        "Invalid url property in settings: must be an http or https URL",
    ),
    (
        "dingding",
        {"url": "https://oapi.dingtalk.com/robot/send", "msgType": "text"},
        "Invalid msgType text: must be one of actionCard, link",
    ),
    ("discord", {}, "Could not find webhook url property in settings"),
    ("teams", {}, "Could not find url property in settings"),
    ("telegram", {"chatid": "-100"}, "Could not find Bot Token in settings"),
    ("telegram", {"bottoken": "123:abc"}, "Could not find Chat Id in settings"),
    ("pagerduty", {}, "Could not find integration key property in settings"),
    (
        "pagerduty",
        {"integrationKey": "k", "severity": "fatal"},
        "Invalid severity fatal: must be critical, error, warning or info",
    ),
]


@pytest.mark.parametrize(("kind", "settings_", "reason"), INVALID, ids=[f"{k}-{r[:30]}" for k, _s, r in INVALID])
def test_invalid_notifier_settings_are_400(
    api: ApiClient, token: str, kind: str, settings_: dict[str, Any], reason: str
) -> None:
    body = {"name": "x", "type": kind, "settings": settings_}
    for response in (api.post(BASE, body, token=token), api.post(f"{BASE}/test", body, token=token)):
        assert response.status == 400, response.text
        assert response.json() == {"message": f"alert validation error: {reason}"}
    assert api.get(BASE, token=token).json() == []


VALID: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("email", {"addresses": "a@example.com,b@example.com", "singleEmail": True}, {}),
    (
        "slack",
        {"url": SLACK_URL, "recipient": "#ops", "username": "herald", "token": "xoxb-1"},
        {"url": SLACK_URL, "token": "xoxb-1"},
    ),
    (
        "webhook",
        {"url": "https://example.com/hook", "httpMethod": "PUT", "username": "u", "password": "webhook-password-xyz"},
        {"url": "https://example.com/hook", "password": "webhook-password-xyz"},
    ),
    (
        "discord",
        {"url": "https://discord.com/api/webhooks/1/x", "content": "hi"},
        {"url": "https://discord.com/api/webhooks/1/x"},
    ),
    ("teams", {"url": "https://example.webhook.office.com/x"}, {"url": "https://example.webhook.office.com/x"}),
    ("telegram", {"bottoken": "123:abc", "chatid": "-100"}, {"bottoken": "123:abc"}),
    (
        "pagerduty",
        {"integrationKey": "R0UT1NGKEY", "severity": "warning", "autoResolve": True},
        {"integrationKey": "R0UT1NGKEY"},
    ),
]


@pytest.mark.parametrize(("kind", "sent", "secret"), VALID, ids=[v[0] for v in VALID])
def test_settings_come_back_as_sent_and_secrets_are_sealed_at_rest(
    api: ApiClient, org: tuple[str, str], kind: str, sent: dict[str, Any], secret: dict[str, str]
) -> None:
    """Grafana returns what arrives in `settings` in `settings`; Herald still seals every secret at rest."""
    org_id, token = org
    created = create(api, token, {"name": kind, "type": kind, "settings": sent})
    assert created["settings"] == sent and created["secureFields"] == {}
    assert api.get(f"{BASE}/{created['id']}", token=token).json()["settings"] == sent
    item = stored_item(org_id, created["id"])
    raw = json.dumps(item, default=str)
    for value in secret.values():
        assert value not in raw  # only ciphertext is stored
    assert set(secrets.unseal(org_id, item["sealed"]).values()) == set(secret.values())


@pytest.mark.parametrize(("kind", "sent", "secret"), [v for v in VALID if v[2]], ids=[v[0] for v in VALID if v[2]])
def test_secure_settings_are_write_only_secure_fields(
    api: ApiClient, org: tuple[str, str], kind: str, sent: dict[str, Any], secret: dict[str, str]
) -> None:
    org_id, token = org
    plain = {k: v for k, v in sent.items() if k not in secret}
    created = create(api, token, {"name": kind, "type": kind, "settings": plain, "secureSettings": secret})
    assert created["settings"] == plain and created["secureFields"] == dict.fromkeys(secret, True)
    assert set(secrets.unseal(org_id, stored_item(org_id, created["id"])["sealed"]).values()) == set(secret.values())


def test_secure_settings_object_is_write_only_and_survives_updates(api: ApiClient, org: tuple[str, str]) -> None:
    org_id, token = org
    body = {"uid": "slack", "name": "Slack", "type": "slack", "settings": {"recipient": "#ops"}}
    created = create(api, token, {**body, "secureSettings": {"url": SLACK_URL, "token": "xoxb-secret"}})
    assert created["secureFields"] == {"url": True, "token": True}
    assert "secureSettings" not in created and "xoxb" not in json.dumps(created)

    updated = api.put(f"{BASE}/uid/slack", {**body, "settings": {"recipient": "#other"}}, token=token)
    assert updated.status == 200, updated.text
    assert updated.json()["secureFields"] == {"url": True, "token": True}
    assert secrets.unseal(org_id, stored_item(org_id, created["id"])["sealed"]) == {
        "webhookUrl": SLACK_URL,
        "token": "xoxb-secret",
    }

    new_url = SLACK_URL + "-rotated"
    api.put(f"{BASE}/uid/slack", {**body, "secureSettings": {"url": new_url}}, token=token)
    assert secrets.unseal(org_id, stored_item(org_id, created["id"])["sealed"]) == {
        "webhookUrl": new_url,
        "token": "xoxb-secret",
    }


def test_changing_type_does_not_carry_secrets_over(api: ApiClient, token: str) -> None:
    created = create(
        api, token, {"name": "d", "type": "discord", "settings": {"url": "https://discord.com/api/webhooks/1/x"}}
    )
    response = api.put(f"{BASE}/{created['id']}", {"name": "d", "type": "teams", "settings": {}}, token=token)
    assert response.status == 400
    assert message(response) == "alert validation error: Could not find url property in settings"


# --- frequency --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "shown"),
    [
        ("15m", "15m"),
        ("1h30m", "1h30m"),
        ("90m", "1h30m"),
        ("1m", "1m"),
        ("2h", "2h"),
        ("1.5h", "1h30m"),
        ("90s", "1m30s"),
        ("30s", "30s"),
        ("1h0m0s", "1h"),
        ("2500ms", "3s"),
    ],
)
def test_frequency_is_a_duration(api: ApiClient, token: str, frequency: str, shown: str) -> None:
    created = create(api, token, sendReminder=True, frequency=frequency)
    assert created["frequency"] == shown


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        (None, "Notification frequency not specified"),
        ("", "Notification frequency not specified"),
        ("soon", 'time: invalid duration "soon"'),
        ("1d", 'time: invalid duration "1d"'),
        ("-5m", "Notification frequency must be positive"),
        ("0s", "Notification frequency must be positive"),
    ],
)
def test_send_reminder_needs_a_frequency_of_at_least_a_minute(
    api: ApiClient, token: str, frequency: str | None, expected: str
) -> None:
    body: dict[str, Any] = {**EMAIL, "sendReminder": True}
    if frequency is not None:
        body["frequency"] = frequency
    response = api.post(BASE, body, token=token)
    assert response.status == 400 and response.json() == {"message": expected}
    created = create(api, token)
    update = api.put(f"{BASE}/{created['id']}", body, token=token)
    assert update.status == 400 and update.json() == {"message": expected}


def test_frequency_without_reminders_is_ignored_on_create_and_kept_on_update(api: ApiClient, token: str) -> None:
    assert create(api, token, frequency="15m")["frequency"] == ""
    reminding = create(api, token, name="r", sendReminder=True, frequency="10m")
    off = api.put(f"{BASE}/{reminding['id']}", {**EMAIL, "name": "r", "sendReminder": False}, token=token)
    assert off.json()["sendReminder"] is False and off.json()["frequency"] == "10m"


# --- auth -------------------------------------------------------------------------------------------------


def test_auth_and_scopes(api: ApiClient, new_org: Callable[..., tuple[str, str]]) -> None:
    _, reader = new_org(["notifications:read"])
    _, writer = new_org(["notifications:write"])
    assert api.get(BASE).status == 401
    assert set(api.get(BASE).json()) == {"message"}
    assert api.get(BASE, token="hrld_wrong").status == 401
    assert api.post(BASE, EMAIL, token=reader).status == 403
    assert api.post(f"{BASE}/test", EMAIL, token=reader).status == 403
    assert api.get(BASE, token=reader).status == 200
    assert api.get(BASE, token=writer).status == 403
    assert api.post(BASE, EMAIL, token=writer).status == 200
    assert api.request("POST", BASE, raw_body="{bad").status == 401  # auth before binding


def test_health_is_public_and_frontend_settings_need_a_key(api: ApiClient, token: str) -> None:
    health = api.get("/api/health")
    assert health.status == 200 and health.json()["database"] == "ok" and health.json()["version"]
    assert api.get("/api/frontend/settings").status == 401
    settings_ = api.get("/api/frontend/settings", token=token)
    assert settings_.status == 200 and settings_.json()["buildInfo"]["version"]


# --- test send --------------------------------------------------------------------------------------------


def test_test_send_posts_to_a_webhook(api: ApiClient, token: str, receiver: Receiver) -> None:
    body = {"type": "webhook", "settings": {"url": receiver.url("/grafana")}}
    response = api.post(f"{BASE}/test", body, token=token)
    assert response.status == 200 and response.json() == {"message": "Test notification sent"}
    (request,) = receiver.requests("/grafana")
    assert request.method == "POST" and "authorization" not in request.headers
    assert request.headers["user-agent"] == "Grafana"
    assert request.json() == {  # Grafana's test rule, in its legacy webhook body
        "dashboardId": 1,
        "evalMatches": [
            {"metric": "High value", "tags": None, "value": 100},
            {"metric": "Higher Value", "tags": None, "value": 200},
        ],
        "message": "Someone is testing the alert notification within Grafana.",
        "orgId": 1,
        "panelId": 1,
        "ruleId": 0,
        "ruleName": "Test notification",
        "state": "alerting",
        "tags": {},
        "title": "[Alerting] Test notification",
    }


def test_test_send_uses_put_and_basic_auth(api: ApiClient, token: str, receiver: Receiver) -> None:
    body = {
        "name": "hook",
        "type": "webhook",
        "settings": {"url": receiver.url("/put"), "httpMethod": "PUT", "username": "grafana"},
        "secureSettings": {"password": "s3cret"},
    }
    assert api.post(f"{BASE}/test", body, token=token).status == 200
    (request,) = receiver.requests("/put")
    assert request.method == "PUT"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"grafana:s3cret").decode()


def test_test_send_to_slack_uses_the_recipient(api: ApiClient, token: str, receiver: Receiver) -> None:
    body = {
        "type": "slack",
        "settings": {"recipient": "#ops", "username": "herald"},
        "secureSettings": {"url": receiver.url("/slack")},
    }
    assert api.post(f"{BASE}/test", body, token=token).status == 200
    (request,) = receiver.requests("/slack")
    assert request.json()["channel"] == "#ops" and request.json()["username"] == "herald"


@pytest.mark.parametrize("status", [500, 404, 429])
def test_failed_test_send_is_500(api: ApiClient, token: str, receiver: Receiver, status: int) -> None:
    receiver.then(Reply(status=status, body=b"nope"))
    body = {"type": "webhook", "settings": {"url": receiver.url("/fail")}}
    response = api.post(f"{BASE}/test", body, token=token)
    assert response.status == 500 and response.json() == {"message": "Failed to send alert notifications"}
    assert len(receiver.requests("/fail")) == 1  # one synchronous attempt, no retry


def test_test_send_stores_nothing(api: ApiClient, token: str, receiver: Receiver) -> None:
    api.post(f"{BASE}/test", {"type": "webhook", "settings": {"url": receiver.url()}}, token=token)
    assert api.get(BASE, token=token).json() == []


def test_test_send_bad_body_is_bad_request_data(api: ApiClient, token: str) -> None:
    response = api.request("POST", f"{BASE}/test", raw_body="{", token=token)
    assert response.status == 400 and response.json() == {"message": "bad request data"}
