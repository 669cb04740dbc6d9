"""The API models of the uptime alerts seed and of Herald's event API, on their own (no AWS)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from herald import settings
from herald.families.uptime.wire import (
    SECRET_FIELDS,
    STRATEGY_FIELDS,
    Alert,
    AlertCreate,
    AlertEvent,
    AlertUpdate,
    DiscordAlertCreate,
    EmailAlertCreate,
    SlackAlertCreate,
    WebhookAlertCreate,
)
from herald.models.events import Event, EventIn, Targets

SEED_ALERT_FIELDS = {
    "id",
    "name",
    "strategy",
    "notifyOnRecovery",
    "cooldownMinutes",
    "monitorId",
    "createdAt",
    "updatedAt",
}
SEED_HISTORY_FIELDS = {"id", "alertId", "monitorId", "type", "status", "createdAt"}
CREATE = TypeAdapter(AlertCreate)

MINIMAL: dict[str, dict[str, Any]] = {
    "email": {"name": "e", "strategy": "email", "email": "ops@example.com"},
    "webhook": {"name": "w", "strategy": "webhook", "url": "https://example.com/hook"},
    "slack": {"name": "s", "strategy": "slack", "webhookUrl": "https://hooks.slack.com/services/x"},
    "discord": {"name": "d", "strategy": "discord", "webhookUrl": "https://discord.com/api/webhooks/1/x"},
}


@pytest.fixture(autouse=True)
def guard_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings as a deployed function has them: private targets refused."""
    monkeypatch.setenv("TABLE_NAME", "herald-unit")
    monkeypatch.delenv("HERALD_ALLOW_PRIVATE_TARGETS", raising=False)
    settings.get_settings.cache_clear()
    yield
    settings.get_settings.cache_clear()


def create(**body: Any) -> Any:
    return CREATE.validate_python(body)


def error_types(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {str(detail["type"]) for detail in error.value.errors()}


# --- AlertCreate: the discriminated union -----------------------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "model"),
    [
        ("email", EmailAlertCreate),
        ("webhook", WebhookAlertCreate),
        ("slack", SlackAlertCreate),
        ("discord", DiscordAlertCreate),
    ],
)
def test_the_strategy_picks_the_model(strategy: str, model: type[BaseModel]) -> None:
    alert = create(**MINIMAL[strategy])
    assert type(alert) is model
    assert alert.model_dump()["strategy"] == strategy


@pytest.mark.parametrize("strategy", list(MINIMAL))
def test_create_defaults(strategy: str) -> None:
    alert = create(**MINIMAL[strategy])
    assert alert.notifyOnRecovery is True
    assert alert.cooldownMinutes == 0
    assert alert.monitorId is None


def test_an_unknown_strategy_is_refused_as_such() -> None:
    with pytest.raises(ValidationError) as error:
        create(name="x", strategy="sms", email="a@example.com")
    assert error_types(error) == {"union_tag_invalid"}


def test_a_missing_strategy_is_refused_as_such() -> None:
    with pytest.raises(ValidationError) as error:
        create(name="x", email="a@example.com")
    assert error_types(error) == {"union_tag_not_found"}


@pytest.mark.parametrize(
    ("strategy", "required"),
    [("email", "email"), ("webhook", "url"), ("slack", "webhookUrl"), ("discord", "webhookUrl")],
)
def test_each_strategy_requires_its_destination(strategy: str, required: str) -> None:
    body = {k: v for k, v in MINIMAL[strategy].items() if k != required}
    with pytest.raises(ValidationError) as error:
        create(**body)
    assert [d["loc"][-1] for d in error.value.errors()] == [required]


def test_another_strategys_destination_does_not_stand_in() -> None:
    # A discord alert sent with "url" (the webhook field) still lacks its webhookUrl
    with pytest.raises(ValidationError):
        create(name="x", strategy="discord", url="https://discord.com/api/webhooks/1/x")


def test_fields_of_other_strategies_are_dropped_not_kept() -> None:
    alert = create(**MINIMAL["email"], url="https://example.com/h", channel="#x", colour="blue")
    assert set(alert.model_dump()) == {
        "name",
        "strategy",
        "email",
        "subjectPrefix",
        "notifyOnRecovery",
        "cooldownMinutes",
        "monitorId",
    }


