"""Teams, Telegram, PagerDuty, HTTP, SMS and voice adapters: the exact request each sends (against the
loopback receiver, moto's SNS, or botocore's Stubber for pinpoint-sms-voice-v2, which moto lacks) and
how each maps the provider's answers to delivered / retry / failed."""

from __future__ import annotations

import base64
import json
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from moto.sns.models import sns_backends

from herald import aws, clock, ids, secrets, settings
from herald.data import deliveries
from herald.data.deliveries import DeliveryRecord
from herald.delivery.enqueue import QueuedSend, send
from herald.delivery.step import QueuedMessage, deliver
from herald.senders import http, pagerduty, push, sms, teams, telegram, voice
from herald.senders.base import Target
from herald.senders.render import Notification
from herald_local.template import ACCOUNT_ID, REGION, Resolver
from tests.conftest import sqs_messages
from tests.support.receiver import Receiver, Reply


def note(**fields: Any) -> Notification:
    base: dict[str, Any] = {
        "id": "evt_1",
        "status": "triggered",
        "severity": "critical",
        "title": "checkout is down",
        "created_at": "2025-01-02T03:04:05Z",
        "message": "HTTP 503 from 3 regions",
        "monitor_id": "mon_abc",
        "service": "checkout",
        "url": "https://status.example.com/mon_abc",
        "labels": {"region": "eu-west-1"},
    }
    base.update(fields)
    return Notification(**base)


def target(config: dict[str, str] | None = None, **secret_values: str) -> Target:
    return Target("dlv_1", config or {}, dict(secret_values))


def use_setting(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    settings.get_settings.cache_clear()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- Microsoft Teams ------------------------------------------------------------------------------


def shown(block: dict[str, Any]) -> str:
    """The text a card block shows: a RichTextBlock's runs (literal) or a TextBlock's text."""
    return "".join(run["text"] for run in block["inlines"]) if "inlines" in block else str(block["text"])


def test_teams_posts_an_adaptive_card_message(aws_env: Resolver, receiver: Receiver) -> None:
    receiver.default = Reply(202, b"")
    outcome = teams.send(note(), target(url=receiver.url("/workflows/abc")))
    assert outcome.result == "delivered"
    (sent,) = receiver.requests()
    assert (sent.method, sent.path) == ("POST", "/workflows/abc")
    assert sent.headers["content-type"] == "application/json"
    body = sent.json()
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][0] == {
        "type": "RichTextBlock",
        "inlines": [
            {
                "type": "TextRun",
                "text": "[TRIGGERED] checkout is down",
                "weight": "Bolder",
                "size": "Medium",
                "color": "Attention",
            }
        ],
    }
    assert shown(card["body"][1]) == "HTTP 503 from 3 regions"
    facts = dict(shown(block).split(": ", 1) for block in card["body"][2:-1])
    assert facts == {
        "Status": "triggered",
        "Severity": "critical",
        "Monitor": "mon_abc",
        "Service": "checkout",
        "region": "eu-west-1",
    }
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open", "url": "https://status.example.com/mon_abc"}]


def test_teams_recovery_is_green(aws_env: Resolver, receiver: Receiver) -> None:
    teams.send(note(status="recovered"), target(url=receiver.url()))
    card = receiver.requests()[0].json()["attachments"][0]["content"]
    assert shown(card["body"][0]) == "[RECOVERED] checkout is down"
    assert card["body"][0]["inlines"][0]["color"] == "Good"


def test_teams_truncates_to_28_kb(aws_env: Resolver, receiver: Receiver) -> None:
    labels = {f"label{i:02d}": "v" * 900 for i in range(40)}
    outcome = teams.send(note(message='é<>"' * 30_000, labels=labels), target(url=receiver.url()))
    assert outcome.result == "delivered"
    sent = receiver.requests()[0]
    assert len(sent.body) <= 28_000
    card = sent.json()["attachments"][0]["content"]
    assert shown(card["body"][0]) == "[TRIGGERED] checkout is down"
    assert shown(card["body"][1]).endswith("…")
    assert len(shown(teams.payload(note(message="x" * 100))["attachments"][0]["content"]["body"][1])) == 100


