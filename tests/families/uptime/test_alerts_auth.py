"""The uptime alerts API's authentication and scopes (seeds/uptime-alerts.md): every route needs a key of the
team, in any header form, with its own scope; 401 and 403 come before validation and 404."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from herald.auth.scopes import ALL_SCOPES
from tests.families.uptime.alerts import MINIMAL, ROUTES, assert_error, call, create, listed, route_url
from tests.support import module_env
from tests.support.apigw import ApiClient

# One moto per module, a fresh table per test, warm function instances (see tests/support/module_env.py).
module_aws, aws_env, module_api, api = module_env.module_aws, module_env.aws_env, module_env.module_api, module_env.api


# --- authentication and scopes -----------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_every_route_needs_a_key(api: ApiClient, token: str, method: str, path: str, scope: str) -> None:
    # Given an existing alert
    alert = create(api, token)
    # When the route is called without any key
    response = call(api, method, route_url(path, alert["id"]))
    # Then 401 UNAUTHORIZED, and nothing changed
    assert_error(response, 401, "UNAUTHORIZED")
    assert listed(api, token) == [alert]


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_every_route_rejects_an_unknown_key(api: ApiClient, token: str, method: str, path: str, scope: str) -> None:
    alert = create(api, token)
    response = call(api, method, route_url(path, alert["id"]), token="hrld_not-a-real-key-0000000000")
    assert_error(response, 401, "UNAUTHORIZED")
    assert listed(api, token) == [alert]


@pytest.mark.parametrize(
    "headers",
    [
        {"authorization": "hrld_not-a-real-key-0000000000"},
        {"authorization": "Token hrld_not-a-real-key-0000000000"},
        {"x-api-key": "hrld_not-a-real-key-0000000000"},
        {"authorization": "Bearer "},
        {"authorization": ""},
        {"x-api-key": ""},
    ],
    ids=["raw", "token", "x-api-key", "empty-bearer", "empty-authorization", "empty-x-api-key"],
)
def test_an_unknown_or_empty_key_in_any_header_form_is_401(api: ApiClient, headers: dict[str, str]) -> None:
    assert_error(api.get("/v1/alerts", headers=headers), 401, "UNAUTHORIZED")


def test_a_key_of_the_right_team_in_the_wrong_case_is_401(api: ApiClient, token: str) -> None:
    assert_error(api.get("/v1/alerts", token=token.upper()), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    "headers_for",
    [
        lambda t: {"authorization": f"Bearer {t}"},
        lambda t: {"Authorization": f"Token {t}"},
        lambda t: {"authorization": t},
        lambda t: {"X-Api-Key": t},
    ],
    ids=["bearer", "token", "raw", "x-api-key"],
)
def test_every_header_form_authenticates(
    api: ApiClient, token: str, headers_for: Callable[[str], dict[str, str]]
) -> None:
    response = api.post("/v1/alerts", MINIMAL["email"], headers=headers_for(token))
    assert response.status == 201, response.text


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_401_comes_before_validation(api: ApiClient, token: str, method: str) -> None:
    # Given an alert
    alert = create(api, token)
    url = "/v1/alerts" if method == "POST" else f"/v1/alerts/{alert['id']}"
    # When a bad body is sent without a key
    for raw in ["{", json.dumps({"strategy": "sms", "cooldownMinutes": -1})]:
        response = api.request(method, url, raw_body=raw)
        # Then 401, not 400
        assert_error(response, 401, "UNAUTHORIZED")


def test_401_comes_before_404(api: ApiClient) -> None:
    assert_error(api.get("/v1/alerts/alt_missing"), 401, "UNAUTHORIZED")


def test_401_comes_before_a_bad_limit(api: ApiClient, token: str) -> None:
    alert = create(api, token)
    assert_error(api.get(f"/v1/alerts/{alert['id']}/events?limit=0"), 401, "UNAUTHORIZED")


def test_403_comes_before_validation(api: ApiClient, org_id: str, make_token: Callable[..., str]) -> None:
    reader = make_token(org_id, ["alerts:read"])
    assert_error(api.post("/v1/alerts", token=reader, raw_body="{"), 403, "FORBIDDEN")


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_every_route_refuses_a_key_with_every_scope_but_its_own(
    api: ApiClient, token: str, org_id: str, make_token: Callable[..., str], method: str, path: str, scope: str
) -> None:
    # Given an alert, and a key of the same team holding every scope except the route's
    alert = create(api, token)
    key = make_token(org_id, [s for s in ALL_SCOPES if s != scope])
    # When the route is called with that key
    response = call(api, method, route_url(path, alert["id"]), token=key)
    # Then 403 FORBIDDEN naming the scope, and nothing changed
    assert scope in assert_error(response, 403, "FORBIDDEN")
    assert listed(api, token) == [alert]


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_every_route_accepts_a_key_with_only_its_scope(
    api: ApiClient, token: str, org_id: str, make_token: Callable[..., str], method: str, path: str, scope: str
) -> None:
    alert = create(api, token)
    key = make_token(org_id, [scope])
    response = call(api, method, route_url(path, alert["id"]), token=key)
    assert response.status in {200, 201, 204}, response.text
