"""Herald's own event API: POST /v1/events (intake) and GET /v1/events/{id} (read-back with deliveries),
through API Gateway v2 events routed by template.yaml to the events function, on moto."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr

from herald import clock, ids
from herald.auth.scopes import ALL_SCOPES
from herald.data import deliveries, orgs, table_keys
from herald.data.deliveries import DeliveryRecord
from herald.data.table import table
from tests.support import module_env
from tests.support.apigw import ApiClient, ApiResponse

# One moto per module, a fresh table per test, warm function instances (see tests/support/module_env.py).
module_aws, aws_env, module_api, api = module_env.module_aws, module_env.aws_env, module_env.module_api, module_env.api

EVENT_FIELDS = {
    "id",
    "monitorId",
    "service",
    "status",
    "severity",
    "title",
    "message",
    "url",
    "dedupKey",
    "labels",
    "targets",
    "createdAt",
    "source",
    "links",
}
DELIVERY_FIELDS = {
    "id",
    "destination",
    "status",
    "attempts",
    "lastError",
    "createdAt",
    "updatedAt",
    "deliveredAt",
    "nextRetryAt",
}
EVENT_ID = re.compile(r"^evt_[a-zA-Z0-9]+$")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")

MINIMAL: dict[str, Any] = {"status": "triggered", "title": "API down"}
FULL: dict[str, Any] = {
    "monitorId": "mon_abc123",
    "service": "checkout",
    "status": "recovered",
    "severity": "warning",
    "title": "Checkout latency back to normal",
    "message": "p99 under 300 ms for 5 minutes",
    "url": "https://status.example.com/incidents/42",
    "dedupKey": "checkout-latency",
    "labels": {"env": "prod", "team": "payments"},
    "targets": {
        "endpointIDs": ["0a1b2c3d4e5f6a7b"],
        "notificationUids": ["uid-1"],
        "userIds": ["U123"],
        "important": True,
    },
}


# --- helpers -----------------------------------------------------------------------------------------


def body_with(**changes: Any) -> dict[str, Any]:
    return {**MINIMAL, **changes}


def without(field: str) -> dict[str, Any]:
    return {k: v for k, v in FULL.items() if k != field}


def submit(api: ApiClient, token: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.post("/v1/events", MINIMAL if body is None else body, token=token)
    assert response.status == 202, response.text
    accepted: dict[str, Any] = response.json()
    return accepted


def stored_events() -> list[dict[str, Any]]:
    """Every event item in the table, whoever's."""
    items: list[dict[str, Any]] = table().scan(FilterExpression=Attr("type").eq("event"))["Items"]
    return items


def assert_error(response: ApiResponse, status: int, code: str) -> str:
    assert response.status == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert isinstance(message, str) and message
    return message


def delivery_for(
    event_id: str,
    org_id: str,
    destination_id: str,
    *,
    at: str,
    status: str = "pending",
    attempts: int = 0,
    last_error: str | None = None,
    delivered_at: str | None = None,
) -> DeliveryRecord:
    return DeliveryRecord(
        id=ids.delivery_id(event_id, destination_id),
        event_id=event_id,
        org_id=org_id,
        kind="webhook",
        family="uptime",
        destination_id=destination_id,
        destination_name=f"hook {destination_id}",
        config={"subjectPrefix": "[cfg-not-returned]"},
        sealed={"url": "c2VhbGVkLWJsb2Itbm90LXJldHVybmVk"},
        message={"title": "API down"},
        status=status,
        attempts=attempts,
        last_error=last_error,
        created_at=at,
        updated_at=at,
        delivered_at=delivered_at,
        alert_id=destination_id,
    )


def stamp(minute: int) -> str:
    return clock.iso(datetime(2026, 2, 14, 10, minute, tzinfo=UTC))


@pytest.fixture
def other_org_token(aws_env: Any, make_token: Callable[..., str]) -> str:
    other = ids.org_id()
    orgs.ensure(other)
    return make_token(other)


# --- POST /v1/events ---------------------------------------------------------------------------------


def test_submit_answers_202_with_the_event_and_its_defaults(api: ApiClient, token: str) -> None:
    # When the smallest valid event is posted
    response = api.post("/v1/events", MINIMAL, token=token)
    # Then 202 with a new evt_ id, severity critical, empty labels and every optional field null
    assert response.status == 202, response.text
    event = response.json()
    assert set(event) == EVENT_FIELDS
    assert EVENT_ID.match(event["id"])
    assert ISO_UTC.match(event["createdAt"])
    assert event == {
        "id": event["id"],
        "monitorId": None,
        "service": None,
        "status": "triggered",
        "severity": "critical",
        "title": "API down",
        "message": None,
        "url": None,
        "dedupKey": None,
        "labels": {},
        "targets": None,
        "createdAt": event["createdAt"],
        "source": "api",
        "links": [],
    }


