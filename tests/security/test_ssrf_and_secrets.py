"""Security proof: SSRF targets refused (at save and at send), secrets absent from responses and logs.

Each test records its figures; the run prints them under "security figures".
"""

from __future__ import annotations

import io
import json
import logging
import socket
from collections.abc import Callable
from typing import Any

import pytest

from herald import settings
from herald.data import deliveries
from herald_local.functions import LambdaContext, load_instance
from herald_local.template import Template
from tests.support.apigw import ApiClient
from tests.support.receiver import Receiver

REFUSED_AT_SAVE = [
    "http://127.0.0.1/hook",
    "http://localhost:8080/hook",
    "http://app.localhost/hook",
    "http://10.0.0.7/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[fd00::1]/hook",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/",
    "ftp://example.com/x",
]


@pytest.fixture
def private_targets_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_ALLOW_PRIVATE_TARGETS", "0")
    settings.get_settings.cache_clear()


def test_plainly_refused_targets_are_400_at_save_time(
    api: ApiClient, token: str, private_targets_refused: None, record_property: Callable[[str, Any], None]
) -> None:
    answers = {
        url: api.post("/v1/alerts", {"name": "x", "strategy": "webhook", "url": url}, token=token)
        for url in REFUSED_AT_SAVE
    }
    accepted = [url for url, answer in answers.items() if answer.status != 400]
    assert accepted == []
    assert all(a.json()["error"]["code"] == "VALIDATION_ERROR" for a in answers.values())
    assert api.get("/v1/alerts", token=token).json() == {"alerts": []}
    record_property(
        "security", f"SSRF at save: {len(REFUSED_AT_SAVE)} targets tried, all refused: {', '.join(REFUSED_AT_SAVE)}"
    )


def test_a_name_that_resolves_to_a_private_address_fails_at_send_time(
    aws_env: Any,
    api: ApiClient,
    token: str,
    private_targets_refused: None,
    monkeypatch: pytest.MonkeyPatch,
    record_property: Callable[[str, Any], None],
) -> None:
    """DNS rebinding: the name passes the save-time check, then resolves to the metadata address."""
    answer = api.post(
        "/v1/alerts", {"name": "x", "strategy": "webhook", "url": "http://rebind.example/hook"}, token=token
    )
    assert answer.status == 201
    real = socket.getaddrinfo

    def fake(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    event_id = api.post("/v1/events", {"monitorId": "mon_x", "status": "triggered", "title": "t"}, token=token).json()[
        "id"
    ]
    _run_pipeline(aws_env, event_id)

    [delivery] = api.get(f"/v1/events/{event_id}", token=token).json()["deliveries"]
    assert delivery["status"] == "failed"
    assert "169.254.169.254" in delivery["lastError"] and "not allowed" in delivery["lastError"]
    record_property("security", "SSRF at send: a name rebinding to 169.254.169.254 was refused, delivery failed")


def _run_pipeline(aws_env: Any, event_id: str) -> None:
    """Stream → fan-out → SQS → delivery, driven by hand as Lambda would."""
    import boto3
    from boto3.dynamodb.types import TypeSerializer

    from herald.data import table_keys
    from herald.data.table import table

    functions = Template().functions()
    item = table().get_item(Key=table_keys.event(event_id))["Item"]
    image = {k: TypeSerializer().serialize(v) for k, v in item.items()}
    stream = {"Records": [{"eventName": "INSERT", "dynamodb": {"NewImage": image, "SequenceNumber": "1"}}]}
    fanout = load_instance(functions["FanoutFunction"])
    assert fanout(stream, LambdaContext(functions["FanoutFunction"])) == {"batchItemFailures": []}
    sqs = boto3.client("sqs", region_name="us-east-1")
    delivery = load_instance(functions["DeliveryFunction"])
    for url in settings.get_settings().queue_urls.values():
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
        if not messages:
            continue
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m["Attributes"],
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
        delivery({"Records": records}, LambdaContext(functions["DeliveryFunction"]))


def test_secrets_never_appear_in_responses_or_logs(
    aws_env: Any,
    token: str,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    record_property: Callable[[str, Any], None],
) -> None:
    # Log everything, incoming events included (headers with the token, bodies with the secrets).
    from herald.observability import logger

    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    api = ApiClient(shared=False)  # imported now, so the functions log every event they receive
    previous = logger.log_level
    logger.setLevel("DEBUG")
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    captured = io.StringIO()
    original_stream = handler.setStream(captured)
    secret = "whsec_c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw=="
    hook = receiver.url("/private-path-token-Zq81")
    slack = "https://hooks.slack.com/services/T000/B000/slackSecretPart42"
    bodies = [
        api.post("/v1/alerts", {"name": "w", "strategy": "webhook", "url": hook, "secret": secret}, token=token),
        api.post("/v1/alerts", {"name": "s", "strategy": "slack", "webhookUrl": slack}, token=token),
    ]
    alert_id = bodies[0].json()["id"]
    bodies.append(api.put(f"/v1/alerts/{alert_id}", {"secret": secret, "url": hook}, token=token))
    bodies.append(api.get("/v1/alerts", token=token))
    bodies.append(api.get(f"/v1/alerts/{alert_id}", token=token))
    event = api.post("/v1/events", {"monitorId": "mon_s", "status": "triggered", "title": "t"}, token=token)
    bodies.append(event)
    _run_pipeline(aws_env, event.json()["id"])
    bodies.append(api.get(f"/v1/events/{event.json()['id']}", token=token))
    bodies.append(api.get(f"/v1/alerts/{alert_id}/events", token=token))
    assert len(receiver.wait_for(1, timeout=5)) == 1  # the webhook really was sent

    needles = [secret, "private-path-token-Zq81", "slackSecretPart42", token]
    handler.setStream(original_stream)
    logger.setLevel(previous)
    haystacks = [b.text for b in bodies] + [json.dumps(dict(b.headers)) for b in bodies]
    haystacks += captured.getvalue().splitlines()
    leaks = [(n, h[:120]) for n in needles for h in haystacks if n in h]
    log_lines = captured.getvalue().splitlines()
    assert len(log_lines) > 10, "the test must see the logs it searches"
    assert any("[REDACTED]" in line for line in log_lines)
    assert leaks == []
    record = deliveries.history_for_alert(alert_id, 5)
    assert record and record[0].status == "delivered"
    record_property(
        "security",
        f"secrets: {len(needles)} secret values searched in {len(bodies)} responses and "
        f"{len(haystacks) - 2 * len(bodies)} log lines, none found",
    )
