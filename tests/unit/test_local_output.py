"""What the local stack prints: access lines, masked destinations, plain-text email, log lines, the sink's
signature check, and its choice of ports."""

from __future__ import annotations

import base64
import json
import logging
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from herald.auth.api_keys import key_id, token_hash
from herald_local.activity import mask_address, mask_url, outcome_line, route_function_logs
from herald_local.api_server import access_line
from herald_local.invoke import pretty_log_line
from herald_local.outbox import html_to_text, raw_parts
from herald_local.ports import choose_port
from herald_local.sink import DEFAULT_SECRET, Sink


def test_access_line_names_the_key_by_its_public_id_never_the_token() -> None:
    token = "hrld_0123456789abcdef0123"
    line = access_line("POST", "/v1/events", 202, 12.4, {"Authorization": f"Bearer {token}"})
    assert line == f"[api] POST /v1/events 202 12 ms {key_id(token_hash(token))}"
    assert access_line("GET", "/api/v0/channels", 200, 3, {"X-Api-Key": token}).endswith(key_id(token_hash(token)))
    assert token not in line and access_line("GET", "/x", 404, 1, {}).endswith("no key")


def test_destinations_are_masked() -> None:
    assert mask_url("https://hooks.slack.com/services/T0/B0/secret?x=1") == "https://hooks.slack.com/…"
    assert mask_address("alice@example.com") == "a…@example.com"
    assert mask_address("+14155550100") == "+1415…0100"
    item = {"kind": "email", "config": {"email": "bob@example.com"}, "status": "failed", "attempts": 3}
    line = outcome_line({**item, "lastError": "SES said no\nmore"}, 41.6)
    assert line == "[delivery] email b…@example.com failed (attempt 3, 42 ms): SES said no"


def test_email_html_prints_as_plain_text() -> None:
    html = (
        "<html><head><style>p{color:red}</style></head><body><h1>DB down</h1><p>HTTP 503 from"
        " <b>3</b> regions</p><ul><li>eu</li><li>us</li></ul><a href='https://x.example/1'>Open</a></body></html>"
    )
    assert html_to_text(html) == "DB down\n\nHTTP 503 from 3 regions\n\n- eu\n- us\nOpen <https://x.example/1>"
    raw = "Subject: Hello\nContent-Type: text/plain; charset=utf-8\n\nplain body\n"
    assert raw_parts(raw) == ("Hello", "plain body")


def test_log_lines_are_pretty_printed() -> None:
    line = json.dumps(
        {
            "level": "WARNING",
            "location": "x:1",
            "message": "circuit breaker opened",
            "timestamp": "2026-11-29 09:17:54,685+0000",
            "service": "herald",
            "kind": "webhook",
        }
    )
    assert pretty_log_line(line) == "09:17:54,685 WARNING circuit breaker opened  kind=webhook"
    assert pretty_log_line("not json") == "not json"


def test_sink_verifies_standard_webhooks_signatures(capsys: pytest.CaptureFixture[str]) -> None:
    sink = Sink()
    body = json.dumps({"type": "alert.triggered", "data": {"title": "db down"}}).encode()
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(time.time()))}
    signed = Webhook(DEFAULT_SECRET).sign("msg_1", _now(), body.decode())
    assert sink.handle("POST", "/_sink/ops", {**headers, "webhook-signature": signed}, body) == (204, b"")
    other = "whsec_" + base64.b64encode(b"another-secret-0123456789abcdef").decode()
    forged = Webhook(other).sign("msg_1", _now(), body.decode())
    sink.handle("POST", "/_sink/ops", {**headers, "webhook-signature": forged}, body)
    sink.handle("POST", "/_sink/ops", {}, b"plain")
    status, payload = sink.handle("GET", "/_sink/ops", {}, b"")
    seen = [arrival["signature"] for arrival in json.loads(payload)]
    assert status == 200 and seen[0] == "verified" and seen[1].startswith("invalid: ") and seen[2] == "unsigned"
    assert '[sink] ops ← POST alert.triggered "db down" (signature verified)' in capsys.readouterr().out
    assert sink.handle("DELETE", "/_sink/ops", {}, b"")[0] == 405


def _now() -> datetime:
    return datetime.now(UTC)


def test_a_taken_default_port_gives_way_but_an_explicit_one_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        monkeypatch.delenv("HERALD_TEST_PORT", raising=False)
        port, note = choose_port("HERALD_TEST_PORT", taken)
        assert port == 0 and note and f"port {taken} is taken" in note
        monkeypatch.setenv("HERALD_TEST_PORT", str(taken))
        assert choose_port("HERALD_TEST_PORT", 3000) == (taken, None)
    monkeypatch.setenv("HERALD_TEST_PORT", "http")
    with pytest.raises(ValueError, match="HERALD_TEST_PORT must be a port number"):
        choose_port("HERALD_TEST_PORT", 3000)


def test_function_errors_print_one_line_and_keep_the_json_in_the_log_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from herald.observability import logger

    python_logger = logging.getLogger(logger.name)
    handlers = list(python_logger.handlers)
    streams = [h.stream for h in handlers if isinstance(h, logging.StreamHandler)]
    log_path = tmp_path / "herald.jsonl"
    stream = route_function_logs(log_path)
    try:
        logger.info("quiet detail", extra={"kind": "webhook"})
        try:
            raise TimeoutError("provider did not answer")
        except TimeoutError:
            logger.exception("adapter raised", extra={"delivery_id": "dlv_1"})
    finally:
        python_logger.handlers = handlers
        plain = [h for h in handlers if isinstance(h, logging.StreamHandler)]
        for handler, original in zip(plain, streams, strict=True):
            handler.setStream(original)
        stream.close()
    out = capsys.readouterr().out
    [line] = out.strip().splitlines()
    assert line.startswith("[error] ") and "adapter raised (TimeoutError)" in line and str(log_path) in line
    logged = [json.loads(text) for text in log_path.read_text().splitlines()]
    assert logged[-1]["message"] == "adapter raised" and "provider did not answer" in logged[-1]["exception"]
