"""Alertmanager/Grafana and PagerDuty bodies → Herald events: the edges of the translation, without AWS."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from herald.errors import ValidationFailed
from herald.intake import alertmanager, pagerduty
from herald.intake.idempotency import fingerprint, key_from
from herald.intake.targets import targets_from


def webhook(**alert: Any) -> alertmanager.WebhookIn:
    base = {"status": "firing", "labels": {"alertname": "Disk"}, "annotations": {}, "fingerprint": "f1"}
    return alertmanager.WebhookIn.model_validate(
        {"version": "4", "receiver": "r", "status": "firing", "alerts": [{**base, **alert}], "externalURL": ""}
    )


def translate(**alert: Any) -> tuple[Any, list[Any]]:
    payload = webhook(**alert)
    return alertmanager.to_event(payload.alerts[0], payload)


def test_long_texts_are_clipped_to_herald_limits() -> None:
    event, _ = translate(annotations={"summary": "s" * 300, "description": "d" * 9000})
    assert len(event.title) == 256 and event.title.endswith("…")
    assert event.message is not None and len(event.message) == 8000


def test_labels_are_capped_and_a_monitor_id_that_is_no_reference_stays_a_label_only() -> None:
    labels = {f"k{n:03}": "v" * 2000 for n in range(70)} | {"monitorId": "not a ref!"}
    event, _ = translate(labels=labels)
    assert len(event.labels) == 64 and all(len(v) <= 1024 for v in event.labels.values())
    assert event.monitorId is None


def test_a_generator_url_that_is_not_http_is_not_a_link() -> None:
    event, links = translate(generatorURL="javascript:alert(1)")
    assert event.url is None and links == []


def test_the_label_hash_ignores_label_order() -> None:
    a = webhook(labels={"a": "1", "b": "2"}, fingerprint=None).alerts[0]
    b = webhook(labels={"b": "2", "a": "1"}, fingerprint=None).alerts[0]
    c = webhook(labels={"a": "1", "b": "3"}, fingerprint=None).alerts[0]
    assert alertmanager.dedup_key(a) == alertmanager.dedup_key(b) != alertmanager.dedup_key(c)


def test_unknown_fields_of_newer_senders_are_ignored() -> None:
    payload = webhook(ruleUID="abc", enrichments={"x": 1})
    assert payload.alerts[0].fingerprint == "f1"


def test_targets_from_later_sources_win_and_bad_ids_are_dropped() -> None:
    targets = targets_from({"userIds": "U1"}, {"userIds": "U2, U3 ,bad id", "important": "yes"})
    assert targets is not None and targets.userIds == ["U2", "U3"] and targets.important
    assert targets_from({"notificationUids": ""}) is None
    assert targets_from({}) is None


def test_pagerduty_validation_messages_name_the_field() -> None:
    error = RequestValidationError(
        [
            {"type": "missing", "loc": ("body", "routing_key"), "msg": "Field required"},
            {"type": "string_too_long", "loc": ("body", "dedup_key"), "msg": "x", "ctx": {"max_length": 255}},
            {"type": "dict_type", "loc": ("body", "payload"), "msg": "Input should be a valid dictionary"},
        ]
    )
    assert pagerduty.invalid_request_message(error).split("\n") == [
        "'routing_key' is missing or blank",
        "'dedup_key' is too long (must be at most 255 characters)",
        "'payload' is invalid: Input should be a valid dictionary",
    ]


def test_pagerduty_details_keep_the_full_summary_when_the_title_is_clipped() -> None:
    body = pagerduty.EnqueueIn.model_validate(
        {
            "routing_key": "k",
            "event_action": "trigger",
            "payload": {"summary": "x" * 600, "source": "s", "severity": "info", "custom_details": "plain text"},
        }
    )
    event = pagerduty.trigger_event(body, "d")
    assert len(event.title) == 256
    assert event.message == "x" * 600 + "\n\nplain text"


@pytest.mark.parametrize(
    ("headers", "key"),
    [({}, None), ({"Idempotency-Key": "abc"}, "abc"), ({"idempotency-key": '"abc"'}, "abc")],
)
def test_idempotency_key_forms(headers: dict[str, str], key: str | None) -> None:
    assert key_from(headers) == key


def test_idempotency_key_refuses_quotes_only() -> None:
    with pytest.raises(ValidationFailed):
        key_from({"Idempotency-Key": '""'})


def test_fingerprint_is_of_the_json_not_its_spelling() -> None:
    assert fingerprint('{"a": 1, "b": [1, 2]}') == fingerprint('{"b":[1,2],"a":1}')
    assert fingerprint('{"a": 1}') != fingerprint('{"a": 2}')
    assert fingerprint("not json") == fingerprint("not json")
