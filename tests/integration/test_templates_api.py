"""/v1/templates on moto: save (validated), read, list, delete, per-destination overrides, scopes, preview."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import module_env
from tests.support.apigw import ApiClient
from tests.support.receiver import Receiver

module_aws, aws_env, module_api, api = module_env.module_aws, module_env.aws_env, module_env.module_api, module_env.api

EVENT = {"status": "triggered", "title": "db <down>", "severity": "warning", "labels": {"env": "prod"}}
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def error_message(answer: Any) -> str:
    return str(answer.json()["error"]["message"])


def webhook_alert(api: ApiClient, token: str, url: str) -> str:
    body = {"name": "hook", "strategy": "webhook", "url": url, "secret": SECRET}
    answer = api.post("/v1/alerts", body, token=token)
    assert answer.status == 201, answer.text
    return str(answer.json()["id"])


def test_kind_template_round_trip(api: ApiClient, token: str) -> None:
    saved = api.put("/v1/templates/slack", {"title": "{{ title }}", "text": "*{{ severity }}*"}, token=token)
    assert saved.status == 200, saved.text
    assert saved.json()["kind"] == "slack" and saved.json()["destinationRef"] is None
    got = api.get("/v1/templates/slack", token=token).json()
    assert got["title"] == "{{ title }}" and got["text"] == "*{{ severity }}*" and got["body"] is None
    listed = api.get("/v1/templates", token=token).json()["templates"]
    assert [(t["kind"], t["destinationRef"]) for t in listed] == [("slack", None)]
    assert api.delete("/v1/templates/slack", token=token).status == 204
    gone = api.get("/v1/templates/slack", token=token)
    assert gone.status == 404 and error_message(gone) == "Template not found"
    assert api.delete("/v1/templates/slack", token=token).status == 404


@pytest.mark.parametrize(
    ("kind", "template", "message"),
    [
        ("slack", {"text": "ok\n{{ ''.__class__ }}"}, "text, line 2: not allowed: access to attribute '__class__'"),
        ("slack", {"title": "{{ title | shout }}"}, "title, line 1: No filter named 'shout'"),
        ("email", {"text": "a\nb\n{% if %}"}, "text, line 3: syntax error"),
        ("webhook", {"body": '{"t": {{ title }}}'}, "body, line 1: does not render to valid JSON"),
        ("slack", {"body": "{}"}, "body: only webhook and http templates have a body"),
        ("sms", {}, "a template needs at least one of title, text and body"),
    ],
)
def test_invalid_templates_answer_400_naming_line_and_reason(
    api: ApiClient, token: str, kind: str, template: dict[str, str], message: str
) -> None:
    answer = api.put(f"/v1/templates/{kind}", template, token=token)
    assert answer.status == 400, answer.text
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert message in error_message(answer)
    assert api.get(f"/v1/templates/{kind}", token=token).status == 404  # nothing was saved


def test_unknown_kind_and_bad_refs(api: ApiClient, token: str) -> None:
    assert api.put("/v1/templates/fax", {"text": "x"}, token=token).status == 400
    assert api.put("/v1/templates/slack/nowhere:1", {"text": "x"}, token=token).status == 400
    missing = api.put("/v1/templates/slack/uptime:alt_missing", {"text": "x"}, token=token)
    assert missing.status == 404 and "uptime:alt_missing" in error_message(missing)


def test_destination_override_is_stored_beside_the_kind_template(api: ApiClient, token: str) -> None:
    alert_id = webhook_alert(api, token, "https://example.com/hook")
    ref = f"uptime:{alert_id}"
    assert api.put("/v1/templates/webhook", {"body": '{"kind": true}'}, token=token).status == 200
    saved = api.put(f"/v1/templates/webhook/{ref}", {"body": '{"own": "{{ destination.name }}"}'}, token=token)
    assert saved.status == 200, saved.text
    assert api.get(f"/v1/templates/webhook/{ref}", token=token).json()["destinationRef"] == ref
    listed = api.get("/v1/templates", token=token).json()["templates"]
    assert [(t["kind"], t["destinationRef"]) for t in listed] == [("webhook", None), ("webhook", ref)]
    preview = api.post(
        "/v1/templates/preview", {"kind": "webhook", "destinationRef": ref, "event": EVENT}, token=token
    ).json()
    assert json.loads(preview["body"]) == {"own": "hook"}  # the destination's own template wins
    assert api.delete(f"/v1/templates/webhook/{ref}", token=token).status == 204
    preview = api.post(
        "/v1/templates/preview", {"kind": "webhook", "destinationRef": ref, "event": EVENT}, token=token
    ).json()
    assert json.loads(preview["body"]) == {"kind": True}


def test_scopes(api: ApiClient, org_id: str, make_token: Callable[..., str]) -> None:
    reader = make_token(org_id, ["templates:read"])
    other = make_token(org_id, ["events:read"])
    denied = api.put("/v1/templates/slack", {"text": "x"}, token=reader)
    assert denied.status == 403 and "templates:write" in error_message(denied)
    assert api.get("/v1/templates", token=reader).status == 200
    assert api.get("/v1/templates", token=other).status == 403
    assert api.post("/v1/templates/preview", {"kind": "sms", "event": EVENT}, token=other).status == 403
    assert api.get("/v1/templates", token=None).status == 401


def test_templates_are_per_org(api: ApiClient, token: str, make_token: Callable[..., str]) -> None:
    assert api.put("/v1/templates/sms", {"text": "mine"}, token=token).status == 200
    stranger = make_token("ffeeddccbbaa9988")
    assert api.get("/v1/templates/sms", token=stranger).status == 404
    assert api.get("/v1/templates", token=stranger).json() == {"templates": []}


def test_preview_is_the_provider_request_with_secrets_masked_and_sends_nothing(
    api: ApiClient, token: str, receiver: Receiver
) -> None:
    alert_id = webhook_alert(api, token, receiver.url("/secret-path?sig=abc123"))
    body = {
        "kind": "webhook",
        "destinationRef": f"uptime:{alert_id}",
        "template": {"body": '{"text": "{{ title }} on {{ labels.env }}"}'},
        "event": EVENT,
    }
    answer = api.post("/v1/templates/preview", body, token=token)
    assert answer.status == 200, answer.text
    preview = answer.json()
    assert preview["method"] == "POST"
    assert preview["url"] == f"http://127.0.0.1:{receiver.port}/***"
    assert preview["body"] == '{"text": "db <down> on prod"}'
    assert preview["headers"]["webhook-id"] == "msg_preview"
    assert preview["headers"]["webhook-signature"].startswith("v1,")
    assert SECRET not in answer.text and "secret-path" not in answer.text
    assert receiver.received == []


def test_preview_without_template_shows_herald_wording_for_each_kind(api: ApiClient, token: str) -> None:
    for kind in ("slack", "discord", "teams", "telegram", "pagerduty", "webhook", "http", "email", "sms"):
        answer = api.post("/v1/templates/preview", {"kind": kind, "event": EVENT}, token=token)
        assert answer.status == 200, (kind, answer.text)
        preview = answer.json()
        assert preview["method"] == "POST" and preview["body"], kind
        assert "db" in preview["body"], kind
    voice = api.post("/v1/templates/preview", {"kind": "voice", "event": EVENT}, token=token)
    assert voice.status == 400 and "voice calls are not configured" in error_message(voice)  # as a delivery would fail
    telegram = api.post("/v1/templates/preview", {"kind": "telegram", "event": EVENT}, token=token).json()
    assert telegram["url"].endswith("/bot***/sendMessage")


def test_preview_refuses_a_destination_of_another_kind_and_a_broken_template(api: ApiClient, token: str) -> None:
    alert_id = webhook_alert(api, token, "https://example.com/hook")
    wrong = api.post(
        "/v1/templates/preview", {"kind": "slack", "destinationRef": f"uptime:{alert_id}", "event": EVENT}, token=token
    )
    assert wrong.status == 400 and "is a webhook destination" in error_message(wrong)
    broken = api.post(
        "/v1/templates/preview", {"kind": "slack", "template": {"text": "{{ x.y.z }}"}, "event": EVENT}, token=token
    )
    assert broken.status == 400 and "line 1" in error_message(broken)


def test_grafanas_test_route_words_its_notification_with_the_kinds_template(
    api: ApiClient, token: str, receiver: Receiver
) -> None:
    template = {"body": '{"grafana test": "{{ title }}", "labels": {{ labels | tojson }}}'}
    assert api.put("/v1/templates/webhook", template, token=token).status == 200
    preview = api.post("/v1/templates/preview", {"kind": "webhook", "event": EVENT}, token=token).json()
    assert json.loads(preview["body"])["grafana test"] == "db <down>"
    body = {"type": "webhook", "settings": {"url": receiver.url("/grafana")}}
    assert api.post("/api/alert-notifications/test", body, token=token).status == 200
    (request,) = receiver.requests("/grafana")
    assert request.json() == {"grafana test": "Test notification", "labels": {"source": "herald-test"}}
