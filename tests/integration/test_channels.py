"""Each channel adapter against a real loopback HTTP receiver (and SES on moto): the exact request it
sends, and how each answer maps onto delivered / retry / failed."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from moto.ses.models import ses_backends
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from herald import aws, clock, secrets, settings
from herald.data import deliveries
from herald.data.deliveries import DeliveryRecord
from herald.delivery.step import QueuedMessage, RetryLater, deliver
from herald.senders import discord, email, slack, webhook
from herald.senders.base import Outcome, Target
from herald.senders.render import Notification
from herald_local.template import Resolver
from tests.support import receiver as loopback
from tests.support.receiver import Receiver, Reply

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
RAW_SECRET = "a plain shared secret, not base64"
ORG = "00112233aabbccdd"


def notification(**fields: Any) -> Notification:
    snapshot = {
        "id": "evt_abc123",
        "status": "triggered",
        "severity": "critical",
        "title": "checkout is down",
        "createdAt": "2024-05-01T12:00:00.000Z",
        "monitorId": "mon_web1",
        **fields,
    }
    return Notification.from_item(snapshot)


def closed_port_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings as the delivery function has them in the local stack (loopback targets allowed); the HTTP
    channels need no AWS, so no moto here."""
    monkeypatch.setenv("TABLE_NAME", "herald-test")
    monkeypatch.setenv("HERALD_ALLOW_PRIVATE_TARGETS", "1")
    monkeypatch.setenv("HERALD_HTTP_TIMEOUT_SECONDS", "2")
    settings.get_settings.cache_clear()
    yield
    settings.get_settings.cache_clear()


# one loopback receiver per module, emptied for each test
receiver, shared_receiver = loopback.module_receiver, loopback.shared_receiver


@pytest.fixture
def moto_env(aws_env: Resolver) -> Iterator[Resolver]:
    yield aws_env


# --- webhook -------------------------------------------------------------------------------------


def test_webhook_posts_json_signed_per_standard_webhooks(env: None, receiver: Receiver) -> None:
    # Given a webhook destination with a whsec_ secret
    target = Target(
        "dlv_0001", {"alertId": "alt_1", "alertName": "ops"}, {"url": receiver.url("/in"), "secret": SECRET}
    )

    # When a notification is sent
    outcome = webhook.send(
        notification(message="HTTP 503", service="shop", url="https://status.example.com", labels={"a": "b"}), target
    )

    # Then it is delivered as one JSON POST
    assert outcome.result == "delivered"
    [got] = receiver.requests()
    assert (got.method, got.path) == ("POST", "/in")
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == "Herald/0.1"
    # And the Standard Webhooks headers verify with the reference implementation
    assert got.headers["webhook-id"] == "dlv_0001"
    assert abs(int(got.headers["webhook-timestamp"]) - clock.epoch()) < 60
    assert got.headers["webhook-signature"].startswith("v1,")
    payload = Webhook(SECRET).verify(got.body, got.headers)
    assert payload == {
        "type": "alert.triggered",
        "timestamp": "2024-05-01T12:00:00.000Z",
        "data": {
            "eventId": "evt_abc123",
            "alertId": "alt_1",
            "alertName": "ops",
            "monitorId": "mon_web1",
            "service": "shop",
            "status": "triggered",
            "severity": "critical",
            "title": "checkout is down",
            "message": "HTTP 503",
            "url": "https://status.example.com",
            "dedupKey": None,
            "labels": {"a": "b"},
        },
    }


def test_webhook_signature_fails_with_another_secret_or_a_changed_body(env: None, receiver: Receiver) -> None:
    # Given a signed delivery
    webhook.send(notification(), Target("dlv_0002", {}, {"url": receiver.url(), "secret": SECRET}))
    [got] = receiver.requests()

    # Then a different secret or a tampered body does not verify
    other = "whsec_" + base64.b64encode(b"another secret of 32 bytes......").decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(got.body.replace(b"checkout", b"checkin"), got.headers)
    # And a different message id does not verify either (the id is signed)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(got.body, {**got.headers, "webhook-id": "dlv_other"})


