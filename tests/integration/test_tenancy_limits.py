"""Limits that keep one key or one body from hurting everyone: a rate that holds across containers, a key
cache that random tokens cannot flush, revocation within seconds, bodies measured in bytes, bounded nesting
and string lengths."""

from __future__ import annotations

import secrets
import time
from typing import Any

import boto3
import pytest

from herald import settings
from herald.api.body_limits import MAX_DEPTH, MAX_STRING_CHARS
from herald.auth import api_keys as auth_keys
from herald.auth import middleware
from herald.auth.api_keys import create_key, list_keys, revoke, token_hash
from herald.data import table
from tests.support.apigw import ApiClient


def key_item(token: str) -> dict[str, Any]:
    resource = boto3.resource("dynamodb", region_name="us-east-1").Table(settings.get_settings().table_name)
    return dict(resource.get_item(Key={"pk": f"KEY#{token_hash(token)}", "sk": "KEY"})["Item"])


def test_the_rate_limit_holds_across_containers(org_id: str, api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_RATE_LIMIT_BURST", "3")
    monkeypatch.setenv("HERALD_RATE_LIMIT_PER_SECOND", "0.25")
    settings.get_settings.cache_clear()
    token = create_key(org_id, ["alerts:read"])
    statuses = []
    for _ in range(4):
        middleware.clear_cache()  # every request lands on a fresh container
        statuses.append(api.get("/v1/alerts", token=token).status)
    assert statuses == [200, 200, 200, 429]


def test_the_budget_refills_at_the_keys_rate(org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from herald.auth import ratelimit
    from herald.errors import RateLimited

    monkeypatch.setenv("HERALD_RATE_LIMIT_BURST", "2")
    monkeypatch.setenv("HERALD_RATE_LIMIT_PER_SECOND", "1")
    settings.get_settings.cache_clear()
    start = 1_000_000.0
    ratelimit.take("key_a", start)
    ratelimit.take("key_a", start)
    with pytest.raises(RateLimited) as refused:
        ratelimit.take("key_a", start + 0.1)
    assert refused.value.retry_after == 1
    ratelimit.take("key_a", start + 1.05)  # one more token after one second
    with pytest.raises(RateLimited):
        ratelimit.take("key_a", start + 1.1)
    ratelimit.take("key_a", start + 100)  # an idle key starts again from a full burst
    ratelimit.take("key_a", start + 100)


def test_a_spray_of_random_tokens_does_not_flush_the_key_cache(
    org_id: str, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = create_key(org_id, ["alerts:read"])
    assert api.get("/v1/alerts", token=token).status == 200
    lookups: list[str] = []
    real_lookup = auth_keys.lookup

    def counting(candidate: str) -> Any:
        lookups.append(candidate)
        return None if candidate != token else real_lookup(candidate)

    monkeypatch.setattr(auth_keys, "lookup", counting)
    for _ in range(middleware.MAX_CACHED_KEYS + 200):
        with pytest.raises(Exception, match="Missing or invalid API key"):
            middleware.authenticate({"Authorization": "Bearer hrld_" + secrets.token_urlsafe(24)})
    lookups.clear()
    assert middleware.authenticate({"Authorization": f"Bearer {token}"}).org_id == org_id
    assert lookups == []


def test_revocation_takes_effect_within_five_seconds(
    org_id: str, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HERALD_KEY_CACHE_SECONDS", raising=False)
    settings.get_settings.cache_clear()
    token = create_key(org_id, ["alerts:read"])
    assert api.get("/v1/alerts", token=token).status == 200
    [key] = list_keys(org_id)
    assert revoke(org_id, key.id)
    later = time.monotonic() + 5.0
    monkeypatch.setattr("herald.auth.middleware.time.monotonic", lambda: later)
    assert api.get("/v1/alerts", token=token).status == 401


def test_last_used_is_written_at_most_once_a_minute(org_id: str) -> None:
    token = create_key(org_id, ["alerts:read"])
    assert auth_keys.lookup(token) is not None
    first = key_item(token)["lastUsedAt"]
    time.sleep(0.01)
    assert auth_keys.lookup(token) is not None
    assert key_item(token)["lastUsedAt"] == first
    table.table().update_item(
        Key={"pk": f"KEY#{token_hash(token)}", "sk": "KEY"},
        UpdateExpression="SET lastUsedAt = :old",
        ExpressionAttributeValues={":old": "2020-01-01T00:00:00.000Z"},
    )
    assert auth_keys.lookup(token) is not None
    assert key_item(token)["lastUsedAt"] > "2020-01-01T00:00:00.000Z"


def test_revoke_finds_the_key_on_any_page(org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(6):
        create_key(org_id, ["alerts:read"], name=f"k{index}")
    target = next(k for k in list_keys(org_id) if k.name == "k5")
    real_table = table.table()

    class OnePerPage:
        def __getattr__(self, name: str) -> Any:
            return getattr(real_table, name)

        def query(self, **kwargs: Any) -> Any:
            return real_table.query(Limit=1, **kwargs)

    monkeypatch.setattr(table, "table", lambda: OnePerPage())
    assert revoke(org_id, target.id)
    monkeypatch.undo()
    assert next(k for k in list_keys(org_id) if k.name == "k5").revoked_at is not None


def test_the_body_limit_counts_bytes_not_characters(api: ApiClient, token: str) -> None:
    body = {"name": "x", "strategy": "email", "email": "a@example.com", "note": "é" * 140_000}
    answer = api.post("/v1/alerts", body, token=token)
    assert answer.status == 413 and answer.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert api.get("/v1/alerts", token=token).json() == {"alerts": []}


@pytest.mark.parametrize(
    ("path", "scheme", "shape"),
    [
        ("/v1/alerts", "Bearer", lambda b: b["error"]["code"] == "VALIDATION_ERROR"),
        ("/api/alert-notifications", "Bearer", lambda b: "message" in b),
        ("/api/v0/channels", "X-Api-Key", lambda b: "message" in b["error"]),
        ("/v1/events", "Bearer", lambda b: b["error"]["code"] == "VALIDATION_ERROR"),
    ],
)
def test_json_nested_deeper_than_the_limit_is_400_in_the_familys_shape(
    api: ApiClient, token: str, path: str, scheme: str, shape: Any
) -> None:
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    headers = {"X-Api-Key": token} if scheme == "X-Api-Key" else {"Authorization": f"Bearer {token}"}
    answer = api.request("POST", path, raw_body='{"name": ' + deep + "}", headers=headers)
    assert answer.status == 400, answer.text
    assert shape(answer.json())
    assert "nested deeper than 32" in answer.text


def test_very_deep_nesting_is_400_not_a_crash(api: ApiClient, token: str) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    answer = api.request("POST", "/v1/events", raw_body=deep, headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 400


def test_a_string_over_its_cap_is_400_naming_the_field(api: ApiClient, token: str) -> None:
    body = {"name": "n" * (MAX_STRING_CHARS + 1), "strategy": "email", "email": "a@example.com"}
    answer = api.post("/v1/alerts", body, token=token)
    assert answer.status == 400
    assert answer.json()["error"]["message"].startswith("name: must be at most 16384 characters")
    assert api.get("/v1/alerts", token=token).json() == {"alerts": []}
    nested = {"title": "t", "severity": "error", "labels": {"team": "x" * (MAX_STRING_CHARS + 1)}}
    answer = api.post("/v1/events", nested, token=token)
    assert answer.status == 400 and "labels.team" in answer.json()["error"]["message"]
