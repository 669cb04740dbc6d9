"""Secrets never reach the logs: every log line is scrubbed of the credential shapes Herald handles."""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"hrld_[A-Za-z0-9_\-]{8,}"), "hrld_[REDACTED]"),
    (re.compile(r"whsec_[A-Za-z0-9+/=]{4,}"), "whsec_[REDACTED]"),
    (re.compile(r"https://hooks\.slack\.com/services/[^\s\"'\\]+"), "https://hooks.slack.com/services/[REDACTED]"),
    (re.compile(r"(https://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/)[^\s\"'\\]+"), r"\1[REDACTED]"),
    (re.compile(r"\bbot\d{3,}:[A-Za-z0-9_\-]{20,}"), "bot[REDACTED]"),
    (re.compile(r"(?i)(authorization|x-api-key)(\"?\s*[:=]\s*\"?)(bearer |token )?[^\s\",}]+"), r"\1\2\3[REDACTED]"),
    (
        re.compile(
            r'(?i)(\\?"(?:secret|password|token|routingKey|routing_key|integrationKey|bottoken|url|webhookUrl)\\?"\s*:\s*\\?")[^"\\]+'
        ),
        r"\1[REDACTED]",
    ),
    (re.compile(r"(https?://)[^/\s:@\"]+:[^/\s@\"]+@"), r"\1[REDACTED]@"),
    # Teams workflow (Power Automate) URLs carry their credential in the `sig` query parameter.
    (re.compile(r"(?i)([?&](?:amp;)?sig=)[^&\s\"'\\]+"), r"\1[REDACTED]"),
    (re.compile(r"(?i)(routing_key=)[^&\s\"'\\]+"), r"\1[REDACTED]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