def test_webhook_raw_secret_is_used_as_bytes(env: None, receiver: Receiver) -> None:
    # Given a secret that is not whsec_<base64>
    webhook.send(notification(), Target("dlv_0003", {}, {"url": receiver.url(), "secret": RAW_SECRET}))
    [got] = receiver.requests()

    # Then it verifies with the raw bytes of the string
    assert Webhook(RAW_SECRET.encode()).verify(got.body, got.headers)["type"] == "alert.triggered"


def test_webhook_signature_covers_exact_utf8_body(env: None, receiver: Receiver) -> None:
    # Given a title outside ASCII
    title = "Zahlung fehlgeschlagen – Größe ≥ 5 €"
    webhook.send(notification(title=title), Target("dlv_0004", {}, {"url": receiver.url(), "secret": SECRET}))
    [got] = receiver.requests()

    # Then the body is UTF-8 JSON (not \\u escapes) and the signature verifies over those bytes
    assert title.encode() in got.body
    assert Webhook(SECRET).verify(got.body, got.headers)["data"]["title"] == title


def test_webhook_without_secret_sends_no_signature(env: None, receiver: Receiver) -> None:
    # Given a destination with no secret
    outcome = webhook.send(notification(status="recovered"), Target("dlv_0005", {}, {"url": receiver.url()}))

    # Then the request carries its id but no timestamp or signature
    assert outcome.result == "delivered"
    [got] = receiver.requests()
    assert got.headers["webhook-id"] == "dlv_0005"
    assert "webhook-signature" not in got.headers
    assert "webhook-timestamp" not in got.headers
    assert got.json()["type"] == "alert.recovered"


def test_webhook_does_not_truncate_long_titles_or_messages(env: None, receiver: Receiver) -> None:
    # Given the longest title and message the API accepts
    title, message = "T" * 256, "M" * 8000
    webhook.send(notification(title=title, message=message), Target("dlv_0006", {}, {"url": receiver.url()}))

    # Then JSON consumers get them whole
    data = receiver.requests()[0].json()["data"]
    assert (data["title"], data["message"]) == (title, message)


def seal_delivery(kind: str, config: dict[str, str], secret_values: dict[str, str]) -> QueuedMessage:
    """Given a pending delivery record in the table, as fan-out writes it; returns its queued message."""
    now = clock.iso()
    record = DeliveryRecord(
        id="dlv_" + kind + "0123456789abcdef",
        event_id="evt_chan1",
        org_id=ORG,
        kind=kind,
        family="alerts",
        destination_id="alt_x",
        destination_name="ops",
        config=config,
        sealed=secrets.seal(ORG, secret_values),
        message={
            "id": "evt_chan1",
            "status": "triggered",
            "severity": "critical",
            "title": "disk full",
            "createdAt": now,
        },
        created_at=now,
        updated_at=now,
        alert_id="alt_x",
    )
    assert deliveries.put_if_absent(record)
    return QueuedMessage(record.event_id, record.id, 1, "rh-1", None)


def test_webhook_id_is_the_delivery_id_and_stable_across_retries(moto_env: Resolver, receiver: Receiver) -> None:
    # Given a delivery whose first attempt gets a 500
    message = seal_delivery("webhook", {}, {"url": receiver.url(), "secret": SECRET})
    receiver.then(Reply(status=500, body=b"oops"), Reply(status=200))

    # When it is delivered, retried, and delivered again
    with pytest.raises(RetryLater):
        deliver(message)
    assert deliver(QueuedMessage(message.event_id, message.delivery_id, 2, "rh-2", None)) == "delivered"

    # Then both requests carry the delivery id as webhook-id, and each is signed for itself
    first, second = receiver.requests()
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == message.delivery_id
    assert first.body == second.body
    for got in (first, second):
        Webhook(SECRET).verify(got.body, got.headers)


# --- outcomes shared by the HTTP channels --------------------------------------------------------


def send_webhook(url: str) -> Outcome:
    return webhook.send(notification(), Target("dlv_x", {}, {"url": url}))


def send_slack(url: str) -> Outcome:
    return slack.send(notification(), Target("dlv_x", {}, {"webhookUrl": url}))


