"""Log lines are scrubbed of every credential shape Herald handles."""

from __future__ import annotations

import io
import json
import logging

import pytest

from herald.observability import RedactingFormatter
from herald.redaction import redact

SECRETS = [
    ("hrld_Zx8v0l9QyJt3m6aN1pW2sE4r", "Bearer hrld_Zx8v0l9QyJt3m6aN1pW2sE4r"),
    ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
    (
        "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    ),
    ("123456789/AbCdEfGhIjKlMnOp", "https://discord.com/api/webhooks/123456789/AbCdEfGhIjKlMnOp"),
    (
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/send",
    ),
    ("s3cr3t-value", '{"password": "s3cr3t-value"}'),
    ("s3cr3t-value", '{\\"routingKey\\": \\"s3cr3t-value\\"}'),
    ("p4ss", "https://user:p4ss@example.com/hook"),
    ("rawtoken123", "x-api-key: rawtoken123"),
    (
        "Zm9vYmFyYmF6cXV4",
        "POST https://prod-01.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke"
        "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Zm9vYmFyYmF6cXV4 failed",
    ),
    ("R0UT1NGKEY0123456789abcdefabcdef", '{"routing_key": "R0UT1NGKEY0123456789abcdefabcdef", "event_action": "x"}'),
    ("R0UT1NGKEY0123456789abcdefabcdef", '{\\"routing_key\\": \\"R0UT1NGKEY0123456789abcdefabcdef\\"}'),
    ("R0UT1NGKEY0123456789abcdefabcdef", "GET /x?routing_key=R0UT1NGKEY0123456789abcdefabcdef&y=1"),
]


@pytest.mark.parametrize(("secret", "line"), SECRETS)
def test_secret_shapes_are_redacted(secret: str, line: str) -> None:
    assert secret not in redact(line)
    assert "[REDACTED]" in redact(line)


def test_ordinary_text_is_left_alone() -> None:
    line = "delivery dlv_0123 to alert alt_abc failed: HTTP 503"
    assert redact(line) == line


def test_the_herald_logger_redacts_extra_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter())
    log = logging.getLogger("redaction-test")
    log.addHandler(handler)
    log.propagate = False
    log.warning(
        "sending", extra={"url": "https://hooks.slack.com/services/T0/B0/abcdef", "auth": "Bearer hrld_abcdefghijkl"}
    )
    record = json.loads(stream.getvalue())
    assert "abcdef" not in record["url"] and "hrld_abcdefghijkl" not in json.dumps(record)