# --- AlertCreate: limits and strictness ---------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "x"},
        {"name": "n" * 100},
        {"cooldownMinutes": 0},
        {"cooldownMinutes": 1440},
        {"subjectPrefix": "p" * 50},
        {"monitorId": "mon_a"},
        {"monitorId": "mon_ABCxyz0123456789"},
        {"email": "first.last+tag@sub.example.co.uk"},
        {"email": "o'brien@example.com"},
    ],
    ids=repr,
)
def test_values_on_the_limits_are_accepted(changes: dict[str, Any]) -> None:
    alert = create(**{**MINIMAL["email"], **changes})
    for field, value in changes.items():
        assert getattr(alert, field) == value


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": "n" * 101},
        {"name": 5},
        {"name": None},
        {"subjectPrefix": "p" * 51},
        {"cooldownMinutes": -1},
        {"cooldownMinutes": 1441},
        {"cooldownMinutes": "5"},
        {"cooldownMinutes": 5.5},
        {"cooldownMinutes": True},
        {"notifyOnRecovery": "true"},
        {"notifyOnRecovery": 1},
        {"monitorId": "abc"},
        {"monitorId": "mon_"},
        {"monitorId": "mon_a-b"},
        {"monitorId": "mon_a b"},
        {"monitorId": "mon_abc\n"},
        {"monitorId": "xmon_abc"},
        {"monitorId": "mon_é"},
        {"email": "plainaddress"},
        {"email": "a@b"},
        {"email": "a@-example.com"},
        {"email": "a b@example.com"},
        {"email": "@example.com"},
        {"email": "a@example..com"},
        {"email": "a" * 250 + "@example.com"},
    ],
    ids=repr,
)
def test_values_past_the_limits_or_of_the_wrong_type_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        create(**{**MINIMAL["email"], **changes})


@pytest.mark.parametrize(
    "url",
    ["not a url", "ftp://example.com/x", "/relative", "https://", "example.com/hook", "https://exa mple.com/"],
    ids=repr,
)
@pytest.mark.parametrize(
    ("strategy", "field"), [("webhook", "url"), ("slack", "webhookUrl"), ("discord", "webhookUrl")]
)
def test_destination_urls_must_be_absolute_http_urls(strategy: str, field: str, url: str) -> None:
    with pytest.raises(ValidationError):
        create(**{**MINIMAL[strategy], field: url})


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/hook", "http://localhost:8080/", "http://169.254.169.254/latest/meta-data", "http://10.0.0.5/"],
)
def test_private_targets_are_refused_unless_allowed(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    # Given the deployed default: refused at save time
    with pytest.raises(ValidationError):
        create(**{**MINIMAL["webhook"], "url": url})
    # When the local stack's flag is on
    monkeypatch.setenv("HERALD_ALLOW_PRIVATE_TARGETS", "1")
    settings.get_settings.cache_clear()
    # Then the same URL is accepted
    assert create(**{**MINIMAL["webhook"], "url": url}).url == url


# --- AlertUpdate ---------------------------------------------------------------------------------------


def test_update_tracks_which_fields_were_sent() -> None:
    assert AlertUpdate.model_validate({}).model_fields_set == set()
    update = AlertUpdate.model_validate({"name": "n", "monitorId": None})
    assert update.model_fields_set == {"name", "monitorId"}
    assert update.monitorId is None


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "n" * 101},
        {"cooldownMinutes": "10"},
        {"cooldownMinutes": 10.5},
        {"cooldownMinutes": 1441},
        {"notifyOnRecovery": "false"},
        {"monitorId": "monitor"},
        {"email": "nope"},
        {"subjectPrefix": "p" * 51},
        {"url": "nope"},
        {"webhookUrl": "ftp://x"},
        {"strategy": "sms"},
    ],
    ids=repr,
)
def test_update_applies_the_create_limits(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        AlertUpdate.model_validate(body)


def test_a_whole_number_is_a_json_schema_integer() -> None:
    alert = create(**{**MINIMAL["email"], "cooldownMinutes": 5.0})
    assert alert.cooldownMinutes == 5 and type(alert.cooldownMinutes) is int
    assert AlertUpdate.model_validate({"cooldownMinutes": 1440.0}).cooldownMinutes == 1440


# --- responses -----------------------------------------------------------------------------------------


def test_the_alert_response_has_exactly_the_seed_fields() -> None:
    assert set(Alert.model_fields) == SEED_ALERT_FIELDS
    assert not set(Alert.model_fields) & (SECRET_FIELDS | {"email", "subjectPrefix", "channel"})


def test_the_alert_response_checks_its_id() -> None:
    valid = {
        "id": "alt_abc123",
        "name": "n",
        "strategy": "email",
        "notifyOnRecovery": True,
        "cooldownMinutes": 0,
        "monitorId": None,
        "createdAt": "2026-02-14T10:00:00Z",
        "updatedAt": "2026-02-14T10:00:00Z",
    }
    assert Alert.model_validate(valid).id == "alt_abc123"
    with pytest.raises(ValidationError):
        Alert.model_validate({**valid, "id": "evt_abc123"})


def test_the_history_entry_has_exactly_the_seed_fields_and_values() -> None:
    assert set(AlertEvent.model_fields) == SEED_HISTORY_FIELDS
    entry = {
        "id": "evt_abc",
        "alertId": "alt_abc",
        "monitorId": "mon_abc",
        "type": "triggered",
        "status": "delivered",
        "createdAt": "2026-02-14T10:30:00Z",
    }
    AlertEvent.model_validate(entry)
    for field, bad in [("type", "acknowledged"), ("status", "sent"), ("id", "dlv_abc")]:
        with pytest.raises(ValidationError):
            AlertEvent.model_validate({**entry, field: bad})


def test_strategy_fields_and_secret_fields_agree() -> None:
    assert set(STRATEGY_FIELDS) == {"email", "webhook", "slack", "discord"}
    every_setting = set().union(*STRATEGY_FIELDS.values())
    assert SECRET_FIELDS.issubset(every_setting)
    assert {"url", "webhookUrl", "secret"} <= SECRET_FIELDS
    # Each strategy model accepts exactly its own settings
    models: list[tuple[str, type[BaseModel]]] = [
        ("email", EmailAlertCreate),
        ("webhook", WebhookAlertCreate),
        ("slack", SlackAlertCreate),
        ("discord", DiscordAlertCreate),
    ]
    for strategy, model in models:
        assert set(model.model_fields) & every_setting == STRATEGY_FIELDS[strategy]


# --- EventIn -------------------------------------------------------------------------------------------


def test_event_defaults() -> None:
    event = EventIn.model_validate({"status": "triggered", "title": "down"})
    assert event.severity == "critical"
    assert event.labels == {}
    assert event.targets is None
    assert (event.monitorId, event.service, event.message, event.url, event.dedupKey) == (None,) * 5


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "t" * 256},
        {"severity": "warning"},
        {"severity": "info"},
        {"status": "recovered"},
        {"labels": {"k": ""}},
        {"labels": {f"k{n}": "v" for n in range(64)}},
        {"url": "https://example.com/x?y=1"},
        {"monitorId": "mon_abc"},
        {"monitorId": "web-1.eu:443/health@probe"},
        {"targets": {"userIds": ["U1"], "important": True}},
    ],
    ids=lambda c: next(iter(c)),
)
def test_event_values_on_the_limits_are_accepted(changes: dict[str, Any]) -> None:
    EventIn.model_validate({"status": "triggered", "title": "down", **changes})