def send_discord(url: str) -> Outcome:
    return discord.send(notification(), Target("dlv_x", {}, {"webhookUrl": url}))


SENDERS = {"webhook": send_webhook, "slack": send_slack, "discord": send_discord}


@pytest.mark.parametrize("channel", sorted(SENDERS))
@pytest.mark.parametrize(
    ("status", "expected"),
    [(500, "retry"), (502, "retry"), (503, "retry"), (408, "retry"), (429, "retry"), (410, "failed"), (400, "failed")],
)
def test_http_answers_map_to_outcomes(channel: str, status: int, expected: str, env: None, receiver: Receiver) -> None:
    # Given the provider answers with this status
    receiver.then(Reply(status=status, body=b"provider says no"))

    # When the channel sends
    outcome = SENDERS[channel](receiver.url())

    # Then 5xx/408/429 are retried and other 4xx fail at once, with the answer in the detail
    assert outcome.result == expected
    assert outcome.detail == f"HTTP {status}: provider says no"
    assert len(receiver.requests()) == 1


@pytest.mark.parametrize("channel", sorted(SENDERS))
def test_429_retry_after_header_is_honoured(channel: str, env: None, receiver: Receiver) -> None:
    receiver.then(Reply(status=429, body=b"{}", headers={"Retry-After": "17"}))
    outcome = SENDERS[channel](receiver.url())
    assert (outcome.result, outcome.retry_after) == ("retry", 17.0)


@pytest.mark.parametrize("channel", sorted(SENDERS))
def test_connection_refused_is_retried(channel: str, env: None) -> None:
    # Given nothing listens at the target
    outcome = SENDERS[channel](closed_port_url())
    # Then the send is retried later, with the transport error as the detail
    assert outcome.result == "retry"
    assert "Connection" in outcome.detail or "refused" in outcome.detail


@pytest.mark.parametrize("channel", sorted(SENDERS))
def test_timeout_is_retried(channel: str, env: None, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a short HTTP timeout and a provider slower than it
    monkeypatch.setenv("HERALD_HTTP_TIMEOUT_SECONDS", "0.3")
    settings.get_settings.cache_clear()
    receiver.then(Reply(status=200, delay=1.0))

    # When the channel sends, Then the read times out and the send is retried
    outcome = SENDERS[channel](receiver.url())
    assert outcome.result == "retry"
    assert "Timeout" in outcome.detail


@pytest.mark.parametrize("channel", sorted(SENDERS))
def test_redirect_is_not_followed(channel: str, env: None, receiver: Receiver) -> None:
    # Given a provider answering with a redirect to somewhere else
    receiver.then(Reply(status=302, headers={"Location": receiver.url("/elsewhere")}, body=b""))
    outcome = SENDERS[channel](receiver.url())
    # Then Herald does not follow it (an SSRF guard) and the send fails
    assert outcome.result == "failed"
    assert [r.path for r in receiver.requests()] == ["/hook"]


@pytest.mark.parametrize("channel", sorted(SENDERS))
def test_private_target_refused_without_the_flag(
    channel: str, env: None, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given private targets are not allowed (as in AWS)
    monkeypatch.setenv("HERALD_ALLOW_PRIVATE_TARGETS", "0")
    settings.get_settings.cache_clear()

    # When a send goes to loopback
    outcome = SENDERS[channel](receiver.url())

    # Then it fails at once without any request
    assert outcome.result == "failed"
    assert outcome.detail.startswith("target refused")
    assert receiver.requests() == []


# --- Slack -------------------------------------------------------------------------------------


def test_slack_payload_has_text_coloured_attachment_blocks_and_channel(env: None, receiver: Receiver) -> None:
    # Given a Slack destination with a channel override
    target = Target("dlv_s1", {"channel": "#ops-alerts"}, {"webhookUrl": receiver.url("/services/T/B/X")})

    # When a warning with message, url and labels is sent
    outcome = slack.send(
        notification(severity="warning", message="p95 > 2s", url="https://grafana.example.com/d/1", labels={"k": "v"}),
        target,
    )

    # Then Slack gets one JSON POST with the headline as text and Block Kit inside a coloured attachment
    assert outcome.result == "delivered"
    [got] = receiver.requests()
    assert got.path == "/services/T/B/X"
    assert got.headers["content-type"] == "application/json"
    body = got.json()
    assert body["text"] == "[TRIGGERED] checkout is down"
    assert body["channel"] == "#ops-alerts"
    [attachment] = body["attachments"]
    assert attachment["color"] == "#ecb22e"
    blocks = attachment["blocks"]
    assert 1 <= len(blocks) <= 50
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "[TRIGGERED] checkout is down"}}
    assert {"type": "section", "text": {"type": "mrkdwn", "text": "p95 &gt; 2s"}} in blocks  # Slack's escaping
    fields = next(b["fields"] for b in blocks if "fields" in b)
    assert {"type": "mrkdwn", "text": "*Monitor*\nmon_web1"} in fields
    assert {"type": "mrkdwn", "text": "*k*\nv"} in fields
    assert any("<https://grafana.example.com/d/1|Open>" in json.dumps(b) for b in blocks)
    assert "evt_abc123" in json.dumps(blocks[-1])


