"""Retry timing and the mapping of provider answers onto delivered / retry / failed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from herald import clock, settings
from herald.delivery.retries import RetryPolicy
from herald.outbound import HttpResult
from herald.senders import base
from herald.senders.base import body_retry_after, classify, retry_after_header

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("TABLE_NAME", "herald-test")
    monkeypatch.setenv("HERALD_RETRY_BASE_SECONDS", "30")
    monkeypatch.setenv("HERALD_RETRY_CAP_SECONDS", "900")
    settings.get_settings.cache_clear()
    yield monkeypatch
    settings.get_settings.cache_clear()


def set_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings.get_settings.cache_clear()


# --- backoff (herald/delivery/retries.py) -----------------------------------------------------------


def backoff_seconds(attempt: int, retry_after: float | None, jitter: float | None = None) -> int:
    return RetryPolicy.from_settings().backoff(attempt, retry_after, random.random() if jitter is None else jitter)


@pytest.mark.parametrize(("attempt", "low", "high"), [(1, 15, 30), (2, 30, 60), (3, 60, 120), (4, 120, 240)])
def test_backoff_without_retry_after_is_exponential_with_equal_jitter(
    attempt: int, low: int, high: int, env: pytest.MonkeyPatch
) -> None:
    # Given base 30 s: attempt n waits between half and all of 30·2^(n-1)
    # When the backoff is drawn many times
    random.seed(attempt)
    draws = [backoff_seconds(attempt, None) for _ in range(300)]

    # Then every draw is inside that window, and the jitter actually varies
    assert all(low <= d <= high for d in draws), (min(draws), max(draws))
    assert len(set(draws)) > 5


def test_backoff_window_edges(env: pytest.MonkeyPatch) -> None:
    # Given the jitter pinned to each end of its range
    lowest = backoff_seconds(3, None, 0.0)
    highest = backoff_seconds(3, None, 1.0)
    # Then attempt 3 (nominal 120 s) waits 60..120 s
    assert (lowest, highest) == (60, 120)


def test_backoff_attempt_zero_is_treated_as_the_first(env: pytest.MonkeyPatch) -> None:
    assert backoff_seconds(0, None, 1.0) == backoff_seconds(1, None, 1.0) == 30


def test_backoff_is_capped(env: pytest.MonkeyPatch) -> None:
    # Given many attempts, the nominal delay is far over the 900 s cap
    # Then the wait is the cap, for every later attempt too
    assert [backoff_seconds(n, None, 1.0) for n in (6, 10, 30)] == [900, 900, 900]
    # And the jitter's low end is capped as well
    assert backoff_seconds(30, None, 0.0) == 900


def test_backoff_is_never_zero_without_retry_after(env: pytest.MonkeyPatch) -> None:
    # Given a tiny base, the jittered delay is under a second
    set_env(env, HERALD_RETRY_BASE_SECONDS="0.1")
    # Then it rounds up to a whole second (a visibility timeout of 0 would retry at once)
    assert backoff_seconds(1, None, 0.0) == 1


@pytest.mark.parametrize(("retry_after", "expected"), [(5, 5), (2.5, 3), (0.2, 1), (0, 0), (120, 120), (899.5, 900)])
def test_backoff_honours_retry_after_rounded_up(retry_after: float, expected: int, env: pytest.MonkeyPatch) -> None:
    # Given the provider said how long to wait
    # Then that wait is used (rounded up to whole seconds), whatever the attempt number
    assert backoff_seconds(1, retry_after) == expected
    assert backoff_seconds(7, retry_after) == expected


def test_backoff_retry_after_is_capped(env: pytest.MonkeyPatch) -> None:
    # Given a provider asking for an hour, Then Herald waits at most the cap
    assert backoff_seconds(1, 3600) == 900
    assert backoff_seconds(1, float("inf")) == 900


def test_backoff_never_exceeds_the_sqs_visibility_maximum(env: pytest.MonkeyPatch) -> None:
    # Given a cap above what ChangeMessageVisibility accepts (12 hours)
    set_env(env, HERALD_RETRY_CAP_SECONDS="100000")
    # Then the wait stops at 43200 s
    assert backoff_seconds(1, 50000, 1.0) == 43200
    assert backoff_seconds(40, None, 1.0) == 43200


def test_backoff_negative_retry_after_is_zero(env: pytest.MonkeyPatch) -> None:
    assert backoff_seconds(1, -10) == 0


# --- Retry-After header ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), (" 7 ", 7.0), ("0", 0.0), ("1.5", 1.5), ("-3", 0.0), (None, None), ("", None), ("soon", None)],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert retry_after_header(value) == expected


def test_retry_after_http_date_in_the_future(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the clock at NOW and a date 90 s later (IMF-fixdate, as RFC 9110 sends it)
    monkeypatch.setattr(clock, "epoch", lambda: NOW.timestamp())
    value = "Wed, 01 May 2024 12:01:30 GMT"
    # Then the wait is the difference
    assert retry_after_header(value) == pytest.approx(90.0)


def test_retry_after_http_date_with_an_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "epoch", lambda: NOW.timestamp())
    assert retry_after_header("Wed, 01 May 2024 14:00:10 +0200") == pytest.approx(10.0)


def test_retry_after_http_date_in_the_past_is_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "epoch", lambda: NOW.timestamp())
    assert retry_after_header(format_datetime(datetime(2024, 5, 1, 11, 0, tzinfo=UTC), usegmt=True)) == 0.0


def test_retry_after_uses_the_herald_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the same header read at two moments
    value = "Wed, 01 May 2024 12:10:00 GMT"
    monkeypatch.setattr(clock, "epoch", lambda: NOW.timestamp())
    first = retry_after_header(value)
    monkeypatch.setattr(clock, "epoch", lambda: NOW.timestamp() + 300)
    later = retry_after_header(value)
    # Then the wait shrinks as time passes
    assert first == pytest.approx(600.0)
    assert later == pytest.approx(300.0)


# --- classify --------------------------------------------------------------------------------------


def result(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> HttpResult:
    return HttpResult(status=status, headers=headers or {}, body=body)


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_classify_2xx_is_delivered(status: int) -> None:
    outcome = classify(result(status))
    assert outcome.result == "delivered"
    assert outcome.detail == f"HTTP {status}"


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_classify_timeouts_throttles_and_5xx_are_retried(status: int) -> None:
    outcome = classify(result(status, b"busy"))
    assert outcome.result == "retry"
    assert outcome.detail == f"HTTP {status}: busy"
    assert outcome.retry_after is None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 410, 413, 422])
def test_classify_other_4xx_fail_at_once(status: int) -> None:
    outcome = classify(result(status, b"nope"))
    assert outcome.result == "failed"
    assert outcome.detail == f"HTTP {status}: nope"


@pytest.mark.parametrize("status", [100, 301, 302, 307, 308])
def test_classify_redirects_are_not_followed_and_not_success(status: int) -> None:
    # Redirects are never followed (an SSRF guard); a redirect is not a delivery
    assert classify(result(status)).result == "failed"


def test_classify_429_carries_retry_after_seconds() -> None:
    outcome = classify(result(429, b"slow down", {"retry-after": "42"}))
    assert (outcome.result, outcome.retry_after) == ("retry", 42.0)


def test_classify_503_carries_retry_after_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "epoch", lambda: NOW.timestamp())
    outcome = classify(result(503, b"", {"retry-after": "Wed, 01 May 2024 12:00:20 GMT"}))
    assert outcome.result == "retry"
    assert outcome.retry_after == pytest.approx(20.0)


def test_classify_4xx_ignores_retry_after() -> None:
    outcome = classify(result(410, b"gone", {"retry-after": "42"}))
    assert (outcome.result, outcome.retry_after) == ("failed", None)


def test_classify_custom_ok_set() -> None:
    # Given a provider whose only success is 204
    ok = frozenset({204})
    assert classify(result(204), ok).result == "delivered"
    assert classify(result(200), ok).result == "failed"


def test_classify_detail_keeps_at_most_300_characters_of_the_body() -> None:
    outcome = classify(result(500, b"x" * 5000))
    assert outcome.detail == "HTTP 500: " + "x" * 300


def test_classify_undecodable_body_still_classifies() -> None:
    outcome = classify(result(502, b"\xff\xfe bad"))
    assert outcome.result == "retry"
    assert outcome.detail.startswith("HTTP 502: ")


# --- waits in JSON bodies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path", "expected"),
    [
        (b'{"retry_after": 1.5, "global": false}', ("retry_after",), 1.5),
        (b'{"retry_after": 3}', ("retry_after",), 3.0),
        (b'{"parameters": {"retry_after": 9}}', ("parameters", "retry_after"), 9.0),
        (b'{"retry_after": "3"}', ("retry_after",), None),
        (b'{"other": 1}', ("retry_after",), None),
        (b"[1, 2]", ("retry_after",), None),
        (b"not json", ("retry_after",), None),
        (b"", ("retry_after",), None),
        (b"\xff\xfe", ("retry_after",), None),
    ],
)
def test_body_retry_after(body: bytes, path: tuple[str, ...], expected: float | None) -> None:
    assert body_retry_after(result(429, body), *path) == expected


def test_outcome_constructors() -> None:
    assert base.Outcome.delivered("x") == base.Outcome("delivered", "x", None)
    assert base.Outcome.retry("y", 3.0) == base.Outcome("retry", "y", 3.0)
    assert base.Outcome.failed("z") == base.Outcome("failed", "z", None)
