"""Keys (hash-only storage, list, revoke, expiry, last use), per-key rate limiting and body size limits."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from herald import settings
from herald.auth import middleware
from herald.auth.api_keys import create_key, list_keys, token_hash
from herald.cli import main as herald
from tests.support.apigw import ApiClient


def raw_key_item(token: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(settings.get_settings().table_name)
    return dict(table.get_item(Key={"pk": f"KEY#{token_hash(token)}", "sk": "KEY"})["Item"])


def test_cli_creates_lists_and_revokes_keys(org_id: str, api: ApiClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert herald(["keys", "create", "--org", org_id, "--scope", "alerts:read", "--name", "grafana"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("hrld_") and len(token) > 40
    assert api.get("/v1/alerts", token=token).status == 200

    assert herald(["keys", "list", "--org", org_id]) == 0
    listing = capsys.readouterr().out
    [key] = list_keys(org_id)
    assert key.id in listing and "grafana" in listing and "alerts:read" in listing
    assert token not in listing and key.last_used_at is not None

    assert herald(["keys", "revoke", "--org", org_id, "--id", key.id]) == 0
    middleware.clear_cache()  # the per-container cache (at most 5 s) is what bounds revocation time
    answer = api.get("/v1/alerts", token=token)
    assert answer.status == 401 and answer.json()["error"]["code"] == "UNAUTHORIZED"
    assert herald(["keys", "revoke", "--org", org_id, "--id", key.id]) == 1


def test_token_is_stored_only_as_its_hash(org_id: str) -> None:
    token = create_key(org_id, ["alerts:read"])
    item = raw_key_item(token)
    assert token not in repr(item)
    assert item["pk"] == f"KEY#{token_hash(token)}" and item["orgId"] == org_id


def test_expired_key_is_refused(org_id: str, api: ApiClient) -> None:
    token = create_key(org_id, ["alerts:read"], expires_at=1.0)
    assert api.get("/v1/alerts", token=token).status == 401


def test_revocation_is_seen_at_once_without_a_cache(
    org_id: str, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HERALD_KEY_CACHE_SECONDS", "0")
    settings.get_settings.cache_clear()
    token = create_key(org_id, ["alerts:read"])
    assert api.get("/v1/alerts", token=token).status == 200
    [key] = list_keys(org_id)
    assert herald(["keys", "revoke", "--org", org_id, "--id", key.id]) == 0
    assert api.get("/v1/alerts", token=token).status == 401


def test_key_over_its_rate_gets_429_with_retry_after(
    org_id: str, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HERALD_RATE_LIMIT_BURST", "3")
    monkeypatch.setenv("HERALD_RATE_LIMIT_PER_SECOND", "0.25")
    settings.get_settings.cache_clear()
    token = create_key(org_id, ["alerts:read"])
    other = create_key(org_id, ["alerts:read"])

    statuses = [api.get("/v1/alerts", token=token).status for _ in range(3)]
    limited = api.get("/v1/alerts", token=token)

    assert statuses == [200, 200, 200]
    assert limited.status == 429
    assert limited.json() == {"error": {"code": "RATE_LIMITED", "message": "Too many requests"}}
    assert 1 <= int(limited.headers["Retry-After"]) <= 4
    assert api.get("/v1/alerts", token=other).status == 200  # buckets are per key


def test_body_over_256_kb_is_413_and_writes_nothing(api: ApiClient, token: str) -> None:
    big = {"name": "x", "strategy": "email", "email": "a@example.com", "pad": "y" * (256 * 1024)}
    answer = api.post("/v1/alerts", big, token=token)
    assert answer.status == 413 and answer.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert api.get("/v1/alerts", token=token).json() == {"alerts": []}


def test_a_key_needs_a_known_scope(org_id: str) -> None:
    from herald.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        create_key(org_id, ["alerts:admin"])
    with pytest.raises(ValidationFailed):
        create_key(org_id, [])


def test_binary_body_is_a_validation_error_not_a_crash(api: ApiClient, token: str) -> None:
    from herald_local.template import Template

    route = next(r for r in Template().http_routes() if r.route_key == "POST /v1/alerts")
    from herald_local.api_server import build_event
    from herald_local.functions import LambdaContext, load_instance

    spec = Template().functions()[route.function]
    event = build_event(route, "POST", "/v1/alerts", "", {"Authorization": f"Bearer {token}"}, b"\x8e\xc5\xff", {})
    assert event["isBase64Encoded"] is True
    result = load_instance(spec)(event, LambdaContext(spec))
    assert result["statusCode"] == 400
    assert '"VALIDATION_ERROR"' in result["body"]


def test_an_aws_timeout_is_503_in_the_family_shape_not_500(
    api: ApiClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ReadTimeoutError

    from herald.families.uptime import store as alerts_repo

    def slow(*_: Any, **__: Any) -> Any:
        raise ReadTimeoutError(endpoint_url="http://dynamodb")

    monkeypatch.setattr(alerts_repo, "list_for_org", slow)
    answer = api.get("/v1/alerts", token=token)
    assert answer.status == 503
    assert answer.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