def test_slack_without_channel_sends_no_channel_and_recovered_is_green(env: None, receiver: Receiver) -> None:
    slack.send(notification(status="recovered"), Target("dlv_s2", {}, {"webhookUrl": receiver.url()}))
    body = receiver.requests()[0].json()
    assert "channel" not in body
    assert body["attachments"][0]["color"] == "#2eb67d"
    assert body["text"] == "[RECOVERED] checkout is down"


def test_slack_respects_block_kit_limits_with_many_labels_and_long_text(env: None, receiver: Receiver) -> None:
    # Given the most an event can carry: 64 labels with long values, a 256-char title, an 8000-char message
    labels = {f"label{i:02d}": "v" * 1024 for i in range(64)}
    slack.send(
        notification(title="T" * 256, message="M" * 8000, labels=labels),
        Target("dlv_s3", {}, {"webhookUrl": receiver.url()}),
    )

    # Then every Slack limit holds: ≤ 50 blocks, header ≤ 150, section ≤ 3000, ≤ 10 fields of ≤ 2000
    blocks = receiver.requests()[0].json()["attachments"][0]["blocks"]
    assert len(blocks) <= 50
    header = blocks[0]["text"]["text"]
    assert len(header) <= 150 and header.endswith("…") and header.startswith("[TRIGGERED] TTT")
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        for field in block.get("fields", []):
            assert len(field["text"]) <= 2000
        assert len(block.get("fields", [])) <= 10
    assert any(b.get("text", {}).get("text", "").endswith("…") for b in blocks[1:])


@pytest.mark.parametrize(("body", "expected"), [(b"ok", "delivered"), (b"", "delivered"), (b"ok\n", "delivered")])
def test_slack_200_ok_is_delivered(body: bytes, expected: str, env: None, receiver: Receiver) -> None:
    receiver.then(Reply(status=200, body=body))
    assert send_slack(receiver.url()).result == expected


@pytest.mark.parametrize("body", [b"invalid_payload", b"channel_not_found", b'{"ok": false}'])
def test_slack_200_with_another_body_is_failed(body: bytes, env: None, receiver: Receiver) -> None:
    # Given Slack answers 200 but not "ok"
    receiver.then(Reply(status=200, body=body))
    # Then the send failed, and the detail quotes the answer
    outcome = send_slack(receiver.url())
    assert outcome.result == "failed"
    assert body.decode() in outcome.detail


# --- Discord -----------------------------------------------------------------------------------


