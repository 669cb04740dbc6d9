"""A custom webhook body on the local stack: what arrives at the receiver is, byte for byte, what the preview
showed (only the message id, the signature timestamp and the signature differ)."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook

from tests.e2e.conftest import LocalStack
from tests.support.receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BODY_TEMPLATE = """{
  "text": "{{ title }} is {{ status }} ({{ severity }})",
  "env": "{{ labels.env }}",
  "labels": {{ labels | tojson }},
  "to": "{{ destination.name }}",
  "message": "{{ message }}"
}"""
EVENT = {
    "monitorId": "mon_disk1",  # uptime alerts route events of a monitor
    "status": "triggered",
    "severity": "warning",
    "title": 'disk "data" <90%> full',
    "message": "line one\nline two",
    "labels": {"env": "prod", "team": "storage"},
}


def test_custom_webhook_body_arrives_as_previewed(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    alert = stack.call(
        "POST",
        "/v1/alerts",
        token,
        {"name": "storage hook", "strategy": "webhook", "url": receiver.url(), "secret": SECRET},
    )
    assert alert.status == 201, alert.body
    ref = f"uptime:{alert.json()['id']}"
    saved = stack.call("PUT", f"/v1/templates/webhook/{ref}", token, {"body": BODY_TEMPLATE})
    assert saved.status == 200, saved.body

    preview = stack.call(
        "POST", "/v1/templates/preview", token, {"kind": "webhook", "destinationRef": ref, "event": EVENT}
    )
    assert preview.status == 200, preview.body
    shown = preview.json()
    assert receiver.received == []  # a preview sends nothing

    assert stack.call("POST", "/v1/events", token, EVENT).status == 202
    [got] = receiver.wait_for(1)

    assert got.body == shown["body"].encode()  # byte for byte
    assert json.loads(got.body) == {
        "text": 'disk "data" <90%> full is triggered (warning)',
        "env": "prod",
        "labels": {"env": "prod", "team": "storage"},
        "to": "storage hook",
        "message": "line one\nline two",
    }
    assert got.method == shown["method"] and shown["url"] == f"http://127.0.0.1:{receiver.port}/***"
    sent_headers = {name.lower() for name in shown["headers"]}
    assert {"content-type", "webhook-id", "webhook-timestamp", "webhook-signature", "user-agent"} <= sent_headers
    assert got.headers["content-type"] == shown["headers"]["Content-Type"]
    Webhook(SECRET).verify(got.body, got.headers)  # the real send is signed over these bytes
    # The preview's signature is valid over the same bytes with its own id and timestamp.
    preview_headers = {k.lower(): v for k, v in shown["headers"].items()}
    Webhook(SECRET).verify(shown["body"].encode(), preview_headers)
