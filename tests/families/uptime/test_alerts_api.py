"""The uptime alerts API (seeds/uptime-alerts.md), route by route, through API Gateway v2 events routed by
template.yaml to the alerts function, on moto: list, create, read, update, delete and the per-team limit.
The history route is in test_alerts_history.py, authentication and scopes in test_alerts_auth.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from herald import ids, secrets
from herald.data import orgs
from tests.families.uptime.alerts import (
    ALERT_FIELDS,
    ALERT_ID,
    BODIES,
    DISCORD_URL,
    MINIMAL,
    NEVER_RETURNED,
    SLACK_URL,
    STRATEGIES,
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    assert_alert_shape,
    assert_error,
    body_for,
    call,
    create,
    freeze_clock,
    listed,
    raw_alert_item,
    route_url,
)
from tests.support import module_env
from tests.support.apigw import ApiClient

# One moto per module, a fresh table per test, warm function instances (see tests/support/module_env.py).
module_aws, aws_env, module_api, api = module_env.module_aws, module_env.aws_env, module_env.module_api, module_env.api


@pytest.fixture
def other_org_token(aws_env: Any, make_token: Callable[..., str]) -> str:
    other = ids.org_id()
    orgs.ensure(other)
    return make_token(other)


# --- GET /v1/alerts ----------------------------------------------------------------------------------


def test_list_is_empty_for_a_new_team(api: ApiClient, token: str) -> None:
    # When a team without alerts lists them
    response = api.get("/v1/alerts", token=token)
    # Then it gets an empty list under "alerts"
    assert response.status == 200
    assert response.json() == {"alerts": []}


def test_list_returns_every_alert_of_the_team_with_the_response_fields(api: ApiClient, token: str) -> None:
    # Given one alert of each strategy
    created = [create(api, token, BODIES[s]) for s in STRATEGIES]
    # When the team lists its alerts
    alerts = listed(api, token)
    # Then all four come back, each exactly as it was created
    assert sorted(alerts, key=lambda a: a["id"]) == sorted(created, key=lambda a: a["id"])
    for alert in alerts:
        assert_alert_shape(alert)


def test_list_does_not_show_another_teams_alerts(api: ApiClient, token: str, other_org_token: str) -> None:
    # Given an alert of another team
    create(api, other_org_token)
    # When this team lists
    # Then it sees none of them
    assert listed(api, token) == []
    assert len(listed(api, other_org_token)) == 1


# --- POST /v1/alerts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_create_each_strategy_returns_201_with_exactly_the_seed_fields(
    api: ApiClient, token: str, strategy: str
) -> None:
    # When the seed's example body for this strategy is posted
    response = api.post("/v1/alerts", BODIES[strategy], token=token)
    # Then 201 with the eight response fields and no strategy setting
    assert response.status == 201, response.text
    alert = response.json()
    assert_alert_shape(alert)
    assert not NEVER_RETURNED & set(alert)
    assert alert["name"] == BODIES[strategy]["name"]
    assert alert["strategy"] == strategy
    assert alert["createdAt"] == alert["updatedAt"]
    assert response.headers.get("Content-Type", "").startswith("application/json")


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_create_applies_the_defaults(api: ApiClient, token: str, strategy: str) -> None:
    # When only the required fields are sent
    alert = create(api, token, MINIMAL[strategy])
    # Then notifyOnRecovery is true, cooldownMinutes 0 and monitorId null
    assert alert["notifyOnRecovery"] is True
    assert alert["cooldownMinutes"] == 0
    assert alert["monitorId"] is None


def test_create_keeps_the_optional_common_fields(api: ApiClient, token: str) -> None:
    # When every common field is set
    alert = create(
        api,
        token,
        body_for("slack", notifyOnRecovery=False, cooldownMinutes=5, monitorId="mon_abc123"),
    )
    # Then each is echoed, and a later GET agrees
    assert (alert["notifyOnRecovery"], alert["cooldownMinutes"], alert["monitorId"]) == (False, 5, "mon_abc123")
    assert api.get(f"/v1/alerts/{alert['id']}", token=token).json() == alert


def test_create_gives_each_alert_a_new_id(api: ApiClient, token: str) -> None:
    # When the same body is posted twice
    first = create(api, token)
    second = create(api, token)
    # Then both are stored under distinct alt_ ids
    assert first["id"] != second["id"]
    assert ALERT_ID.match(first["id"]) and ALERT_ID.match(second["id"])
    assert {a["id"] for a in listed(api, token)} == {first["id"], second["id"]}


def test_create_timestamps_are_utc_iso_8601_of_the_moment_of_creation(
    api: ApiClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the clock reads 2026-02-14 12:00 UTC
    freeze_clock(monkeypatch, datetime(2026, 2, 14, 12, 0, tzinfo=UTC))
    # When an alert is created
    alert = create(api, token)
    # Then both timestamps say so, in UTC with a Z
    for field in ("createdAt", "updatedAt"):
        assert alert[field].endswith("Z")
        parsed = datetime.fromisoformat(alert[field])
        assert parsed == datetime(2026, 2, 14, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("strategy", "changes"),
    [
        ("email", {"name": "x"}),
        ("email", {"name": "n" * 100}),
        ("email", {"subjectPrefix": "p" * 50}),
        ("email", {"subjectPrefix": ""}),
        ("email", {"cooldownMinutes": 0}),
        ("email", {"cooldownMinutes": 1440}),
        ("email", {"monitorId": "mon_A1b2C3"}),
        ("email", {"email": "first.last+tag@sub.example.co.uk"}),
        ("webhook", {"url": "http://example.com:8080/path?q=1#frag"}),
        ("webhook", {"secret": "plain-secret"}),
        ("slack", {"channel": "#ops"}),
        ("email", {"cooldownMinutes": 5.0}),  # JSON Schema's integer: a number with no fraction
        ("webhook", {"secret": ""}),  # no minLength in the schema
        ("slack", {"channel": ""}),
    ],
    ids=lambda v: str(v)[:40],
)
def test_create_accepts_values_on_the_schema_limits(
    api: ApiClient, token: str, strategy: str, changes: dict[str, Any]
) -> None:
    # When a value right on a limit is sent
    response = api.post("/v1/alerts", body_for(strategy, **changes), token=token)
    # Then it is accepted
    assert response.status == 201, response.text
    alert = response.json()
    for field in set(changes) & ALERT_FIELDS:
        assert alert[field] == changes[field]


INVALID_CREATES: list[tuple[str, dict[str, Any]]] = [
    ("name missing", {"strategy": "email", "email": "a@example.com"}),
    ("name empty", body_for("email", name="")),
    ("name 101 chars", body_for("email", name="n" * 101)),
    ("name null", body_for("email", name=None)),
    ("name a number", body_for("email", name=5)),
    ("strategy missing", {"name": "x", "email": "a@example.com"}),
    ("strategy unknown", {"name": "x", "strategy": "sms", "email": "a@example.com"}),
    ("strategy wrong case", {"name": "x", "strategy": "Email", "email": "a@example.com"}),
    ("email missing", {"name": "x", "strategy": "email"}),
    ("email not an address", body_for("email", email="not-an-email")),
    ("email without domain", body_for("email", email="a@")),
    ("email with space", body_for("email", email="a b@example.com")),
    ("subjectPrefix 51 chars", body_for("email", subjectPrefix="p" * 51)),
    ("cooldownMinutes -1", body_for("email", cooldownMinutes=-1)),
    ("cooldownMinutes 1441", body_for("email", cooldownMinutes=1441)),
    ("cooldownMinutes a string", body_for("email", cooldownMinutes="5")),
    ("cooldownMinutes a fraction", body_for("email", cooldownMinutes=5.5)),
    ("cooldownMinutes a boolean", body_for("email", cooldownMinutes=True)),
    ("cooldownMinutes null", body_for("email", cooldownMinutes=None)),
    ("notifyOnRecovery a string", body_for("email", notifyOnRecovery="true")),
    ("notifyOnRecovery a number", body_for("email", notifyOnRecovery=1)),
    ("monitorId without prefix", body_for("email", monitorId="abc123")),
    ("monitorId prefix only", body_for("email", monitorId="mon_")),
    ("monitorId with a dash", body_for("email", monitorId="mon_abc-123")),
    ("monitorId wrong case prefix", body_for("email", monitorId="MON_abc")),
    ("monitorId trailing newline", body_for("email", monitorId="mon_abc\n")),
    ("url missing", {"name": "x", "strategy": "webhook"}),
    ("url not a uri", body_for("webhook", url="not a uri")),
    ("url relative", body_for("webhook", url="/hooks/1")),
    ("url without host", body_for("webhook", url="https://")),
    ("secret a number", body_for("webhook", secret=123)),
    ("slack webhookUrl missing", {"name": "x", "strategy": "slack"}),
    ("slack webhookUrl not a uri", body_for("slack", webhookUrl="hooks.slack.com/services/x")),
    ("discord webhookUrl missing", {"name": "x", "strategy": "discord"}),
    ("discord webhookUrl not a uri", body_for("discord", webhookUrl="::::")),
    ("discord given a url instead", {"name": "x", "strategy": "discord", "url": "https://discord.com/x"}),
    ("body a list of a valid body", [MINIMAL["email"]]),  # type: ignore[list-item]
    ("body an empty list", []),  # type: ignore[list-item]
    ("body a string", "alert"),  # type: ignore[list-item]
    ("body empty object", {}),
]


@pytest.mark.parametrize(("case", "body"), INVALID_CREATES, ids=[case for case, _ in INVALID_CREATES])
def test_create_rejects_an_invalid_body_and_writes_nothing(api: ApiClient, token: str, case: str, body: Any) -> None:
    # When an invalid body is posted
    response = api.post("/v1/alerts", body, token=token)
    # Then 400 VALIDATION_ERROR, and nothing is stored
    assert_error(response, 400, "VALIDATION_ERROR")
    assert listed(api, token) == []


@pytest.mark.parametrize(
    "raw", ['{"name": "x", "strategy": "email",', "not json", "{'name': 'x'}", "", "   "], ids=repr
)
def test_create_rejects_malformed_json(api: ApiClient, token: str, raw: str) -> None:
    # When the body is not JSON at all
    response = api.post("/v1/alerts", token=token, raw_body=raw)
    # Then 400 VALIDATION_ERROR and nothing is stored
    assert_error(response, 400, "VALIDATION_ERROR")
    assert listed(api, token) == []


def test_validation_message_names_the_offending_field(api: ApiClient, token: str) -> None:
    # When cooldownMinutes is out of range
    response = api.post("/v1/alerts", body_for("email", cooldownMinutes=5000), token=token)
    # Then the message says which field
    assert "cooldownMinutes" in assert_error(response, 400, "VALIDATION_ERROR")


def test_create_accepts_a_form_labelled_body_as_json(api: ApiClient, token: str) -> None:
    # When curl -d sends the JSON labelled as a form
    response = api.post(
        "/v1/alerts",
        MINIMAL["email"],
        token=token,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    # Then it is still read as JSON
    assert response.status == 201, response.text


def test_create_ignores_unknown_fields_without_storing_or_returning_them(
    api: ApiClient, token: str, org_id: str
) -> None:
    # When a body carries a field no schema names
    alert = create(api, token, body_for("email", colour="blue"))
    # Then it is neither returned nor stored
    assert "colour" not in alert
    assert "blue" not in json.dumps(raw_alert_item(org_id, alert["id"]), default=str)


# --- secrets -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "plaintexts"),
    [
        ("webhook", {"url": WEBHOOK_URL, "secret": WEBHOOK_SECRET}),
        ("slack", {"webhookUrl": SLACK_URL}),
        ("discord", {"webhookUrl": DISCORD_URL}),
    ],
)
def test_webhook_urls_and_secrets_are_stored_only_encrypted(
    api: ApiClient, token: str, org_id: str, strategy: str, plaintexts: dict[str, str]
) -> None:
    # When an alert with a URL (and a secret) is created
    alert = create(api, token, BODIES[strategy])
    # Then the raw item holds none of the plaintexts
    item = raw_alert_item(org_id, alert["id"])
    dumped = json.dumps(item, default=str)
    for value in plaintexts.values():
        assert value not in dumped
        assert value.split("//", 1)[-1] not in dumped
    # And the sealed values decrypt (under the org's context) to what was sent
    assert set(item["sealed"]) == set(plaintexts)
    assert secrets.unseal(org_id, dict(item["sealed"])) == plaintexts


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_no_response_ever_reveals_the_strategy_settings(api: ApiClient, token: str, strategy: str) -> None:
    # Given an alert with every setting of its strategy
    alert = create(api, token, BODIES[strategy])
    settings = [str(v) for k, v in BODIES[strategy].items() if k in NEVER_RETURNED]
    # When it is read back every way the API offers
    responses = [
        api.get("/v1/alerts", token=token),
        api.get(f"/v1/alerts/{alert['id']}", token=token),
        api.put(f"/v1/alerts/{alert['id']}", {"name": "renamed"}, token=token),
        api.get(f"/v1/alerts/{alert['id']}/events", token=token),
    ]
    # Then no response body holds any of them
    for response in responses:
        assert response.status == 200, response.text
        for value in settings:
            assert value not in response.text
            assert json.dumps(value)[1:-1] not in response.text


# --- GET /v1/alerts/{id} -----------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_get_returns_the_alert_as_created(api: ApiClient, token: str, strategy: str) -> None:
    # Given an alert
    alert = create(api, token, BODIES[strategy])
    # When it is fetched by id
    response = api.get(f"/v1/alerts/{alert['id']}", token=token)
    # Then it is the same alert, with exactly the response fields
    assert response.status == 200
    assert response.json() == alert
    assert_alert_shape(response.json())


@pytest.mark.parametrize("alert_id", ["alt_doesnotexist", "nope", "alt_", "x" * 128])
def test_get_unknown_id_is_404(api: ApiClient, token: str, alert_id: str) -> None:
    create(api, token)
    assert_error(api.get(f"/v1/alerts/{alert_id}", token=token), 404, "NOT_FOUND")


# --- another team's alert ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/alerts/{id}", None),
        ("PUT", "/v1/alerts/{id}", {"name": "hijacked"}),
        ("DELETE", "/v1/alerts/{id}", None),
        ("GET", "/v1/alerts/{id}/events", None),
    ],
)
def test_another_teams_alert_answers_404_and_is_left_alone(
    api: ApiClient, token: str, other_org_token: str, method: str, path: str, body: Any
) -> None:
    # Given an alert of another team
    theirs = create(api, other_org_token, BODIES["webhook"])
    # When this team addresses it by id
    response = call(api, method, route_url(path, theirs["id"]), body, token=token)
    # Then 404, as if it did not exist, and it is unchanged
    assert_error(response, 404, "NOT_FOUND")
    assert listed(api, other_org_token) == [theirs]


# --- PUT /v1/alerts/{id} -----------------------------------------------------------------------------


def test_put_is_partial_and_returns_the_whole_alert(
    api: ApiClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an alert created at 12:00
    freeze_clock(monkeypatch, datetime(2026, 2, 14, 12, 0, tzinfo=UTC))
    alert = create(api, token, body_for("email", cooldownMinutes=5, monitorId="mon_abc123"))
    # When the seed's example update is sent at 13:00
    freeze_clock(monkeypatch, datetime(2026, 2, 14, 13, 0, tzinfo=UTC))
    update = {"name": "Updated Alert Name", "cooldownMinutes": 10, "notifyOnRecovery": False}
    response = api.put(f"/v1/alerts/{alert['id']}", update, token=token)
    # Then those fields change, the rest stay, updatedAt moves and createdAt does not
    assert response.status == 200, response.text
    updated = response.json()
    assert_alert_shape(updated)
    assert updated == {
        **alert,
        **update,
        "updatedAt": updated["updatedAt"],
    }
    assert updated["createdAt"] == alert["createdAt"]
    assert datetime.fromisoformat(updated["updatedAt"]) == datetime(2026, 2, 14, 13, 0, tzinfo=UTC)
    # And the change is stored
    assert api.get(f"/v1/alerts/{alert['id']}", token=token).json() == updated


@pytest.mark.parametrize(
    "update",
    [
        {"name": "only name"},
        {"notifyOnRecovery": False},
        {"cooldownMinutes": 1440},
        {"cooldownMinutes": 10.0},
        {"monitorId": "mon_zzz"},
    ],
    ids=lambda u: f"{next(iter(u))}={next(iter(u.values()))!r}",
)
def test_put_changes_only_the_field_sent(api: ApiClient, token: str, update: dict[str, Any]) -> None:
    # Given an alert
    alert = create(api, token, body_for("webhook", cooldownMinutes=7, monitorId="mon_abc"))
    # When one field is sent
    updated = api.put(f"/v1/alerts/{alert['id']}", update, token=token).json()
    # Then only that field (and updatedAt) differ
    changed = {k for k in ALERT_FIELDS if updated[k] != alert[k]} - {"updatedAt"}
    assert changed == set(update)
    assert {k: updated[k] for k in update} == update


def test_put_with_an_empty_body_changes_nothing_but_updated_at(api: ApiClient, token: str) -> None:
    alert = create(api, token)
    response = api.put(f"/v1/alerts/{alert['id']}", {}, token=token)
    assert response.status == 200, response.text
    assert {k: v for k, v in response.json().items() if k != "updatedAt"} == {
        k: v for k, v in alert.items() if k != "updatedAt"
    }


def test_put_monitor_id_null_clears_it(api: ApiClient, token: str) -> None:
    # Given an alert scoped to a monitor
    alert = create(api, token, body_for("email", monitorId="mon_abc123"))
    # When monitorId is set to null
    response = api.put(f"/v1/alerts/{alert['id']}", {"monitorId": None}, token=token)
    # Then the alert applies to every monitor again
    assert response.status == 200, response.text
    assert response.json()["monitorId"] is None
    assert api.get(f"/v1/alerts/{alert['id']}", token=token).json()["monitorId"] is None


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_put_may_repeat_the_same_strategy(api: ApiClient, token: str, strategy: str) -> None:
    alert = create(api, token, MINIMAL[strategy])
    response = api.put(f"/v1/alerts/{alert['id']}", {"strategy": strategy, "name": "same"}, token=token)
    assert response.status == 200, response.text
    assert response.json()["strategy"] == strategy
    assert response.json()["name"] == "same"


@pytest.mark.parametrize(("before", "after"), [("email", "webhook"), ("slack", "discord"), ("discord", "slack")])
def test_put_cannot_change_the_strategy(api: ApiClient, token: str, before: str, after: str) -> None:
    # Given an alert of one strategy
    alert = create(api, token, MINIMAL[before])
    # When another strategy is sent (with a valid setting of it)
    update = {k: v for k, v in MINIMAL[after].items() if k != "name"}
    response = api.put(f"/v1/alerts/{alert['id']}", {**update, "name": "changed"}, token=token)
    # Then 400 and the alert is unchanged
    assert "strategy" in assert_error(response, 400, "VALIDATION_ERROR")
    assert api.get(f"/v1/alerts/{alert['id']}", token=token).json() == alert


@pytest.mark.parametrize(
    ("strategy", "foreign"),
    [
        ("email", {"url": "https://example.com/h"}),
        ("email", {"webhookUrl": "https://example.com/h"}),
        ("webhook", {"email": "a@example.com"}),
        ("webhook", {"channel": "#x"}),
        ("slack", {"secret": "s3cret"}),
        ("slack", {"subjectPrefix": "[x]"}),
        ("discord", {"channel": "#x"}),
        ("discord", {"url": "https://example.com/h"}),
    ],
    ids=lambda v: str(v)[:30],
)
def test_put_rejects_a_field_of_another_strategy(
    api: ApiClient, token: str, strategy: str, foreign: dict[str, Any]
) -> None:
    alert = create(api, token, MINIMAL[strategy])
    response = api.put(f"/v1/alerts/{alert['id']}", {"name": "changed", **foreign}, token=token)
    assert_error(response, 400, "VALIDATION_ERROR")
    assert api.get(f"/v1/alerts/{alert['id']}", token=token).json() == alert


@pytest.mark.parametrize(
    ("strategy", "update", "message"),
    [
        ("email", {"url": "https://example.com/h"}, "url: not a field of the email strategy"),
        (
            "discord",
            {"channel": "#x", "webhookUrl": "https://example.com/h"},
            "channel: not a field of the discord strategy",
        ),
        ("email", {"email": "b@example.com", "url": "https://example.com/h"}, "url: not a field of the email strategy"),
        ("slack", {"strategy": "discord"}, "strategy cannot be changed"),
        ("slack", {"strategy": "email", "email": "b@example.com"}, "strategy cannot be changed"),
    ],
    ids=["foreign", "shared-field-plus-foreign", "no-strategy-has-both", "strategy", "strategy-and-its-field"],
)
def test_put_names_the_stored_strategy_in_its_error(
    api: ApiClient, token: str, strategy: str, update: dict[str, Any], message: str
) -> None:
    alert = create(api, token, MINIMAL[strategy])
    response = api.put(f"/v1/alerts/{alert['id']}", update, token=token)
    assert assert_error(response, 400, "VALIDATION_ERROR") == message
    assert api.get(f"/v1/alerts/{alert['id']}", token=token).json() == alert


def test_put_of_another_orgs_alert_is_404_whatever_the_body(api: ApiClient, token: str) -> None:
    response = api.put("/v1/alerts/alt_doesNotExist1", {"url": "https://example.com/h"}, token=token)
    assert_error(response, 404, "NOT_FOUND")


INVALID_UPDATES: list[tuple[str, str, dict[str, Any]]] = [
    ("name null", "email", {"name": None}),
    ("name empty", "email", {"name": ""}),
    ("name 101 chars", "email", {"name": "n" * 101}),
    ("strategy null", "email", {"strategy": None}),
    ("strategy unknown", "email", {"strategy": "sms"}),
    ("notifyOnRecovery null", "email", {"notifyOnRecovery": None}),
    ("notifyOnRecovery a string", "email", {"notifyOnRecovery": "false"}),
    ("cooldownMinutes null", "email", {"cooldownMinutes": None}),
    ("cooldownMinutes -1", "email", {"cooldownMinutes": -1}),
    ("cooldownMinutes 1441", "email", {"cooldownMinutes": 1441}),
    ("cooldownMinutes a string", "email", {"cooldownMinutes": "10"}),
    ("cooldownMinutes a fraction", "email", {"cooldownMinutes": 10.5}),
    ("monitorId bad pattern", "email", {"monitorId": "monitor-1"}),
    ("email not an address", "email", {"email": "nope"}),
    ("email null", "email", {"email": None}),
    ("subjectPrefix 51 chars", "email", {"subjectPrefix": "p" * 51}),
    ("url not a uri", "webhook", {"url": "nope"}),
    ("url null", "webhook", {"url": None}),
    ("secret a number", "webhook", {"secret": 5}),
    ("slack webhookUrl not a uri", "slack", {"webhookUrl": "nope"}),
    ("discord webhookUrl null", "discord", {"webhookUrl": None}),
    ("valid change with a bad one", "email", {"name": "fine", "cooldownMinutes": 99999}),
]


@pytest.mark.parametrize(("case", "strategy", "update"), INVALID_UPDATES, ids=[c for c, _, _ in INVALID_UPDATES])
def test_put_rejects_an_invalid_body_and_changes_nothing(
    api: ApiClient, token: str, org_id: str, case: str, strategy: str, update: dict[str, Any]
) -> None:
    # Given an alert
    alert = create(api, token, BODIES[strategy])
    before = raw_alert_item(org_id, alert["id"])
    # When an invalid update is sent
    response = api.put(f"/v1/alerts/{alert['id']}", update, token=token)
    # Then 400 and the stored alert is untouched
    assert_error(response, 400, "VALIDATION_ERROR")
    assert raw_alert_item(org_id, alert["id"]) == before


@pytest.mark.parametrize("raw", ['{"name": ', '[{"name": "x"}]', '"x"', "null"], ids=repr)
def test_put_rejects_malformed_or_non_object_json(api: ApiClient, token: str, org_id: str, raw: str) -> None:
    alert = create(api, token)
    before = raw_alert_item(org_id, alert["id"])
    response = api.put(f"/v1/alerts/{alert['id']}", token=token, raw_body=raw)
    assert_error(response, 400, "VALIDATION_ERROR")
    assert raw_alert_item(org_id, alert["id"]) == before


def test_put_unknown_id_is_404(api: ApiClient, token: str) -> None:
    assert_error(api.put("/v1/alerts/alt_missing", {"name": "x"}, token=token), 404, "NOT_FOUND")
    assert listed(api, token) == []


def test_put_replaces_a_secret_encrypted_and_keeps_the_others(api: ApiClient, token: str, org_id: str) -> None:
    # Given a webhook alert with a URL and a secret
    alert = create(api, token, BODIES["webhook"])
    new_url = "https://events.pagerduty.com/new-hook-plaintext"
    # When only its URL is replaced, at the same origin (another origin drops the secret: issue 15)
    response = api.put(f"/v1/alerts/{alert['id']}", {"url": new_url}, token=token)
    # Then the new URL is stored encrypted and the secret is kept
    assert response.status == 200, response.text
    assert new_url not in response.text
    item = raw_alert_item(org_id, alert["id"])
    assert new_url not in json.dumps(item, default=str)
    assert secrets.unseal(org_id, dict(item["sealed"])) == {"url": new_url, "secret": WEBHOOK_SECRET}


def test_put_updates_plain_settings_of_the_strategy(api: ApiClient, token: str, org_id: str) -> None:
    # Given an email alert
    alert = create(api, token, BODIES["email"])
    # When its address and prefix change
    response = api.put(f"/v1/alerts/{alert['id']}", {"email": "new@example.com", "subjectPrefix": "[New]"}, token=token)
    # Then they are stored (and still not returned)
    assert response.status == 200, response.text
    assert not NEVER_RETURNED & set(response.json())
    assert raw_alert_item(org_id, alert["id"])["config"] == {"email": "new@example.com", "subjectPrefix": "[New]"}


# --- DELETE /v1/alerts/{id} --------------------------------------------------------------------------


def test_delete_answers_204_with_no_body_and_the_alert_is_gone(api: ApiClient, token: str) -> None:
    # Given two alerts
    doomed = create(api, token)
    kept = create(api, token)
    # When one is deleted
    response = api.delete(f"/v1/alerts/{doomed['id']}", token=token)
    # Then 204 with an empty body; it answers 404 since and the other stays
    assert response.status == 204
    assert response.text == ""
    assert_error(api.get(f"/v1/alerts/{doomed['id']}", token=token), 404, "NOT_FOUND")
    assert listed(api, token) == [kept]


def test_delete_twice_is_404_the_second_time(api: ApiClient, token: str) -> None:
    alert = create(api, token)
    assert api.delete(f"/v1/alerts/{alert['id']}", token=token).status == 204
    assert_error(api.delete(f"/v1/alerts/{alert['id']}", token=token), 404, "NOT_FOUND")


def test_delete_unknown_id_is_404(api: ApiClient, token: str) -> None:
    existing = create(api, token)
    assert_error(api.delete("/v1/alerts/alt_missing", token=token), 404, "NOT_FOUND")
    assert listed(api, token) == [existing]


# --- limit of 10 per team ----------------------------------------------------------------------------


def test_the_eleventh_alert_is_refused_with_409(api: ApiClient, token: str) -> None:
    # Given ten alerts
    for n in range(10):
        create(api, token, body_for(STRATEGIES[n % 4], name=f"alert {n}"))
    # When an eleventh is created
    response = api.post("/v1/alerts", MINIMAL["email"], token=token)
    # Then 409 LIMIT_EXCEEDED and there are still ten
    assert_error(response, 409, "LIMIT_EXCEEDED")
    assert len(listed(api, token)) == 10


def test_deleting_an_alert_frees_a_slot(api: ApiClient, token: str) -> None:
    # Given a team at its limit
    created = [create(api, token) for _ in range(10)]
    assert api.post("/v1/alerts", MINIMAL["email"], token=token).status == 409
    # When one alert is deleted
    assert api.delete(f"/v1/alerts/{created[0]['id']}", token=token).status == 204
    # Then exactly one more can be created
    create(api, token)
    assert_error(api.post("/v1/alerts", MINIMAL["email"], token=token), 409, "LIMIT_EXCEEDED")
    assert len(listed(api, token)) == 10


def test_refused_creates_do_not_use_up_slots(api: ApiClient, token: str) -> None:
    # Given nine alerts
    for _ in range(9):
        create(api, token)
    # When invalid, unauthorized and forbidden creates are attempted
    api.post("/v1/alerts", body_for("email", cooldownMinutes=-5), token=token)
    api.post("/v1/alerts", token=token, raw_body="{")
    api.post("/v1/alerts", MINIMAL["email"])
    # Then the tenth still fits
    create(api, token)
    assert len(listed(api, token)) == 10


def test_failed_deletes_do_not_free_slots(api: ApiClient, token: str) -> None:
    # Given a team at its limit
    for _ in range(10):
        create(api, token)
    # When deletes of unknown ids fail
    for _ in range(3):
        assert api.delete("/v1/alerts/alt_missing", token=token).status == 404
    # Then the team is still at its limit
    assert_error(api.post("/v1/alerts", MINIMAL["email"], token=token), 409, "LIMIT_EXCEEDED")


def test_the_limit_is_per_team(api: ApiClient, token: str, other_org_token: str) -> None:
    # Given one team at its limit
    for _ in range(10):
        create(api, token)
    # When another team creates an alert
    # Then it succeeds
    create(api, other_org_token)