def test_discord_payload_has_content_one_embed_and_no_mentions(env: None, receiver: Receiver) -> None:
    # Given a Discord destination
    target = Target("dlv_d1", {}, {"webhookUrl": receiver.url("/api/webhooks/1/abc")})
    receiver.then(Reply(status=204, body=b""))

    # When a critical event that tries to ping everyone is sent
    outcome = discord.send(
        notification(title="@everyone checkout is down", message="<@123> look", url="https://status.example.com"),
        target,
    )

    # Then Discord gets content plus one embed, with every mention disabled
    assert outcome.result == "delivered"
    [got] = receiver.requests()
    assert got.path == "/api/webhooks/1/abc"
    body = got.json()
    assert body["content"] == "[TRIGGERED] @everyone checkout is down"
    assert body["allowed_mentions"] == {"parse": []}
    [embed] = body["embeds"]
    assert embed["title"] == "[TRIGGERED] @everyone checkout is down"
    assert embed["description"] == "<@123> look"
    assert embed["color"] == 0xE01E5A
    assert embed["url"] == "https://status.example.com"
    assert embed["timestamp"] == "2024-05-01T12:00:00.000Z"
    assert {"name": "Monitor", "value": "mon_web1", "inline": True} in embed["fields"]
    assert embed["footer"] == {"text": "Event evt_abc123"}


def test_discord_truncates_to_its_limits(env: None, receiver: Receiver) -> None:
    # Given a 256-char title (so the headline is longer than an embed title may be) and a long message
    discord.send(
        notification(title="T" * 256, message="M" * 8000), Target("dlv_d2", {}, {"webhookUrl": receiver.url()})
    )

    # Then content ≤ 2000, embed title ≤ 256 and description ≤ 4096, each cut with a marker
    body = receiver.requests()[0].json()
    embed = body["embeds"][0]
    assert len(body["content"]) <= 2000
    assert len(embed["title"]) == 256 and embed["title"].endswith("…")
    assert len(embed["description"]) == 4096 and embed["description"].endswith("…")


def test_discord_embed_stays_within_the_6000_character_total(env: None, receiver: Receiver) -> None:
    # Given the most an event can carry: long title and message, 64 labels with long values
    labels = {f"label{i:02d}": "v" * 1024 for i in range(64)}
    discord.send(
        notification(title="T" * 256, message="M" * 8000, labels=labels),
        Target("dlv_d3", {}, {"webhookUrl": receiver.url()}),
    )

    # Then the embed obeys Discord's limits, including the 6000-character sum over all its texts
    # (Discord answers 400 to anything larger, which would fail the delivery for good)
    embed = receiver.requests()[0].json()["embeds"][0]
    assert len(embed["fields"]) <= 25
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in embed["fields"])
    total = (
        len(embed["title"])
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
        + len(embed["footer"]["text"])
    )
    assert total <= 6000
    # And the most important parts survive: the headline, the start of the message, status and severity
    assert embed["title"].startswith("[TRIGGERED] TTT")
    assert embed.get("description", "").startswith("MMM")
    assert [f["name"] for f in embed["fields"][:2]] == ["Status", "Severity"]


def test_discord_empty_label_value_is_not_sent_empty(env: None, receiver: Receiver) -> None:
    # Given a label with an empty value (the API allows it; Discord refuses empty field values)
    discord.send(notification(labels={"team": ""}), Target("dlv_d4", {}, {"webhookUrl": receiver.url()}))
    fields = receiver.requests()[0].json()["embeds"][0]["fields"]
    assert {"name": "team", "value": "-", "inline": True} in fields
    assert all(f["value"] for f in fields)


def test_discord_429_body_retry_after_is_honoured(env: None, receiver: Receiver) -> None:
    # Given Discord's rate-limit answer, which carries the wait in the JSON body
    receiver.then(
        Reply(
            status=429,
            body=b'{"message": "You are being rate limited.", "retry_after": 2.5, "global": false}',
            headers={"Content-Type": "application/json"},
        )
    )
    # Then the send is retried after that wait
    outcome = send_discord(receiver.url())
    assert (outcome.result, outcome.retry_after) == ("retry", 2.5)


def test_discord_429_header_wins_over_body(env: None, receiver: Receiver) -> None:
    receiver.then(Reply(status=429, body=b'{"retry_after": 2.5}', headers={"Retry-After": "4"}))
    assert send_discord(receiver.url()).retry_after == 4.0


def test_discord_429_without_any_wait_is_still_a_plain_retry(env: None, receiver: Receiver) -> None:
    # Given a 429 from a proxy in front of Discord: JSON, but no retry_after
    receiver.then(Reply(status=429, body=b'{"message": "slow down"}'))
    outcome = send_discord(receiver.url())
    assert (outcome.result, outcome.retry_after) == ("retry", None)
    assert outcome.detail.startswith("HTTP 429")


