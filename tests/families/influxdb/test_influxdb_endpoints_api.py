"""The InfluxDB notification endpoints API (seeds/influxdb-notification-endpoints.md, WIRE-FORMATS.md),
plus /api/v2/labels, /api/v2/orgs, /health and /ping, through API Gateway v2 events on moto."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from herald import ids, secrets
from herald.data import orgs
from herald.families.influxdb import store as repo
from tests.support.apigw import ApiClient, ApiResponse

BASE = "/api/v2/notificationEndpoints"
HEX16 = re.compile(r"^[0-9a-f]{16}$")
SLACK_URL = "https://hooks.slack.com/services/T00/B00/xyz"
BASE_FIELDS = {"id", "orgID", "name", "status", "labels", "createdAt", "updatedAt", "links", "type"}
TYPE_FIELDS = {
    "slack": {"url", "token"},
    "pagerduty": {"clientURL", "routingKey"},
    "http": {"url", "method", "authMethod", "username", "password", "token", "contentTemplate"},
    "telegram": {"token", "channel"},
}


def bodies(org_id: str) -> dict[str, dict[str, Any]]:
    return {
        "slack": {"type": "slack", "name": "slack-ops", "orgID": org_id, "url": SLACK_URL, "token": "xoxb-plain"},
        "pagerduty": {
            "type": "pagerduty",
            "name": "pd",
            "orgID": org_id,
            "clientURL": "https://influx.example.com/alerts",
            "routingKey": "rk-plaintext-123",
        },
        "http": {
            "type": "http",
            "name": "hook",
            "orgID": org_id,
            "url": "https://hooks.example.com/in",
            "method": "POST",
            "authMethod": "basic",
            "username": "alice",
            "password": "pw-plain",
            "headers": {"X-Env": "prod"},
            "contentTemplate": '{"t": {{ .title | json }}}',
        },
        "telegram": {
            "type": "telegram",
            "name": "tg",
            "orgID": org_id,
            "token": "123456:bot-plain",
            "channel": "-100123",
        },
    }


def influx_error(response: ApiResponse, status: int, code: str, message: str | None = None) -> None:
    assert response.status == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == code
    assert response.headers.get("X-Platform-Error-Code") == code
    if message is not None:
        assert body["message"] == message


def patch(api: ApiClient, url: str, body: Any, token: str) -> ApiResponse:
    return api.request("PATCH", url, body, token=token)


def create(api: ApiClient, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(BASE, body, token=token)
    assert response.status == 201, response.text
    return dict(response.json())


def label(api: ApiClient, token: str, org_id: str, name: str, **properties: str) -> dict[str, Any]:
    response = api.post("/api/v2/labels", {"orgID": org_id, "name": name, "properties": properties}, token=token)
    assert response.status == 201, response.text
    return dict(response.json()["label"])


# --- create / get: every type, its fields, its secrets ---


@pytest.mark.parametrize("kind", ["slack", "pagerduty", "http", "telegram"])
def test_create_each_type_returns_the_influxdb_shape(api: ApiClient, token: str, org_id: str, kind: str) -> None:
    created = create(api, token, bodies(org_id)[kind])
    assert HEX16.match(created["id"])
    assert created["orgID"] == org_id and created["type"] == kind and created["status"] == "active"
    assert created["labels"] == []
    expected = BASE_FIELDS | TYPE_FIELDS[kind] | ({"headers"} if kind == "http" else set())
    assert set(created) == expected  # description omitted when empty; no userID
    assert created["links"] == {
        "self": f"{BASE}/{created['id']}",
        "labels": f"{BASE}/{created['id']}/labels",
        "members": f"{BASE}/{created['id']}/members",
        "owners": f"{BASE}/{created['id']}/owners",
    }
    fetched = api.get(f"{BASE}/{created['id']}", token=token)
    assert fetched.status == 200 and fetched.json() == created


def test_secrets_come_back_as_references_never_values(api: ApiClient, token: str, org_id: str) -> None:
    for kind, body in bodies(org_id).items():
        created = create(api, token, body)
        eid = created["id"]
        text = api.get(f"{BASE}/{eid}", token=token).text
        for plain in ("xoxb-plain", "rk-plaintext-123", "alice", "pw-plain", "123456:bot-plain"):
            assert plain not in text, (kind, plain)
        if kind == "slack":
            assert created["token"] == f"secret: {eid}-token" and created["url"] == SLACK_URL
        if kind == "pagerduty":
            assert created["routingKey"] == f"secret: {eid}-routing-key"
            assert created["clientURL"] == "https://influx.example.com/alerts"
        if kind == "http":
            assert created["username"] == f"secret: {eid}-username"
            assert created["password"] == f"secret: {eid}-password"
            assert created["token"] == ""  # unset
            assert created["headers"] == {"X-Env": "prod"}
            assert created["contentTemplate"] == '{"t": {{ .title | json }}}'
        if kind == "telegram":
            assert created["token"] == f"secret: {eid}-token" and created["channel"] == "-100123"


def test_secrets_are_stored_sealed(api: ApiClient, token: str, org_id: str) -> None:
    created = create(api, token, bodies(org_id)["http"])
    record = repo.get_endpoint(org_id, created["id"])
    assert "pw-plain" not in str(record.to_item())
    assert secrets.unseal(org_id, record.sealed) == {
        "url": "https://hooks.example.com/in",
        "username": "alice",
        "password": "pw-plain",
    }


def test_http_headers_are_omitted_when_unset_and_description_sent_when_set(
    api: ApiClient, token: str, org_id: str
) -> None:
    body = {**bodies(org_id)["http"], "authMethod": "none", "description": "the hook"}
    del body["headers"], body["contentTemplate"]
    created = create(api, token, body)
    assert "headers" not in created
    assert created["contentTemplate"] == "" and created["description"] == "the hook"


def test_slack_takes_a_url_or_a_token(api: ApiClient, token: str, org_id: str) -> None:
    token_only = create(api, token, {"type": "slack", "name": "bot", "orgID": org_id, "token": "xoxb-1"})
    assert token_only["url"] == "" and token_only["token"] == f"secret: {token_only['id']}-token"
    created = create(api, token, {"type": "slack", "name": "s", "orgID": org_id, "url": SLACK_URL})
    assert created["token"] == ""  # a slack token is optional


def test_create_without_org_id_uses_the_callers_org(api: ApiClient, token: str, org_id: str) -> None:
    body = bodies(org_id)["telegram"]
    del body["orgID"]
    assert create(api, token, body)["orgID"] == org_id


def test_inactive_status_on_create(api: ApiClient, token: str, org_id: str) -> None:
    created = create(api, token, {**bodies(org_id)["slack"], "status": "inactive"})
    assert created["status"] == "inactive"


# --- validation, with InfluxDB's messages ---


INVALID_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("slack", {"type": "email"}, "invalid notification endpoint type email"),
    ("slack", {"type": None}, "invalid notification endpoint type"),
    ("slack", {"name": ""}, "Notification Endpoint Name can't be empty"),
    ("slack", {"name": None}, "Notification Endpoint Name can't be empty"),
    ("slack", {"status": "paused"}, "invalid status"),
    ("slack", {"url": None, "token": None}, "slack endpoint URL must be provided"),
    ("http", {"url": None}, "http endpoint URL is empty"),
    ("http", {"method": "DELETE"}, "invalid http http method"),
    ("http", {"method": None}, "invalid http http method"),
    ("http", {"authMethod": "digest"}, "invalid http auth method"),
    ("http", {"password": None}, "invalid http username/password for basic auth"),
    ("http", {"authMethod": "bearer"}, "invalid http token for bearer auth"),
    ("pagerduty", {"routingKey": None}, "pagerduty routing key is invalid"),
    ("pagerduty", {"routingKey": ""}, "pagerduty routing key is invalid"),
    ("telegram", {"token": None}, "empty telegram bot token"),
    ("telegram", {"channel": ""}, "empty telegram channel"),
]


def test_invalid_bodies(api: ApiClient, token: str, org_id: str) -> None:
    for kind, change, message in INVALID_BODIES:
        body = {k: v for k, v in {**bodies(org_id)[kind], **change}.items() if v is not None}
        influx_error(api.post(BASE, body, token=token), 400, "invalid", message)
        created = create(api, token, bodies(org_id)[kind])
        influx_error(api.put(f"{BASE}/{created['id']}", body, token=token), 400, "invalid", message)
        api.delete(f"{BASE}/{created['id']}", token=token)


def test_invalid_urls_are_400(api: ApiClient, token: str, org_id: str) -> None:
    response = api.post(BASE, {**bodies(org_id)["slack"], "url": "ftp://x"}, token=token)
    influx_error(response, 400, "invalid")
    assert response.json()["message"].startswith("slack endpoint URL is invalid: ")
    response = api.post(BASE, {**bodies(org_id)["http"], "url": "not a url"}, token=token)
    assert response.json()["message"].startswith("http endpoint URL is invalid: ")


def test_wrong_json_types_and_bad_json_are_invalid(api: ApiClient, token: str, org_id: str) -> None:
    influx_error(api.post(BASE, {**bodies(org_id)["slack"], "name": 5}, token=token), 400, "invalid")
    influx_error(api.post(BASE, token=token, raw_body="{nope"), 400, "invalid", "Request body is not valid JSON")


def test_a_secret_reference_on_create_names_nothing(api: ApiClient, token: str, org_id: str) -> None:
    body = {**bodies(org_id)["telegram"], "token": "secret: 0123456789abcdef-token"}
    influx_error(api.post(BASE, body, token=token), 400, "invalid")


def test_duplicate_name_is_422_conflict(api: ApiClient, token: str, org_id: str) -> None:
    create(api, token, bodies(org_id)["slack"])
    response = api.post(BASE, {**bodies(org_id)["telegram"], "name": "slack-ops"}, token=token)
    influx_error(response, 422, "conflict", "notification endpoint with name slack-ops already exists")


def test_same_name_in_another_org_is_fine(
    api: ApiClient, token: str, org_id: str, make_token: Callable[..., str]
) -> None:
    create(api, token, bodies(org_id)["slack"])
    other = ids.org_id()
    orgs.ensure(other)
    create(api, make_token(other), bodies(other)["slack"])


# --- ids and tenancy ---


MALFORMED_IDS = [
    ("abc", "id must have a length of 16 bytes"),
    ("0123456789abcdef0", "id must have a length of 16 bytes"),
    ("0000000000000000", "invalid ID"),
    ("zzzzzzzzzzzzzzzz", "invalid ID"),
]


def test_malformed_ids_are_400(api: ApiClient, token: str, org_id: str) -> None:
    for bad, message in MALFORMED_IDS:
        for method in ("GET", "DELETE"):
            influx_error(api.request(method, f"{BASE}/{bad}", token=token), 400, "invalid", message)
            influx_error(api.request(method, f"/api/v2/labels/{bad}", token=token), 400, "invalid", message)
        influx_error(patch(api, f"{BASE}/{bad}", {"name": "x"}, token), 400, "invalid", message)
        influx_error(api.put(f"{BASE}/{bad}", bodies(org_id)["slack"], token=token), 400, "invalid", message)
        influx_error(api.get(f"{BASE}/{bad}/labels", token=token), 400, "invalid", message)


def test_unknown_id_is_404(api: ApiClient, token: str) -> None:
    influx_error(api.get(f"{BASE}/0123456789abcdef", token=token), 404, "not found", "notification endpoint not found")
    influx_error(api.delete(f"{BASE}/0123456789abcdef", token=token), 404, "not found")


def test_another_orgs_endpoint_and_org_id_are_404(
    api: ApiClient, token: str, org_id: str, make_token: Callable[..., str]
) -> None:
    created = create(api, token, bodies(org_id)["slack"])
    other = ids.org_id()
    orgs.ensure(other)
    stranger = make_token(other)
    url = f"{BASE}/{created['id']}"
    influx_error(api.get(url, token=stranger), 404, "not found")
    influx_error(api.put(url, bodies(other)["slack"], token=stranger), 404, "not found")
    influx_error(patch(api, url, {"name": "mine"}, stranger), 404, "not found")
    influx_error(api.delete(url, token=stranger), 404, "not found")
    influx_error(api.get(f"{url}/labels", token=stranger), 404, "not found")
    influx_error(api.get(f"{BASE}?orgID={org_id}", token=stranger), 404, "not found")
    influx_error(api.post(BASE, bodies(org_id)["slack"], token=stranger), 404, "not found")
    influx_error(api.post("/api/v2/labels", {"orgID": org_id, "name": "x"}, token=stranger), 404, "not found")
    assert api.get(url, token=token).status == 200


# --- auth and scopes ---


def test_auth_header_forms_and_401(api: ApiClient, token: str, org_id: str) -> None:
    url = f"{BASE}?orgID={org_id}"
    assert api.get(url, headers={"Authorization": f"Token {token}"}).status == 200
    assert api.get(url, headers={"Authorization": f"Bearer {token}"}).status == 200
    influx_error(api.get(url), 401, "unauthorized", "unauthorized access")
    influx_error(api.get(url, headers={"Authorization": "Token nope-nope-nope-nope"}), 401, "unauthorized")
    # authentication comes before body validation
    influx_error(api.post(BASE, {"type": "bogus"}), 401, "unauthorized")


def test_scopes(api: ApiClient, org_id: str, make_token: Callable[..., str]) -> None:
    reader = make_token(org_id, ["endpoints:read"])
    writer = make_token(org_id, ["endpoints:write"])
    assert api.get(f"{BASE}?orgID={org_id}", token=reader).status == 200
    assert api.get("/api/v2/labels", token=reader).status == 200
    assert api.get("/api/v2/orgs", token=reader).status == 200
    influx_error(api.post(BASE, bodies(org_id)["slack"], token=reader), 403, "forbidden")
    influx_error(api.post("/api/v2/labels", {"orgID": org_id, "name": "l"}, token=reader), 403, "forbidden")
    assert api.post(BASE, bodies(org_id)["slack"], token=writer).status == 201
    influx_error(api.get(f"{BASE}?orgID={org_id}", token=writer), 403, "forbidden")
    influx_error(api.get("/api/v2/orgs", token=make_token(org_id, ["alerts:read"])), 403, "forbidden")


# --- list, paging ---


def test_list_pages_with_offset_and_limit(api: ApiClient, token: str, org_id: str) -> None:
    made = sorted(create(api, token, {**bodies(org_id)["telegram"], "name": f"tg-{i}"})["id"] for i in range(5))
    first = api.get(f"{BASE}?orgID={org_id}&limit=2", token=token).json()
    assert [e["id"] for e in first["notificationEndpoints"]] == made[:2]
    assert first["links"]["self"] == f"{BASE}?descending=false&limit=2&offset=0&orgID={org_id}"
    assert first["links"]["next"] == f"{BASE}?descending=false&limit=2&offset=2&orgID={org_id}"
    assert "prev" not in first["links"]
    last = api.get(f"{BASE}?orgID={org_id}&limit=2&offset=4", token=token).json()
    assert [e["id"] for e in last["notificationEndpoints"]] == made[4:]
    assert "next" not in last["links"] and last["links"]["prev"].endswith("offset=2&orgID=" + org_id)
    everything = api.get(f"{BASE}?orgID={org_id}", token=token).json()
    assert [e["id"] for e in everything["notificationEndpoints"]] == made  # default limit 20
    assert all(set(e) >= BASE_FIELDS for e in everything["notificationEndpoints"])


def test_list_default_limit_is_20(api: ApiClient, token: str, org_id: str) -> None:
    for i in range(21):
        create(api, token, {**bodies(org_id)["telegram"], "name": f"tg-{i}"})
    page = api.get(f"{BASE}?orgID={org_id}", token=token).json()
    assert len(page["notificationEndpoints"]) == 20 and "next" in page["links"]
    assert len(api.get(f"{BASE}?orgID={org_id}&limit=100", token=token).json()["notificationEndpoints"]) == 21


def test_list_paging_errors(api: ApiClient, token: str, org_id: str) -> None:
    for query, message in [
        ("limit=0", "limit must be between 1 and 100"),
        ("limit=101", "limit must be between 1 and 100"),
        ("limit=x", "limit is invalid"),
        ("offset=-1", "offset is invalid"),
        ("offset=x", "offset is invalid"),
    ]:
        influx_error(api.get(f"{BASE}?orgID={org_id}&{query}", token=token), 400, "invalid", message)
    assert api.get(f"{BASE}?orgID={org_id}&limit=1", token=token).status == 200
    assert api.get(f"{BASE}?orgID={org_id}&limit=100&offset=7", token=token).status == 200


def test_list_needs_an_org(api: ApiClient, token: str, org_id: str) -> None:
    influx_error(api.get(BASE, token=token), 400, "invalid", "Please provide either orgID or org")
    influx_error(api.get(f"{BASE}?orgID=xyz", token=token), 400, "invalid", "orgID is invalid")
    assert api.get(f"{BASE}?org={org_id}", token=token).status == 200  # the org's name (= its id here)
    influx_error(api.get(f"{BASE}?org=someone-else", token=token), 404, "not found")


def test_org_lookups_go_by_name(api: ApiClient, aws_env: Any, make_token: Callable[..., str]) -> None:
    org = ids.org_id()
    orgs.ensure(org, name="default")  # the local stack's dev org
    caller = make_token(org)
    assert api.get("/api/v2/orgs?org=default", token=caller).json()["orgs"][0]["id"] == org
    assert api.get(f"{BASE}?org=default", token=caller).status == 200
    influx_error(api.get(f"/api/v2/orgs?org={org}", token=caller), 404, "not found")  # ?org= is a name
    influx_error(api.get(f"{BASE}?org={org}", token=caller), 404, "not found")


def test_list_is_empty_for_a_new_org(api: ApiClient, token: str, org_id: str) -> None:
    assert api.get(f"{BASE}?orgID={org_id}", token=token).json()["notificationEndpoints"] == []


# --- PUT, PATCH, DELETE ---


def test_put_replaces_and_keeps_secrets_sent_back_as_references(api: ApiClient, token: str, org_id: str) -> None:
    created = create(api, token, bodies(org_id)["http"])
    eid = created["id"]
    before = repo.get_endpoint(org_id, eid)
    replacement = {**created, "name": "hook-2", "method": "PUT", "headers": {"X-New": "1"}}
    response = api.put(f"{BASE}/{eid}", replacement, token=token)
    assert response.status == 200, response.text
    body = response.json()
    assert body["name"] == "hook-2" and body["method"] == "PUT" and body["headers"] == {"X-New": "1"}
    assert body["username"] == f"secret: {eid}-username" and body["password"] == f"secret: {eid}-password"
    after = repo.get_endpoint(org_id, eid)
    assert after.sealed == before.sealed  # references kept the stored ciphertexts; the url did not change
    assert body["createdAt"] == created["createdAt"] and body["updatedAt"] >= created["updatedAt"]


def test_put_with_a_new_secret_replaces_it_and_omitted_fields_are_cleared(
    api: ApiClient, token: str, org_id: str
) -> None:
    created = create(api, token, {**bodies(org_id)["http"], "description": "d"})
    eid = created["id"]
    # the URL moves to another origin: every secret is sent again (a reference would keep none, issue 15)
    body = {**created, "username": "alice", "password": "new-pw", "url": "https://other.example.com/x"}
    del body["description"], body["headers"]
    replaced = api.put(f"{BASE}/{eid}", body, token=token).json()
    assert "description" not in replaced and "headers" not in replaced
    record = repo.get_endpoint(org_id, eid)
    assert secrets.unseal(org_id, record.sealed) == {
        "url": "https://other.example.com/x",
        "username": "alice",
        "password": "new-pw",
    }


def test_put_can_clear_a_secret_and_validates_like_create(api: ApiClient, token: str, org_id: str) -> None:
    created = create(api, token, bodies(org_id)["slack"])
    eid = created["id"]
    cleared = api.put(f"{BASE}/{eid}", {**created, "token": ""}, token=token).json()
    assert cleared["token"] == ""
    influx_error(api.put(f"{BASE}/{eid}", {**created, "name": ""}, token=token), 400, "invalid")
    bad_ref = {**bodies(org_id)["telegram"], "token": f"secret: {eid}-token"}  # nothing stored any more
    influx_error(api.put(f"{BASE}/{eid}", bad_ref, token=token), 400, "invalid")


def test_put_rename_to_a_taken_name_is_conflict_and_frees_the_old_name(api: ApiClient, token: str, org_id: str) -> None:
    first = create(api, token, bodies(org_id)["slack"])
    second = create(api, token, bodies(org_id)["telegram"])
    influx_error(api.put(f"{BASE}/{second['id']}", {**second, "name": "slack-ops"}, token=token), 422, "conflict")
    assert api.put(f"{BASE}/{first['id']}", {**first, "name": "renamed"}, token=token).status == 200
    assert api.put(f"{BASE}/{second['id']}", {**second, "name": "slack-ops"}, token=token).status == 200


def test_put_unknown_is_404(api: ApiClient, token: str, org_id: str) -> None:
    influx_error(api.put(f"{BASE}/0123456789abcdef", bodies(org_id)["slack"], token=token), 404, "not found")


def test_patch_name_description_status(api: ApiClient, token: str, org_id: str) -> None:
    created = create(api, token, bodies(org_id)["pagerduty"])
    url = f"{BASE}/{created['id']}"
    patched = patch(api, url, {"name": "pd-2", "description": "paging", "status": "inactive"}, token)
    assert patched.status == 200, patched.text
    body = patched.json()
    assert (body["name"], body["description"], body["status"]) == ("pd-2", "paging", "inactive")
    assert body["routingKey"] == f"secret: {created['id']}-routing-key"
    assert api.get(url, token=token).json() == body
    assert patch(api, url, {"status": "active"}, token).json()["name"] == "pd-2"


def test_patch_errors(api: ApiClient, token: str, org_id: str) -> None:
    created = create(api, token, bodies(org_id)["slack"])
    for body, message in [
        ({"name": ""}, "Notification Endpoint Name can't be empty"),
        ({"description": ""}, "Notification Endpoint Description can't be empty"),
        ({"status": "off"}, "invalid status"),
    ]:
        influx_error(patch(api, f"{BASE}/{created['id']}", body, token), 400, "invalid", message)
    assert api.get(f"{BASE}/{created['id']}", token=token).json() == created


def test_patch_rename_conflict_and_unknown(api: ApiClient, token: str, org_id: str) -> None:
    create(api, token, bodies(org_id)["slack"])
    other = create(api, token, bodies(org_id)["telegram"])
    influx_error(patch(api, f"{BASE}/{other['id']}", {"name": "slack-ops"}, token), 422, "conflict")
    influx_error(patch(api, f"{BASE}/0123456789abcdef", {"name": "x"}, token), 404, "not found")


def test_delete_is_204_then_404_and_frees_the_name(api: ApiClient, token: str, org_id: str) -> None:
    created = create(api, token, bodies(org_id)["slack"])
    lbl = label(api, token, org_id, "team")
    api.post(f"{BASE}/{created['id']}/labels", {"labelID": lbl["id"]}, token=token)
    response = api.delete(f"{BASE}/{created['id']}", token=token)
    assert response.status == 204 and response.text == ""
    influx_error(api.get(f"{BASE}/{created['id']}", token=token), 404, "not found")
    influx_error(api.delete(f"{BASE}/{created['id']}", token=token), 404, "not found")
    create(api, token, bodies(org_id)["slack"])  # the name is free again
    assert api.get(f"/api/v2/labels/{lbl['id']}", token=token).status == 200  # the label stays


# --- endpoint labels ---


def test_endpoint_labels_add_list_remove(api: ApiClient, token: str, org_id: str) -> None:
    created = create(api, token, bodies(org_id)["slack"])
    url = f"{BASE}/{created['id']}/labels"
    lbl = label(api, token, org_id, "critical", color="#ff0000")
    assert api.get(url, token=token).json() == {"labels": [], "links": {"self": "/api/v2/labels"}}
    added = api.post(url, {"labelID": lbl["id"]}, token=token)
    assert added.status == 201
    assert added.json() == {"label": lbl, "links": {"self": f"/api/v2/labels/{lbl['id']}"}}
    assert api.get(url, token=token).json()["labels"] == [lbl]
    assert api.get(f"{BASE}/{created['id']}", token=token).json()["labels"] == [lbl]
    listed = api.get(f"{BASE}?orgID={org_id}", token=token).json()["notificationEndpoints"]
    assert listed[0]["labels"] == [lbl]
    influx_error(
        api.post(url, {"labelID": lbl["id"]}, token=token),
        422,
        "conflict",
        "Cannot add label, label already exists on resource",
    )
    removed = api.delete(f"{url}/{lbl['id']}", token=token)
    assert removed.status == 204
    assert api.get(url, token=token).json()["labels"] == []
    influx_error(api.delete(f"{url}/{lbl['id']}", token=token), 404, "not found")


def test_endpoint_label_errors(api: ApiClient, token: str, org_id: str, make_token: Callable[..., str]) -> None:
    created = create(api, token, bodies(org_id)["slack"])
    url = f"{BASE}/{created['id']}/labels"
    influx_error(api.post(url, {"labelID": "0123456789abcdef"}, token=token), 404, "not found", "label not found")
    influx_error(api.post(url, {"labelID": "xyz"}, token=token), 400, "invalid")
    influx_error(api.post(url, {}, token=token), 400, "invalid")
    other = ids.org_id()
    orgs.ensure(other)
    foreign = label(api, make_token(other), other, "theirs")
    influx_error(api.post(url, {"labelID": foreign["id"]}, token=token), 404, "not found", "label not found")
    lbl = label(api, token, org_id, "mine")
    influx_error(
        api.post(f"{BASE}/0123456789abcdef/labels", {"labelID": lbl["id"]}, token=token),
        404,
        "not found",
        "notification endpoint not found",
    )
    influx_error(api.delete(f"{BASE}/0123456789abcdef/labels/{lbl['id']}", token=token), 404, "not found")


def test_create_attaches_labels_by_id_or_object(api: ApiClient, token: str, org_id: str) -> None:
    one, two = label(api, token, org_id, "one"), label(api, token, org_id, "two")
    body = {**bodies(org_id)["slack"], "labels": [one["id"], {"id": two["id"]}, "0123456789abcdef", "bad"]}
    created = create(api, token, body)
    assert sorted(lbl["id"] for lbl in created["labels"]) == sorted([one["id"], two["id"]])


def test_deleting_a_label_detaches_it(api: ApiClient, token: str, org_id: str) -> None:
    created = create(api, token, bodies(org_id)["slack"])
    lbl = label(api, token, org_id, "gone")
    api.post(f"{BASE}/{created['id']}/labels", {"labelID": lbl["id"]}, token=token)
    assert api.delete(f"/api/v2/labels/{lbl['id']}", token=token).status == 204
    assert api.get(f"{BASE}/{created['id']}", token=token).json()["labels"] == []
    assert repo.get_endpoint(org_id, created["id"]).label_ids == []  # the mapping item is gone too


# --- /api/v2/labels ---


def test_labels_crud(api: ApiClient, token: str, org_id: str) -> None:
    created = api.post("/api/v2/labels", {"orgID": org_id, "name": "env", "properties": {"a": "1"}}, token=token)
    assert created.status == 201
    lbl = created.json()["label"]
    assert HEX16.match(lbl["id"]) and lbl == {"id": lbl["id"], "orgID": org_id, "name": "env", "properties": {"a": "1"}}
    assert created.json()["links"] == {"self": f"/api/v2/labels/{lbl['id']}"}
    plain = api.post("/api/v2/labels", {"orgID": org_id, "name": "bare"}, token=token).json()["label"]
    assert "properties" not in plain
    listed = api.get(f"/api/v2/labels?orgID={org_id}", token=token).json()
    assert listed["links"] == {"self": "/api/v2/labels"}
    assert sorted(x["name"] for x in listed["labels"]) == ["bare", "env"]
    assert api.get("/api/v2/labels", token=token).json()["labels"] == listed["labels"]
    got = api.get(f"/api/v2/labels/{lbl['id']}", token=token)
    assert got.status == 200 and got.json()["label"] == lbl
    patched = patch(
        api, f"/api/v2/labels/{lbl['id']}", {"name": "environment", "properties": {"b": "2", "a": ""}}, token
    )
    assert patched.status == 200
    assert patched.json()["label"] == {
        "id": lbl["id"],
        "orgID": org_id,
        "name": "environment",
        "properties": {"b": "2"},
    }
    assert api.delete(f"/api/v2/labels/{lbl['id']}", token=token).status == 204
    influx_error(api.get(f"/api/v2/labels/{lbl['id']}", token=token), 404, "not found", "label not found")
    influx_error(api.delete(f"/api/v2/labels/{lbl['id']}", token=token), 404, "not found")


def test_label_errors(api: ApiClient, token: str, org_id: str) -> None:
    influx_error(api.post("/api/v2/labels", {"orgID": org_id}, token=token), 400, "invalid", "label name is required")
    influx_error(api.post("/api/v2/labels", {"name": "x"}, token=token), 400, "invalid", "orgID is required")
    label(api, token, org_id, "dup")
    influx_error(
        api.post("/api/v2/labels", {"orgID": org_id, "name": "dup"}, token=token),
        422,
        "conflict",
        "label with name dup already exists",
    )
    other = label(api, token, org_id, "other")
    influx_error(patch(api, f"/api/v2/labels/{other['id']}", {"name": "dup"}, token), 422, "conflict")
    influx_error(patch(api, f"/api/v2/labels/{other['id']}", {"name": ""}, token), 400, "invalid")
    influx_error(patch(api, "/api/v2/labels/0123456789abcdef", {"name": "n"}, token), 404, "not found")


# --- orgs, health, ping ---


def test_orgs_lists_the_callers_org_only(api: ApiClient, aws_env: Any, make_token: Callable[..., str]) -> None:
    org = ids.org_id()
    orgs.ensure(org, name="acme")
    caller = make_token(org)
    listed = api.get("/api/v2/orgs", token=caller)
    assert listed.status == 200
    body = listed.json()
    assert body["links"] == {"self": "/api/v2/orgs"}
    assert [(o["id"], o["name"], o["status"]) for o in body["orgs"]] == [(org, "acme", "active")]
    assert body["orgs"][0]["links"]["self"] == f"/api/v2/orgs/{org}"
    assert api.get("/api/v2/orgs?org=acme", token=caller).json()["orgs"][0]["id"] == org
    influx_error(
        api.get("/api/v2/orgs?org=other", token=caller), 404, "not found", 'organization name "other" not found'
    )
    influx_error(api.get("/api/v2/orgs?orgID=0123456789abcdef", token=caller), 404, "not found")
    assert api.get(f"/api/v2/orgs/{org}", token=caller).json()["name"] == "acme"
    influx_error(api.get("/api/v2/orgs/0123456789abcdef", token=caller), 404, "not found")
    influx_error(api.get("/api/v2/orgs"), 401, "unauthorized")


def test_health_and_ping_are_public(api: ApiClient, aws_env: Any) -> None:
    health = api.get("/health")
    assert health.status == 200 and health.json()["status"] == "pass" and health.json()["name"] == "influxdb"
    ping = api.get("/ping")
    assert ping.status == 204 and ping.text == ""
    assert ping.headers["X-Influxdb-Build"] == "OSS" and ping.headers["X-Influxdb-Version"]


@pytest.mark.parametrize(
    "properties",
    [
        {"S": "x", "M": "y", "L": "z", "NULL": "true", "BOOL": "false"},  # DynamoDB's own type names as keys
        {"": "empty key", "\u00e9\U0001f600": "\u0000", "a.b": "c#d", "x" * 300: "y" * 1000},
    ],
    ids=["type-names", "odd-strings"],
)
def test_labels_with_odd_property_keys_are_stored_and_listed(
    api: ApiClient, token: str, org_id: str, properties: dict[str, str]
) -> None:
    """Found by fuzzing against InfluxDB's contract: such keys once made GET /api/v2/labels answer 500."""
    created = api.post("/api/v2/labels", {"orgID": org_id, "name": "odd", "properties": properties}, token=token)
    assert created.status == 201, created.text
    label_id = created.json()["label"]["id"]
    listed = api.get(f"/api/v2/labels?orgID={org_id}", token=token)
    assert listed.status == 200 and listed.json()["labels"][0]["properties"] == properties
    assert api.get(f"/api/v2/labels/{label_id}", token=token).json()["label"]["properties"] == properties
    patched = patch(api, f"/api/v2/labels/{label_id}", {"properties": {"S": ""}}, token)
    assert patched.status == 200 and "S" not in (patched.json()["label"]["properties"] or {})
    assert api.delete(f"/api/v2/labels/{label_id}", token=token).status == 204