def test_submit_keeps_every_field_and_stores_the_event_for_the_team(
    api: ApiClient, token: str, org_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the clock reads 2026-02-14 10:30 UTC
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 2, 14, 10, 30, tzinfo=UTC))
    # When an event with every field is posted
    event = submit(api, token, FULL)
    # Then every field is echoed
    assert {k: event[k] for k in FULL} == FULL
    assert event["createdAt"] == "2026-02-14T10:30:00.000Z"
    # And the event is stored under its id, for this team, with a retention TTL
    item = table().get_item(Key=table_keys.event(event["id"]))["Item"]
    assert item["orgId"] == org_id
    assert item["title"] == FULL["title"]
    assert int(item["ttl"]) > datetime(2026, 2, 14, 10, 30, tzinfo=UTC).timestamp()


def test_each_submit_is_a_new_event(api: ApiClient, token: str) -> None:
    first = submit(api, token)
    second = submit(api, token)
    assert first["id"] != second["id"]
    assert len(stored_events()) == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "t" * 256},
        {"title": "x"},
        {"severity": "info"},
        {"status": "recovered"},
        {"labels": {"k": ""}},
        {"labels": {f"k{n}": "v" for n in range(64)}},
        {"url": "http://example.com"},
        {"monitorId": "web-1.eu:443/health@probe"},
        {"targets": {}},
        {"message": "m" * 8000},
    ],
    ids=lambda c: f"{next(iter(c))}={str(next(iter(c.values())))[:20]}",
)
def test_submit_accepts_values_on_the_limits(api: ApiClient, token: str, changes: dict[str, Any]) -> None:
    response = api.post("/v1/events", body_with(**changes), token=token)
    assert response.status == 202, response.text


INVALID_EVENTS: list[tuple[str, Any]] = [
    ("unknown field", body_with(priority="P1")),
    ("status missing", {"title": "x"}),
    ("status unknown", body_with(status="down")),
    ("status null", body_with(status=None)),
    ("severity unknown", body_with(severity="major")),
    ("severity wrong case", body_with(severity="Critical")),
    ("severity null", body_with(severity=None)),
    ("title missing", {"status": "triggered"}),
    ("title empty", body_with(title="")),
    ("title 257 chars", body_with(title="t" * 257)),
    ("title a number", body_with(title=5)),
    ("title null", body_with(title=None)),
    ("message 8001 chars", body_with(message="m" * 8001)),
    ("labels a list", body_with(labels=["a"])),
    ("labels a string", body_with(labels="env=prod")),
    ("label value a number", body_with(labels={"n": 1})),
    ("label value a bool", body_with(labels={"b": True})),
    ("label value null", body_with(labels={"b": None})),
    ("label value nested", body_with(labels={"b": {"c": "d"}})),
    ("label key empty", body_with(labels={"": "v"})),
    ("65 labels", body_with(labels={f"k{n}": "v" for n in range(65)})),
    ("url ftp", body_with(url="ftp://example.com/x")),
    ("url javascript", body_with(url="javascript:alert(1)")),
    ("url relative", body_with(url="/incidents/42")),
    ("url without host", body_with(url="https://")),
    ("url with a space", body_with(url="https://exa mple.com/")),
    ("monitorId with a space", body_with(monitorId="mon 1")),
    ("monitorId empty", body_with(monitorId="")),
    ("monitorId 129 chars", body_with(monitorId="m" * 129)),
    ("service empty", body_with(service="")),
    ("dedupKey empty", body_with(dedupKey="")),
    ("dedupKey 256 chars", body_with(dedupKey="d" * 256)),
    ("targets unknown field", body_with(targets={"teams": ["a"]})),
    ("targets ids not a list", body_with(targets={"userIds": "U1"})),
    ("targets important a string", body_with(targets={"important": "yes"})),
    ("body a list of a valid event", [MINIMAL]),
    ("body a string", "API down"),
    ("body empty object", {}),
]


@pytest.mark.parametrize(("case", "body"), INVALID_EVENTS, ids=[case for case, _ in INVALID_EVENTS])
def test_submit_rejects_an_invalid_body_and_stores_nothing(api: ApiClient, token: str, case: str, body: Any) -> None:
    # When an invalid event is posted
    response = api.post("/v1/events", body, token=token)
    # Then 400 VALIDATION_ERROR, and no event is stored
    assert_error(response, 400, "VALIDATION_ERROR")
    assert stored_events() == []


@pytest.mark.parametrize("raw", ['{"status": "triggered", "title": ', "title=x", "", "[", "null"], ids=repr)
def test_submit_rejects_malformed_json(api: ApiClient, token: str, raw: str) -> None:
    assert_error(api.post("/v1/events", token=token, raw_body=raw), 400, "VALIDATION_ERROR")
    assert stored_events() == []


