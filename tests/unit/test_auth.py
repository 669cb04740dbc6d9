"""API keys and the one authentication step every family shares (herald.auth)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from herald import clock
from herald.auth import api_keys, middleware
from herald.auth.api_keys import Principal, create_key, lookup, token_hash
from herald.auth.middleware import authenticate, authorize, token_from_headers
from herald.auth.scopes import ALL_SCOPES
from herald.data import table_keys
from herald.data.table import table
from herald.errors import Forbidden, Unauthorized, ValidationFailed
from tests.support import module_env

# One moto per module, a fresh table per test (see tests/support/module_env.py).
module_aws, aws_env = module_env.module_aws, module_env.aws_env

TOKEN = "hrld_unit-test-token-0123456789abcdef"


def all_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = table().scan()["Items"]
    return items


def key_items() -> list[dict[str, Any]]:
    return [item for item in all_items() if item.get("type") == "apikey"]


# --- token_from_headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Authorization": "Bearer T0k3n"}, "T0k3n"),
        ({"authorization": "bearer T0k3n"}, "T0k3n"),
        ({"AUTHORIZATION": "BEARER T0k3n"}, "T0k3n"),
        ({"Authorization": "Token T0k3n"}, "T0k3n"),
        ({"authorization": "token T0k3n"}, "T0k3n"),
        ({"Authorization": "T0k3n"}, "T0k3n"),
        ({"Authorization": "  Bearer   T0k3n  "}, "T0k3n"),
        ({"Authorization": "  T0k3n  "}, "T0k3n"),
        ({"X-Api-Key": "T0k3n"}, "T0k3n"),
        ({"x-api-key": "T0k3n"}, "T0k3n"),
        ({"X-API-KEY": " T0k3n "}, "T0k3n"),
        ({"X-Api-Key": "T0k3n", "Authorization": "Bearer other"}, "T0k3n"),
        ({"X-Api-Key": "", "Authorization": "Bearer T0k3n"}, "T0k3n"),
        ({"X-Api-Key": "   ", "Authorization": "Token T0k3n"}, "T0k3n"),
        ({"Content-Type": "application/json"}, None),
        ({}, None),
        ({"Authorization": ""}, None),
        ({"Authorization": "   "}, None),
        ({"X-Api-Key": ""}, None),
        ({"Authorization": "Bearer"}, None),
        ({"Authorization": "Bearer "}, None),
        ({"Authorization": "Token   "}, None),
        ({"X-Api-Key": "", "Authorization": ""}, None),
    ],
    ids=repr,
)
def test_token_from_headers(headers: dict[str, str], expected: str | None) -> None:
    assert token_from_headers(headers) == expected


def test_a_scheme_other_than_bearer_or_token_is_part_of_a_raw_token() -> None:
    # "Basic abc" is not a form any family uses: the whole value is the (unknown) token
    assert token_from_headers({"Authorization": "Basic abc"}) == "Basic abc"


# --- keys: stored only as SHA-256 --------------------------------------------------------------------


def test_token_hash_is_sha256_hex() -> None:
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_a_key_is_stored_under_its_hash_and_the_token_nowhere(aws_env: Any) -> None:
    # When a key is created with a chosen token
    returned = create_key("org1", ["alerts:read", "events:write"], name="ci", token=TOKEN)
    # Then the token is handed back
    assert returned == TOKEN
    # And exactly one item is stored, keyed by the SHA-256 of the token
    (item,) = all_items()
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    assert {"pk": item["pk"], "sk": item["sk"]} == table_keys.api_key(digest)
    assert item["orgId"] == "org1"
    # And the token appears in no attribute of any item, whole or in part
    dumped = json.dumps(all_items(), default=str)
    assert TOKEN not in dumped
    assert TOKEN.removeprefix("hrld_") not in dumped


def test_generated_tokens_are_long_random_and_stored_only_hashed(aws_env: Any) -> None:
    # When two keys are created without a chosen token
    first = create_key("org1", ["alerts:read"])
    second = create_key("org1", ["alerts:read"])
    # Then each token is new, prefixed and long enough to be unguessable
    assert first != second
    for token in (first, second):
        assert token.startswith("hrld_")
        assert len(token) >= 40
    # And only their hashes are stored
    dumped = json.dumps(all_items(), default=str)
    for token in (first, second):
        assert token not in dumped
        assert token_hash(token) in dumped
    assert len(key_items()) == 2


def test_scopes_are_stored_once_each_and_sorted(aws_env: Any) -> None:
    create_key("org1", ["events:write", "alerts:read", "events:write"], token=TOKEN)
    (item,) = key_items()
    assert item["scopes"] == ["alerts:read", "events:write"]


@pytest.mark.parametrize(
    "scopes",
    [["alerts:admin"], ["alerts:read", "alerts:delete"], ["ALERTS:READ"], ["alerts:read "], ["*"], [""]],
    ids=repr,
)
def test_create_key_refuses_an_unknown_scope_and_stores_nothing(aws_env: Any, scopes: list[str]) -> None:
    with pytest.raises(ValidationFailed, match="scope"):
        create_key("org1", scopes, token=TOKEN)
    assert all_items() == []


def test_create_key_refuses_a_short_token(aws_env: Any) -> None:
    with pytest.raises(ValidationFailed):
        create_key("org1", ["alerts:read"], token="short")
    assert all_items() == []


def test_every_known_scope_can_be_granted(aws_env: Any) -> None:
    create_key("org1", list(ALL_SCOPES), token=TOKEN)
    principal = lookup(TOKEN)
    assert principal is not None
    assert principal.scopes == frozenset(ALL_SCOPES)


# --- lookup, principal ---------------------------------------------------------------------------------


def test_lookup_gives_the_keys_org_and_scopes(aws_env: Any) -> None:
    create_key("org1", ["alerts:read", "events:write"], name="ci", token=TOKEN)
    principal = lookup(TOKEN)
    assert isinstance(principal, Principal)
    assert principal.org_id == "org1"
    assert principal.scopes == frozenset({"alerts:read", "events:write"})
    assert principal.can("alerts:read") and principal.can("events:write")
    assert not principal.can("alerts:write")
    assert not principal.can("events:read")


@pytest.mark.parametrize(
    "candidate", [TOKEN + "x", TOKEN[:-1], TOKEN.upper(), " " + TOKEN, token_hash(TOKEN)], ids=repr
)
def test_lookup_of_anything_but_the_exact_token_finds_nothing(aws_env: Any, candidate: str) -> None:
    create_key("org1", ["alerts:read"], token=TOKEN)
    assert lookup(candidate) is None


def test_a_revoked_key_is_not_found(aws_env: Any) -> None:
    create_key("org1", ["alerts:read"], token=TOKEN)
    (item,) = key_items()
    assert api_keys.revoke("org1", item["id"])
    assert lookup(TOKEN) is None


def test_an_expired_key_is_not_found(aws_env: Any) -> None:
    create_key("org1", ["alerts:read"], token=TOKEN, expires_at=clock.epoch() - 1)
    assert lookup(TOKEN) is None


# --- authenticate / authorize ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers_for",
    [
        lambda t: {"Authorization": f"Bearer {t}"},
        lambda t: {"authorization": f"Token {t}"},
        lambda t: {"Authorization": t},
        lambda t: {"X-Api-Key": t},
    ],
    ids=["bearer", "token", "raw", "x-api-key"],
)
def test_every_header_form_authenticates_the_same_principal(
    aws_env: Any, headers_for: Callable[[str], dict[str, str]]
) -> None:
    create_key("org1", ["alerts:read"], token=TOKEN)
    principal = authenticate(headers_for(TOKEN))
    assert (principal.org_id, principal.scopes) == ("org1", frozenset({"alerts:read"}))


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer "}, {"Authorization": "Bearer hrld_unknown-token-000000"}, {"X-Api-Key": "x"}],
    ids=["none", "empty-bearer", "unknown", "unknown-x-api-key"],
)
def test_authenticate_refuses_a_missing_or_unknown_key(aws_env: Any, headers: dict[str, str]) -> None:
    create_key("org1", ["alerts:read"], token=TOKEN)
    with pytest.raises(Unauthorized):
        authenticate(headers)


def test_authorize_needs_the_routes_scope(aws_env: Any) -> None:
    create_key("org1", ["alerts:read"], token=TOKEN)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert authorize(headers, "alerts:read").org_id == "org1"
    with pytest.raises(Forbidden, match="alerts:write"):
        authorize(headers, "alerts:write")


def test_authorize_checks_the_key_before_the_scope(aws_env: Any) -> None:
    with pytest.raises(Unauthorized):
        authorize({"Authorization": "Bearer hrld_unknown-token-000000"}, "alerts:write")


def test_a_revoked_key_stops_working_once_the_cache_is_cleared(aws_env: Any) -> None:
    # Given a key that authenticated once
    create_key("org1", ["alerts:read"], token=TOKEN)
    headers = {"X-Api-Key": TOKEN}
    authenticate(headers)
    # When it is revoked (and the container's cache expires)
    (item,) = key_items()
    api_keys.revoke("org1", item["id"])
    middleware.clear_cache()
    # Then it no longer authenticates
    with pytest.raises(Unauthorized):
        authenticate(headers)