@pytest.mark.parametrize(
    "body",
    [
        {"title": "down"},
        {"status": "triggered"},
        {"status": "down", "title": "x"},
        {"status": "triggered", "title": ""},
        {"status": "triggered", "title": "t" * 257},
        {"status": "triggered", "title": "x", "severity": "major"},
        {"status": "triggered", "title": "x", "extra": 1},
        {"status": "triggered", "title": "x", "labels": {"a": 1}},
        {"status": "triggered", "title": "x", "labels": ["a"]},
        {"status": "triggered", "title": "x", "labels": {"": "v"}},
        {"status": "triggered", "title": "x", "labels": {f"k{n}": "v" for n in range(65)}},
        {"status": "triggered", "title": "x", "url": "ftp://example.com"},
        {"status": "triggered", "title": "x", "url": "mailto:a@example.com"},
        {"status": "triggered", "title": "x", "monitorId": "has space"},
        {"status": "triggered", "title": "x", "targets": {"users": ["U1"]}},
        {"status": "triggered", "title": "x", "targets": {"userIds": [1]}},
        {"status": "triggered", "title": "x", "targets": {"userIds": ["U"] * 51}},
        {"status": "triggered", "title": 1},
    ],
    ids=repr,
)
def test_event_bodies_past_the_limits_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EventIn.model_validate(body)


def test_event_and_targets_refuse_unknown_fields() -> None:
    assert EventIn.model_config.get("extra") == "forbid"
    assert Targets.model_config.get("extra") == "forbid"


def test_the_event_response_fields() -> None:
    assert set(Event.model_fields) == set(EventIn.model_fields) | {"id", "createdAt", "source", "links"}