def test_validation_message_names_the_field(api: ApiClient, token: str) -> None:
    assert "severity" in assert_error(
        api.post("/v1/events", body_with(severity="major"), token=token), 400, "VALIDATION_ERROR"
    )


# --- GET /v1/events/{id} -----------------------------------------------------------------------------


def test_get_returns_the_event_with_no_deliveries_yet(api: ApiClient, token: str) -> None:
    # Given an accepted event
    event = submit(api, token, FULL)
    # When it is read back
    response = api.get(f"/v1/events/{event['id']}", token=token)
    # Then it is the same event, with an empty list of deliveries
    assert response.status == 200, response.text
    found = response.json()
    assert {k: found[k] for k in EVENT_FIELDS} == event
    assert found["deliveries"] == []


def test_get_lists_one_entry_per_delivery_with_its_state(api: ApiClient, token: str, org_id: str) -> None:
    # Given an event with a failed and a delivered delivery (written out of order), and another event's
    event = submit(api, token)
    other = submit(api, token)
    failed = delivery_for(
        event["id"], org_id, "alt_second", at=stamp(5), status="failed", attempts=5, last_error="HTTP 500"
    )
    delivered = delivery_for(
        event["id"], org_id, "alt_first", at=stamp(1), status="delivered", attempts=1, delivered_at=stamp(2)
    )
    for record in (failed, delivered, delivery_for(other["id"], org_id, "alt_first", at=stamp(0))):
        assert deliveries.put_if_absent(record)
    # When the event is read back
    response = api.get(f"/v1/events/{event['id']}", token=token)
    # Then its two deliveries come back, oldest first, each with destination, status, attempts, last error
    # and timestamps, and none of their stored settings
    assert response.status == 200, response.text
    found = response.json()["deliveries"]
    assert found == [
        {
            "id": delivered.id,
            "destination": {"family": "uptime", "kind": "webhook", "id": "alt_first", "name": "hook alt_first"},
            "status": "delivered",
            "attempts": 1,
            "lastError": None,
            "createdAt": stamp(1),
            "updatedAt": stamp(1),
            "deliveredAt": stamp(2),
            "nextRetryAt": None,
        },
        {
            "id": failed.id,
            "destination": {"family": "uptime", "kind": "webhook", "id": "alt_second", "name": "hook alt_second"},
            "status": "failed",
            "attempts": 5,
            "lastError": "HTTP 500",
            "createdAt": stamp(5),
            "updatedAt": stamp(5),
            "deliveredAt": None,
            "nextRetryAt": None,
        },
    ]
    for delivery in found:
        assert set(delivery) == DELIVERY_FIELDS
    assert "cfg-not-returned" not in response.text
    assert "c2VhbGVkLWJsb2Itbm90LXJldHVybmVk" not in response.text


def test_get_follows_a_delivery_as_it_progresses(api: ApiClient, token: str, org_id: str) -> None:
    # Given a pending delivery
    event = submit(api, token)
    record = delivery_for(event["id"], org_id, "alt_x", at=stamp(0))
    deliveries.put_if_absent(record)
    # When a first attempt fails and a second succeeds
    assert deliveries.claim(event["id"], record.id, now=1000.0, lease_seconds=30, at=stamp(1)) is not None
    deliveries.release_for_retry(event["id"], record.id, at=stamp(1), error="HTTP 503")
    assert deliveries.claim(event["id"], record.id, now=2000.0, lease_seconds=30, at=stamp(2)) is not None
    deliveries.finish(event["id"], record.id, "delivered", at=stamp(3))
    # Then the event shows two attempts, the last error, and when it was delivered
    (delivery,) = api.get(f"/v1/events/{event['id']}", token=token).json()["deliveries"]
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 2
    assert delivery["lastError"] == "HTTP 503"
    assert delivery["deliveredAt"] == stamp(3)
    assert delivery["updatedAt"] == stamp(3)


def test_a_delivery_waiting_for_its_retry_shows_when_it_is_due(api: ApiClient, token: str, org_id: str) -> None:
    # Given a pending delivery whose first attempt failed, retried in ten minutes
    event = submit(api, token)
    record = delivery_for(event["id"], org_id, "alt_r", at=stamp(0))
    deliveries.put_if_absent(record)
    now = clock.epoch()
    assert deliveries.claim(event["id"], record.id, now=now, lease_seconds=30, at=stamp(1)) is not None
    deliveries.release_for_retry(event["id"], record.id, at=stamp(1), error="HTTP 503", retry_at=now + 600)
    # Then the event shows when the next attempt is due; once delivered, none
    (waiting,) = api.get(f"/v1/events/{event['id']}", token=token).json()["deliveries"]
    due = datetime.fromisoformat(waiting["nextRetryAt"].replace("Z", "+00:00")).timestamp()
    assert waiting["status"] == "pending" and abs(due - (now + 600)) < 1
    assert deliveries.claim(event["id"], record.id, now=now + 601, lease_seconds=30, at=stamp(2)) is not None
    deliveries.finish(event["id"], record.id, "delivered", at=stamp(3))
    (done,) = api.get(f"/v1/events/{event['id']}", token=token).json()["deliveries"]
    assert done["nextRetryAt"] is None