# --- email through SES -------------------------------------------------------------------------


@pytest.fixture
def ses_calls(moto_env: Resolver) -> list[dict[str, Any]]:
    """Every SendEmail request Herald makes, as passed to boto3."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    aws.client("ses").meta.events.register("provide-client-params.ses.SendEmail", record)
    return calls


def sent_messages() -> list[Any]:
    return list(ses_backends["123456789012"]["us-east-1"].sent_messages)


def test_email_goes_through_ses_with_prefix_text_and_html(moto_env: Resolver, ses_calls: list[dict[str, Any]]) -> None:
    # Given an email destination with a subject prefix
    target = Target("dlv_e1", {"email": "oncall@example.com", "subjectPrefix": "[prod]"}, {})

    # When a notification is sent
    outcome = email.send(notification(message="HTTP 503 <b>bold</b>", url="https://status.example.com"), target)

    # Then SES sent one message from the verified sender, the prefix first in the subject
    assert outcome.result == "delivered"
    assert outcome.detail.startswith("SES message ")
    [sent] = sent_messages()
    assert sent.source == "herald@example.com"
    assert sent.destinations["ToAddresses"] == ["oncall@example.com"]
    assert sent.subject == "[prod] [TRIGGERED] checkout is down"
    # And the message has both bodies: plain text and (escaped) HTML
    [call] = ses_calls
    bodies = call["Message"]["Body"]
    assert (
        bodies["Text"]["Data"]
        == notification(message="HTTP 503 <b>bold</b>", url="https://status.example.com").text_body()
    )
    assert "HTTP 503 <b>bold</b>" in bodies["Text"]["Data"]
    assert "HTTP 503 &lt;b&gt;bold&lt;/b&gt;" in bodies["Html"]["Data"]
    assert bodies["Html"]["Data"].startswith("<html>")
    assert sent.body == bodies["Html"]["Data"]
    assert call["Message"]["Subject"]["Charset"] == "UTF-8"


def test_email_without_prefix_has_the_headline_as_subject(moto_env: Resolver) -> None:
    outcome = email.send(notification(status="recovered"), Target("dlv_e2", {"email": "a@example.com"}, {}))
    assert outcome.result == "delivered"
    assert sent_messages()[0].subject == "[RECOVERED] checkout is down"


def test_email_subject_is_truncated(moto_env: Resolver) -> None:
    # Given a prefix and a title that together pass the 998-character header line limit
    long_title = "T" * 1200
    email.send(notification(title=long_title), Target("dlv_e3", {"email": "a@example.com", "subjectPrefix": "P"}, {}))
    subject = sent_messages()[0].subject
    assert len(subject) == 998
    assert subject.startswith("P [TRIGGERED] TTT") and subject.endswith("…")


def test_email_unverified_sender_fails_at_once(moto_env: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a sender SES does not know
    monkeypatch.setenv("HERALD_EMAIL_FROM", "nobody@unverified.example")
    settings.get_settings.cache_clear()
    # Then SES rejects it, a permanent failure, and nothing is sent
    outcome = email.send(notification(), Target("dlv_e4", {"email": "a@example.com"}, {}))
    assert outcome.result == "failed"
    assert "MessageRejected" in outcome.detail
    assert sent_messages() == []


def test_email_without_recipient_fails(moto_env: Resolver) -> None:
    outcome = email.send(notification(), Target("dlv_e5", {}, {}))
    assert outcome == Outcome.failed("no recipient address")


def test_email_ses_throttling_is_retried(moto_env: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given SES throttles the call
    from botocore.exceptions import ClientError

    def throttled(**_: Any) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}}, "SendEmail")

    monkeypatch.setattr(aws.client("ses"), "send_email", throttled)
    # Then the send is retried later
    outcome = email.send(notification(), Target("dlv_e6", {"email": "a@example.com"}, {}))
    assert outcome.result == "retry"
    assert "Throttling" in outcome.detail