@pytest.mark.parametrize(
    ("reply", "result", "retry_after"),
    [
        (Reply(429, b"Too many requests", {"Retry-After": "7"}), "retry", 7.0),
        (Reply(502, b"bad gateway"), "retry", None),
        (Reply(400, b"Bad payload"), "failed", None),
        (Reply(404, b"workflow gone"), "failed", None),
        (Reply(200, b""), "delivered", None),
    ],
)
def test_teams_answers(
    aws_env: Resolver, receiver: Receiver, reply: Reply, result: str, retry_after: float | None
) -> None:
    receiver.then(reply)
    outcome = teams.send(note(), target(url=receiver.url()))
    assert (outcome.result, outcome.retry_after) == (result, retry_after)


# --- Telegram ---------------------------------------------------------------------------------


@pytest.fixture
def telegram_api(aws_env: Resolver, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Receiver:
    use_setting(monkeypatch, "HERALD_TELEGRAM_API_URL", receiver.url("/tg"))
    receiver.default = Reply(200, b'{"ok":true,"result":{"message_id":1}}')
    return receiver


def test_telegram_send_message_request_is_exact(telegram_api: Receiver) -> None:
    n = note(title="a <b> & c", message="x < y && y > z", url='https://e.com/?a=1&b="2"')
    outcome = telegram.send(n, target({"chatId": "-1001234567890"}, token="123456:ABC-DEF"))
    assert outcome.result == "delivered"
    (sent,) = telegram_api.requests()
    assert (sent.method, sent.path) == ("POST", "/tg/bot123456:ABC-DEF/sendMessage")
    assert sent.headers["content-type"] == "application/json"
    body = sent.json()
    assert body == {
        "chat_id": "-1001234567890",
        "text": (
            "<b>[TRIGGERED] a &lt;b&gt; &amp; c</b>\n\n"
            "x &lt; y &amp;&amp; y &gt; z\n\n"
            "<b>Status:</b> triggered\n<b>Severity:</b> critical\n<b>Monitor:</b> mon_abc\n"
            "<b>Service:</b> checkout\n<b>region:</b> eu-west-1\n\n"
            '<a href="https://e.com/?a=1&amp;b=&quot;2&quot;">Open</a>\n\n'
            "<i>Event evt_1 at 2025-01-02T03:04:05Z</i>"
        ),
        "parse_mode": "HTML",
        "disable_web_page_preview": True,
    }


def test_telegram_text_stays_within_4096_without_breaking_entities(telegram_api: Receiver) -> None:
    telegram.send(note(message="<&>" * 5000 + "😀" * 3000), target({"chatId": "42"}, token="t"))
    text = telegram_api.requests()[0].json()["text"]
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    assert "…" in text
    assert re.findall(r"&(?!amp;|lt;|gt;|quot;|#x27;)", text) == []
    assert text.count("<b>") == text.count("</b>") and text.endswith("</i>")


def test_telegram_markdown_v2_mode(telegram_api: Receiver) -> None:
    n = note(title="db-1 is down (100%)!", message="a_b*c", url="https://e.com/x_(y)")
    telegram.send(n, target({"chatId": "42", "parseMode": "MarkdownV2"}, token="t"))
    body = telegram_api.requests()[0].json()
    assert body["parse_mode"] == "MarkdownV2"
    lines = body["text"].split("\n")
    assert lines[0] == r"*\[TRIGGERED\] db\-1 is down \(100%\)\!*"
    assert lines[2] == r"a\_b\*c"
    assert r"[Open](https://e.com/x_(y\))" in body["text"]
    assert lines[-1] == r"_Event evt\_1 at 2025\-01\-02T03:04:05Z_"


def test_markdown_v2_escaper() -> None:
    specials = "_*[]()~`>#+-=|{}.!\\"
    assert telegram.escape_markdown_v2(specials) == "".join("\\" + c for c in specials)
    assert telegram.escape_markdown_v2("plain text, 100% ok") == "plain text, 100% ok"
    assert telegram.escape_markdown_v2("a`b\\c*d", "code") == "a\\`b\\\\c*d"
    assert telegram.escape_markdown_v2("https://e.com/a_(b)\\", "link") == "https://e.com/a_(b\\)\\\\"


def test_telegram_html_escaper() -> None:
    assert telegram.escape_html('<a href="x">&amp;</a>') == '&lt;a href="x"&gt;&amp;amp;&lt;/a&gt;'


@pytest.mark.parametrize(
    ("reply", "result", "retry_after", "detail"),
    [
        (
            Reply(
                429,
                b'{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 13",'
                b'"parameters":{"retry_after":13}}',
            ),
            "retry",
            13.0,
            "HTTP 429",
        ),
        (Reply(429, b'{"ok":false}', {"Retry-After": "3"}), "retry", 3.0, "HTTP 429"),
        (Reply(502, b"Bad Gateway"), "retry", None, "HTTP 502"),
        (
            Reply(400, b'{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}'),
            "failed",
            None,
            "chat not found",
        ),
        (Reply(401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'), "failed", None, "Unauthorized"),
        (Reply(403, b'{"ok":false,"description":"Forbidden: bot was blocked by the user"}'), "failed", None, "blocked"),
        (
            Reply(
                400,
                b'{"ok":false,"description":"Bad Request: group chat was upgraded to a supergroup chat",'
                b'"parameters":{"migrate_to_chat_id":-1009876543210}}',
            ),
            "failed",
            None,
            "moved to chat -1009876543210",
        ),
        (Reply(200, b'{"ok":false,"description":"odd"}'), "failed", None, "ok=false"),
    ],
)
def test_telegram_answers(
    telegram_api: Receiver, reply: Reply, result: str, retry_after: float | None, detail: str
) -> None:
    telegram_api.then(reply)
    outcome = telegram.send(note(), target({"chatId": "42"}, token="123:secret"))
    assert (outcome.result, outcome.retry_after) == (result, retry_after)
    assert detail in outcome.detail


def test_telegram_config_errors_fail_and_the_token_never_reaches_a_detail(
    aws_env: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert telegram.send(note(), target({"chatId": "42"})).result == "failed"
    assert telegram.send(note(), target({}, token="t")).result == "failed"
    bad_mode = telegram.send(note(), target({"chatId": "42", "parseMode": "Markdown"}, token="t"))
    assert (bad_mode.result, bad_mode.detail) == ("failed", "parseMode must be one of HTML, MarkdownV2")
    use_setting(monkeypatch, "HERALD_TELEGRAM_API_URL", f"http://127.0.0.1:{closed_port()}")
    outcome = telegram.send(note(), target({"chatId": "42"}, token="999:SECRET-TOKEN"))
    assert outcome.result == "retry"
    assert "SECRET-TOKEN" not in outcome.detail


# --- PagerDuty ----------------------------------------------------------------------------------


@pytest.fixture
def pd_api(aws_env: Resolver, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Receiver:
    use_setting(monkeypatch, "HERALD_PAGERDUTY_EVENTS_URL", receiver.url("/v2/enqueue"))
    receiver.default = Reply(202, b'{"status":"success","message":"Event processed","dedup_key":"k"}')
    return receiver


ROUTING_KEY = "R0123456789abcdef0123456789abcde"


def test_pagerduty_trigger_request_is_exact(pd_api: Receiver) -> None:
    outcome = pagerduty.send(note(dedup_key="mon_abc-outage"), target(routingKey=ROUTING_KEY))
    assert outcome.result == "delivered"
    (sent,) = pd_api.requests()
    assert (sent.method, sent.path, sent.headers["content-type"]) == ("POST", "/v2/enqueue", "application/json")
    assert sent.json() == {
        "routing_key": ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": "mon_abc-outage",
        "payload": {
            "summary": "checkout is down (monitor mon_abc, service checkout)",
            "source": "checkout",
            "severity": "critical",
            "timestamp": "2025-01-02T03:04:05Z",
            "component": "mon_abc",
            "group": "checkout",
            "custom_details": {
                "eventId": "evt_1",
                "status": "triggered",
                "message": "HTTP 503 from 3 regions",
                "region": "eu-west-1",
            },
        },
        "client": "Herald",
        "links": [{"href": "https://status.example.com/mon_abc", "text": "Open"}],
    }


def test_pagerduty_resolve_uses_the_same_stable_dedup_key(pd_api: Receiver) -> None:
    pagerduty.send(note(id="evt_a"), target(routingKey=ROUTING_KEY))
    pagerduty.send(note(id="evt_b", status="recovered"), target(routingKey=ROUTING_KEY))
    pagerduty.send(note(id="evt_c", monitor_id=None), target(routingKey=ROUTING_KEY))
    trigger, resolve, by_service = (r.json() for r in pd_api.requests())
    assert trigger["event_action"] == "trigger"
    assert resolve == {"routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": "herald:monitor:mon_abc"}
    assert trigger["dedup_key"] == resolve["dedup_key"]
    assert by_service["dedup_key"] == "herald:service:checkout"
    assert pagerduty.dedup_key(note(monitor_id=None, service=None)) == "herald:event:evt_1"
    assert len(pagerduty.dedup_key(note(dedup_key="k" * 300))) <= 255


@pytest.mark.parametrize(("severity", "expected"), [("critical", "critical"), ("warning", "warning"), ("info", "info")])
def test_pagerduty_severity_mapping(pd_api: Receiver, severity: str, expected: str) -> None:
    pagerduty.send(note(severity=severity), target(routingKey=ROUTING_KEY))
    assert pd_api.requests()[0].json()["payload"]["severity"] == expected


def test_pagerduty_summary_is_at_most_1024(pd_api: Receiver) -> None:
    pagerduty.send(note(title="t" * 5000), target({"clientUrl": "https://herald.example.com"}, routingKey=ROUTING_KEY))
    body = pd_api.requests()[0].json()
    assert len(body["payload"]["summary"]) == 1024 and body["payload"]["summary"].endswith("…")
    assert body["client_url"] == "https://herald.example.com"


@pytest.mark.parametrize(
    ("reply", "result", "retry_after"),
    [
        (Reply(429, b'{"status":"throttle event"}', {"Retry-After": "20"}), "retry", 20.0),
        (Reply(429, b'{"status":"throttle event"}'), "retry", None),
        (Reply(500, b"oops"), "retry", None),
        (Reply(400, b'{"status":"invalid event","errors":["routing_key invalid"]}'), "failed", None),
        (Reply(200, b"captive portal"), "failed", None),
    ],
)
def test_pagerduty_answers(pd_api: Receiver, reply: Reply, result: str, retry_after: float | None) -> None:
    pd_api.then(reply)
    outcome = pagerduty.send(note(), target(routingKey=ROUTING_KEY))
    assert (outcome.result, outcome.retry_after) == (result, retry_after)


def test_pagerduty_without_routing_key_fails(pd_api: Receiver) -> None:
    assert pagerduty.send(note(), target()).result == "failed"
    assert pd_api.requests() == []


# --- HTTP (InfluxDB) -----------------------------------------------------------------------------


def test_http_default_post_sends_the_webhook_json(aws_env: Resolver, receiver: Receiver) -> None:
    outcome = http.send(note(), target({"method": "POST", "authMethod": "none"}, url=receiver.url("/in?x=1")))
    assert outcome.result == "delivered"
    (sent,) = receiver.requests()
    assert (sent.method, sent.path) == ("POST", "/in?x=1")
    assert sent.headers["content-type"] == "application/json"
    assert "authorization" not in sent.headers
    body = sent.json()
    assert body["type"] == "alert.triggered"
    assert body["data"]["title"] == "checkout is down" and body["data"]["labels"] == {"region": "eu-west-1"}


def test_http_basic_auth_and_extra_headers(aws_env: Resolver, receiver: Receiver) -> None:
    headers = json.dumps({"X-Team": "sre", "Authorization": "ignored", "Host": "evil.example", "Content-Type": "x/y"})
    config = {"method": "PUT", "authMethod": "basic", "headers": headers}
    outcome = http.send(note(), target(config, url=receiver.url("/put"), username="user", password="pa:ss"))
    assert outcome.result == "delivered"
    sent = receiver.requests()[0]
    assert sent.method == "PUT"
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(b"user:pa:ss").decode()
    assert sent.headers["x-team"] == "sre"
    assert sent.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert sent.headers["content-type"] == "x/y"


def test_http_bearer_get_sends_no_body(aws_env: Resolver, receiver: Receiver) -> None:
    outcome = http.send(note(), target({"method": "GET", "authMethod": "bearer"}, url=receiver.url("/g"), token="tk"))
    assert outcome.result == "delivered"
    sent = receiver.requests()[0]
    assert (sent.method, sent.body, sent.headers["authorization"]) == ("GET", b"", "Bearer tk")
    assert "content-type" not in sent.headers


def test_http_content_template(aws_env: Resolver, receiver: Receiver) -> None:
    template = (
        '{"text": {{ .headline | json }}, "sev": "{{.severity}}", '
        '"region": "{{ .labels.region }}", "zone": "{{ .labels.zone }}"}'
    )
    n = note(title='say "hi"\n')
    http.send(n, target({"method": "POST", "authMethod": "none", "contentTemplate": template}, url=receiver.url()))
    sent = receiver.requests()[0]
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {"text": '[TRIGGERED] say "hi"\n', "sev": "critical", "region": "eu-west-1", "zone": ""}
    http.send(n, target({"contentTemplate": "{{ .summary }} -> {{ .url }}"}, url=receiver.url()))
    sent = receiver.requests()[1]
    assert sent.headers["content-type"] == "text/plain; charset=utf-8"
    assert sent.body.decode() == 'say "hi"\n (monitor mon_abc, service checkout) -> https://status.example.com/mon_abc'


@pytest.mark.parametrize(
    ("config", "secret_values", "detail"),
    [
        ({"contentTemplate": "{{ .nope }}"}, {}, "contentTemplate names unknown fields: nope"),
        ({"headers": "not json"}, {}, "headers must be a JSON object of strings"),
        ({"headers": '{"X-A": 1}'}, {}, "headers must be a JSON object of strings"),
        ({"headers": '{"X-A": "a\\r\\nX-B: b"}'}, {}, "invalid header"),
        ({"authMethod": "basic"}, {"username": "u"}, "invalid http username/password for basic auth"),
        ({"authMethod": "bearer"}, {}, "invalid http token for bearer auth"),
        ({"authMethod": "digest"}, {}, "invalid http auth method"),
        ({"method": "DELETE"}, {}, "invalid http method"),
    ],
)
def test_http_config_errors_fail_without_sending(
    aws_env: Resolver, receiver: Receiver, config: dict[str, str], secret_values: dict[str, str], detail: str
) -> None:
    outcome = http.send(note(), target(config, url=receiver.url(), **secret_values))
    assert outcome.result == "failed"
    assert detail in outcome.detail
    assert receiver.requests() == []


def test_http_unknown_fields_for_validation_at_save_time() -> None:
    assert http.unknown_fields("{{ .title }} {{ .labels.any }} {{ .bogus | json }} {{.other}}") == ["bogus", "other"]


@pytest.mark.parametrize(
    ("reply", "result", "retry_after"),
    [
        (Reply(204, b""), "delivered", None),
        (Reply(503, b"", {"Retry-After": "4"}), "retry", 4.0),
        (Reply(408, b""), "retry", None),
        (Reply(404, b"no"), "failed", None),
    ],
)
def test_http_answers(
    aws_env: Resolver, receiver: Receiver, reply: Reply, result: str, retry_after: float | None
) -> None:
    receiver.then(reply)
    outcome = http.send(note(), target(url=receiver.url()))
    assert (outcome.result, outcome.retry_after) == (result, retry_after)


# --- SMS (SNS on moto) ---------------------------------------------------------------------------


def sms_sent() -> list[tuple[str, str]]:
    return list(sns_backends[ACCOUNT_ID][REGION].sms_messages.values())


def test_sms_publishes_to_the_number(aws_env: Resolver) -> None:
    outcome = sms.send(note(), target({"phoneNumber": "+15551234567"}))
    assert outcome.result == "delivered" and outcome.detail.startswith("SNS message ")
    assert sms_sent() == [
        (
            "+15551234567",
            "[TRIGGERED] checkout is down\nMonitor mon_abc, service checkout\nHTTP 503 from 3 regions\n"
            "https://status.example.com/mon_abc",
        )
    ]


def test_sms_is_truncated_to_1600(aws_env: Resolver) -> None:
    assert sms.send(note(message="m" * 5000), target({"phoneNumber": "+447700900123"})).result == "delivered"
    ((_, text),) = sms_sent()
    assert len(text) == 1600 and text.endswith("…")


@pytest.mark.parametrize(
    "number", ["", "5551234567", "+05551234567", "+1", "+1234567890123456", "+1 555 123", "+1-555"]
)
def test_sms_refuses_numbers_not_in_e164(aws_env: Resolver, number: str) -> None:
    outcome = sms.send(note(), target({"phoneNumber": number}))
    assert outcome.result == "failed" and "E.164" in outcome.detail
    assert sms_sent() == []


def test_e164_pattern() -> None:
    assert sms.is_e164("+12") and sms.is_e164("+123456789012345")
    assert not sms.is_e164("+1234567890123456") and not sms.is_e164("+15551234567\n")


def test_sms_throttling_is_retried_and_bad_parameters_fail(aws_env: Resolver) -> None:
    sns = aws.client("sns")
    with Stubber(sns) as stub:
        stub.add_client_error("publish", "Throttling", "Rate exceeded", 400)
        stub.add_client_error("publish", "InvalidParameter", "Invalid parameter: PhoneNumber", 400)
        stub.add_client_error("publish", "InternalError", "oops", 500)
        results = [sms.send(note(), target({"phoneNumber": "+15551234567"})).result for _ in range(3)]
    assert results == ["retry", "failed", "retry"]


# --- Voice (pinpoint-sms-voice-v2 through botocore's Stubber: moto has no backend for it) --------------


@pytest.fixture
def voice_client(aws_env: Resolver, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    use_setting(monkeypatch, "HERALD_VOICE_ORIGINATION", "phone-1234567890abcdef")
    with Stubber(aws.client("pinpoint-sms-voice-v2")) as stub:
        yield stub
        stub.assert_no_pending_responses()


def test_voice_sends_ssml_from_the_origination_identity(voice_client: Stubber) -> None:
    n = note(title="db & cache <primary>")
    expected = {
        "DestinationPhoneNumber": "+15551234567",
        "OriginationIdentity": "phone-1234567890abcdef",
        "MessageBody": voice.ssml(n),
        "MessageBodyTextType": "SSML",
        "VoiceId": "MATTHEW",
    }
    voice_client.add_response("send_voice_message", {"MessageId": "m-1"}, expected)
    outcome = voice.send(n, target({"phoneNumber": "+15551234567", "voiceId": "matthew"}))
    assert (outcome.result, outcome.detail) == ("delivered", "voice message m-1")
    spoken = (
        "Herald critical alert. db &amp; cache &lt;primary&gt; is triggered. "
        "Monitor mon_abc, service checkout. HTTP 503 from 3 regions."
    )
    assert expected["MessageBody"] == f'<speak>{spoken}<break time="1s"/>I repeat. {spoken}</speak>'


def test_voice_defaults_to_joanna(voice_client: Stubber) -> None:
    voice_client.add_response(
        "send_voice_message",
        {"MessageId": "m-2"},
        {
            "DestinationPhoneNumber": "+15551234567",
            "OriginationIdentity": "phone-1234567890abcdef",
            "MessageBody": voice.ssml(note(status="recovered")),
            "MessageBodyTextType": "SSML",
            "VoiceId": "JOANNA",
        },
    )
    assert voice.send(note(status="recovered"), target({"phoneNumber": "+15551234567"})).result == "delivered"
    assert "has recovered" in voice.ssml(note(status="recovered"))


def test_voice_message_body_is_at_most_6000_and_well_formed() -> None:
    body = voice.ssml(note(message="&<>" * 10_000))
    assert len(body) <= 6000
    assert ET.fromstring(body).tag == "speak"  # noqa: S314 - our own output, checked to be well-formed
    assert "…" in body


@pytest.mark.parametrize(
    ("code", "status", "result"),
    [
        ("ThrottlingException", 400, "retry"),
        ("InternalServerException", 500, "retry"),
        ("ValidationException", 400, "failed"),
        ("ConflictException", 400, "failed"),
        ("AccessDeniedException", 403, "failed"),
    ],
)
def test_voice_errors(voice_client: Stubber, code: str, status: int, result: str) -> None:
    voice_client.add_client_error("send_voice_message", code, "nope", status)
    assert voice.send(note(), target({"phoneNumber": "+15551234567"})).result == result


def test_voice_config_errors_fail_without_a_call(voice_client: Stubber, monkeypatch: pytest.MonkeyPatch) -> None:
    assert voice.send(note(), target({"phoneNumber": "555"})).result == "failed"
    bad_voice = voice.send(note(), target({"phoneNumber": "+15551234567", "voiceId": "HAL9000"}))
    assert bad_voice.result == "failed" and "invalid voice request" in bad_voice.detail
    use_setting(monkeypatch, "HERALD_VOICE_ORIGINATION", "")
    unconfigured = voice.send(note(), target({"phoneNumber": "+15551234567"}))
    assert unconfigured.result == "failed" and "HERALD_VOICE_ORIGINATION" in unconfigured.detail


# --- Through the pipeline: record → the kind's own queue → delivery function → provider -------------


@pytest.mark.parametrize(
    ("kind", "config", "secret_values", "path"),
    [
        ("teams", {}, {"url": "/teams"}, "/teams"),
        ("telegram", {"chatId": "42"}, {"token": "1:tok"}, "/bot1:tok/sendMessage"),
        ("pagerduty", {}, {"routingKey": ROUTING_KEY}, "/v2/enqueue"),
        ("http", {"method": "PUT", "authMethod": "bearer"}, {"url": "/http", "token": "tk"}, "/http"),
    ],
)
def test_each_kind_is_queued_on_its_own_queue_and_delivered(
    aws_env: Resolver,
    org_id: str,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    config: dict[str, str],
    secret_values: dict[str, str],
    path: str,
) -> None:
    monkeypatch.setenv("HERALD_TELEGRAM_API_URL", receiver.url(""))
    use_setting(monkeypatch, "HERALD_PAGERDUTY_EVENTS_URL", receiver.url("/v2/enqueue"))
    receiver.default = Reply(202 if kind != "telegram" else 200, b'{"ok":true}')
    plain = {k: receiver.url(v) if k == "url" else v for k, v in secret_values.items()}
    event_id = ids.event_id()
    record = DeliveryRecord(
        id=ids.delivery_id(event_id, f"test:{kind}"),
        event_id=event_id,
        org_id=org_id,
        kind=kind,
        family="test",
        destination_id=kind,
        destination_name=kind,
        config=config,
        sealed=secrets.seal(org_id, plain),
        message={
            "id": event_id,
            "status": "triggered",
            "severity": "critical",
            "title": "down",
            "createdAt": clock.iso(),
        },
        created_at=clock.iso(),
        updated_at=clock.iso(),
    )
    assert deliveries.put_if_absent(record)
    assert send([QueuedSend(kind, event_id, record.id, "1")]) == set()
    queue_url = aws_env.environment()[f"QUEUE_URL_{kind.upper()}"]
    (message,) = sqs_messages(queue_url)
    assert json.loads(message["Body"]) == {"eventId": event_id, "deliveryId": record.id}
    queued = QueuedMessage.parse(message["Body"], 1, message["ReceiptHandle"], queue_url)
    assert deliver(queued) == "delivered"
    assert [r.path for r in receiver.requests()] == [path]
    stored = deliveries.get(event_id, record.id)
    assert stored is not None and stored.status == "delivered"
    assert deliver(queued) == "skipped"
    assert len(receiver.requests()) == 1


# --- OnCall mobile-app push (SNS platform endpoint) ---------------------------------------------------------


def test_push_publishes_platform_json_to_the_endpoint_and_critical_pages_ring(aws_env: Resolver) -> None:
    sns = aws.client("sns")
    app = sns.create_platform_application(Name="oncall", Platform="GCM", Attributes={"PlatformCredential": "k"})
    arn = sns.create_platform_endpoint(PlatformApplicationArn=app["PlatformApplicationArn"], Token="device-1")[
        "EndpointArn"
    ]
    outcome = push.send(note(), target({"endpointArn": arn, "critical": "True"}))
    assert outcome.result == "delivered" and outcome.detail.startswith("SNS message ")
    body = json.loads(push.message(note(), critical=True))
    assert json.loads(body["GCM"])["priority"] == "high"
    assert json.loads(body["APNS"])["aps"]["sound"]["critical"] == 1
    assert "sound" not in json.loads(json.loads(push.message(note(), critical=False))["APNS"])["aps"]


def test_push_without_an_endpoint_fails_and_a_disabled_endpoint_fails(aws_env: Resolver) -> None:
    assert push.send(note(), target({})).result == "failed"
    with Stubber(aws.client("sns")) as stub:
        stub.add_client_error("publish", "EndpointDisabled", "Endpoint is disabled", 400)
        stub.add_client_error("publish", "Throttling", "Rate exceeded", 400)
        arn = "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/oncall/1"
        results = [push.send(note(), target({"endpointArn": arn})).result for _ in range(2)]
    assert results == ["failed", "retry"]