@pytest.mark.parametrize("event_id", ["evt_doesnotexist", "nope", "alt_abc", "x" * 128])
def test_get_unknown_id_is_404(api: ApiClient, token: str, event_id: str) -> None:
    submit(api, token)
    assert_error(api.get(f"/v1/events/{event_id}", token=token), 404, "NOT_FOUND")


def test_another_teams_event_answers_404(api: ApiClient, token: str, other_org_token: str, org_id: str) -> None:
    # Given another team's event, with a delivery
    theirs = submit(api, other_org_token, FULL)
    deliveries.put_if_absent(delivery_for(theirs["id"], "other", "alt_x", at=stamp(0)))
    # When this team reads it by id
    response = api.get(f"/v1/events/{theirs['id']}", token=token)
    # Then 404, revealing nothing of it
    assert_error(response, 404, "NOT_FOUND")
    assert FULL["title"] not in response.text
    # And its owner still reads it
    assert api.get(f"/v1/events/{theirs['id']}", token=other_org_token).status == 200


# --- authentication and scopes -----------------------------------------------------------------------


ROUTES = [("POST", "/v1/events", "events:write"), ("GET", "/v1/events/{id}", "events:read")]


def call(api: ApiClient, method: str, path: str, event_id: str, **kw: Any) -> ApiResponse:
    url = path.replace("{id}", event_id)
    return api.post(url, MINIMAL, **kw) if method == "POST" else api.get(url, **kw)


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": "Bearer hrld_not-a-real-key-0000000000"}, {"x-api-key": ""}],
    ids=["none", "unknown", "empty"],
)
def test_every_route_needs_a_valid_key(
    api: ApiClient, token: str, method: str, path: str, scope: str, headers: dict[str, str]
) -> None:
    event = submit(api, token)
    response = call(api, method, path, event["id"], headers=headers)
    assert_error(response, 401, "UNAUTHORIZED")
    assert len(stored_events()) == 1


def test_401_comes_before_validation(api: ApiClient) -> None:
    assert_error(api.post("/v1/events", {"title": 5}), 401, "UNAUTHORIZED")
    assert_error(api.post("/v1/events", raw_body="{"), 401, "UNAUTHORIZED")
    assert stored_events() == []


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_every_route_refuses_a_key_with_every_scope_but_its_own(
    api: ApiClient, token: str, org_id: str, make_token: Callable[..., str], method: str, path: str, scope: str
) -> None:
    # Given an event, and a key of the same team holding every scope except the route's
    event = submit(api, token)
    key = make_token(org_id, [s for s in ALL_SCOPES if s != scope])
    # When the route is called with it
    response = call(api, method, path, event["id"], token=key)
    # Then 403 naming the scope, and nothing is stored
    assert scope in assert_error(response, 403, "FORBIDDEN")
    assert len(stored_events()) == 1


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_every_route_accepts_a_key_with_only_its_scope(
    api: ApiClient, token: str, org_id: str, make_token: Callable[..., str], method: str, path: str, scope: str
) -> None:
    event = submit(api, token)
    response = call(api, method, path, event["id"], token=make_token(org_id, [scope]))
    assert response.status in {200, 202}, response.text


def test_403_comes_before_validation(api: ApiClient, org_id: str, make_token: Callable[..., str]) -> None:
    reader = make_token(org_id, ["events:read"])
    assert_error(api.post("/v1/events", {"title": 5}, token=reader), 403, "FORBIDDEN")
    assert stored_events() == []


def test_the_stored_event_belongs_to_the_keys_team_whatever_the_body_says(
    api: ApiClient, token: str, org_id: str
) -> None:
    # When a body tries to name another team
    response = api.post("/v1/events", body_with(orgId="someone-else"), token=token)
    # Then it is refused (unknown field) rather than stored anywhere
    assert_error(response, 400, "VALIDATION_ERROR")
    assert stored_events() == []
    # And a valid event is stored for the key's own team
    event = submit(api, token)
    assert [item["orgId"] for item in stored_events()] == [org_id]
    assert json.loads(api.get(f"/v1/events/{event['id']}", token=token).text)["id"] == event["id"]
