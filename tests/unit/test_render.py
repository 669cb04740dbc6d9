"""Message rendering: the one place that words, colours and bodies come from."""

from __future__ import annotations

from typing import Any

import pytest

from herald.senders.render import RECOVERED_COLOUR, SEVERITY_COLOURS, Notification, truncate


def snapshot(**fields: Any) -> dict[str, Any]:
    return {
        "id": "evt_abc123",
        "status": "triggered",
        "severity": "critical",
        "title": "checkout is down",
        "createdAt": "2024-05-01T12:00:00.000Z",
        **fields,
    }


def test_from_snapshot_reads_every_field_and_defaults_the_rest() -> None:
    # Given a full stored snapshot and a minimal one
    full = snapshot(
        severity="warning",
        message="HTTP 503",
        monitorId="mon_web1",
        service="checkout",
        url="https://status.example.com/1",
        dedupKey="k-1",
        labels={"region": "eu", "tier": 1},
    )
    minimal = {"id": "evt_x", "status": "recovered", "title": "t", "createdAt": "2024-01-01T00:00:00.000Z"}

    # When they become notifications
    n = Notification.from_item(full)
    m = Notification.from_item(minimal)

    # Then every field is carried, labels become strings, and a missing severity is critical
    assert n == Notification(
        id="evt_abc123",
        status="triggered",
        severity="warning",
        title="checkout is down",
        created_at="2024-05-01T12:00:00.000Z",
        message="HTTP 503",
        monitor_id="mon_web1",
        service="checkout",
        url="https://status.example.com/1",
        dedup_key="k-1",
        labels={"region": "eu", "tier": "1"},
    )
    assert m.severity == "critical"
    assert m.labels == {} and m.message is None and m.monitor_id is None


@pytest.mark.parametrize(
    ("status", "severity", "word", "colour"),
    [
        ("triggered", "critical", "TRIGGERED", SEVERITY_COLOURS["critical"]),
        ("triggered", "warning", "TRIGGERED", SEVERITY_COLOURS["warning"]),
        ("triggered", "info", "TRIGGERED", SEVERITY_COLOURS["info"]),
        ("recovered", "critical", "RECOVERED", RECOVERED_COLOUR),
        ("recovered", "info", "RECOVERED", RECOVERED_COLOUR),
    ],
)
def test_headline_and_colour_follow_status_and_severity(status: str, severity: str, word: str, colour: int) -> None:
    # Given an event of this status and severity
    n = Notification.from_item(snapshot(status=status, severity=severity))

    # Then the headline names the state and the colour is the severity's (green once recovered)
    assert n.headline == f"[{word}] checkout is down"
    assert n.state_word == word
    assert n.recovered is (status == "recovered")
    assert n.colour == colour


def test_severity_colours_are_distinct_and_recovered_is_its_own() -> None:
    colours = [*SEVERITY_COLOURS.values(), RECOVERED_COLOUR]
    assert len(set(colours)) == len(colours)


def test_unknown_severity_gets_a_neutral_colour() -> None:
    assert Notification.from_item(snapshot(severity="odd")).colour == 0x888888


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, ""),
        ({"monitorId": "mon_a"}, "monitor mon_a"),
        ({"service": "api"}, "service api"),
        ({"monitorId": "mon_a", "service": "api"}, "monitor mon_a, service api"),
    ],
)
def test_subject_of_names_monitor_and_service(fields: dict[str, str], expected: str) -> None:
    assert Notification.from_item(snapshot(**fields)).subject_of == expected


def test_facts_are_status_severity_monitor_service_then_sorted_labels() -> None:
    # Given labels in no particular order
    n = Notification.from_item(
        snapshot(monitorId="mon_a", service="api", labels={"zone": "b", "app": "shop", "m": "x"})
    )

    # Then facts come in a fixed order, labels sorted by key
    assert n.facts() == [
        ("Status", "triggered"),
        ("Severity", "critical"),
        ("Monitor", "mon_a"),
        ("Service", "api"),
        ("app", "shop"),
        ("m", "x"),
        ("zone", "b"),
    ]


def test_facts_leave_out_absent_monitor_and_service() -> None:
    n = Notification.from_item(snapshot(status="recovered", severity="info"))
    assert n.facts() == [("Status", "recovered"), ("Severity", "info")]


def test_text_body_has_headline_message_facts_link_and_event_line() -> None:
    # Given an event with everything
    n = Notification.from_item(
        snapshot(message="HTTP 503 from /pay", monitorId="mon_a", url="https://status.example.com/x")
    )

    # When rendered as text
    text = n.text_body()

    # Then it reads top to bottom in that order
    assert text.splitlines() == [
        "[TRIGGERED] checkout is down",
        "",
        "HTTP 503 from /pay",
        "",
        "Status: triggered",
        "Severity: critical",
        "Monitor: mon_a",
        "",
        "https://status.example.com/x",
        "",
        "Event evt_abc123 at 2024-05-01T12:00:00.000Z",
    ]


def test_text_body_without_message_or_url_has_no_empty_sections() -> None:
    text = Notification.from_item(snapshot()).text_body()
    assert text.splitlines() == [
        "[TRIGGERED] checkout is down",
        "",
        "Status: triggered",
        "Severity: critical",
        "",
        "Event evt_abc123 at 2024-05-01T12:00:00.000Z",
    ]


def test_html_body_escapes_every_user_value() -> None:
    # Given user-controlled text that is also markup
    evil = "<script>alert(1)</script>"
    n = Notification.from_item(
        snapshot(
            title=evil,
            message=f"msg {evil}",
            service=evil,
            url="https://example.com/?a=1&b='x'",
            labels={evil: evil},
        )
    )

    # When rendered as HTML
    body = n.html_body()

    # Then no raw markup gets through, and the link keeps its query (escaped, quotes included)
    assert "<script>" not in body
    assert body.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5  # title, message, service, label key + value
    assert "href='https://example.com/?a=1&amp;b=&#x27;x&#x27;'" in body
    assert body.startswith("<html><body><h2 style='color:#e01e5a'>[TRIGGERED] &lt;script&gt;")
    assert body.endswith("</body></html>")


def test_html_body_colour_is_recovered_green_and_omits_absent_parts() -> None:
    body = Notification.from_item(snapshot(status="recovered")).html_body()
    assert "color:#2eb67d" in body
    assert "<a href" not in body
    assert "<p>" in body  # only the event footer paragraph
    assert body.count("<p>") == 1
    assert "<small>Event evt_abc123 at 2024-05-01T12:00:00.000Z</small>" in body


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("eleven chars", 11, "eleven cha…"),
        ("abcdef", 3, "ab…"),
        ("abcdef", 1, "…"),
    ],
)
def test_truncate_keeps_short_text_and_marks_cut_text(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected


def test_truncated_text_never_exceeds_the_limit() -> None:
    # Given texts longer than the limit
    for limit in range(1, 40):
        result = truncate("x" * 100, limit)
        # Then the result fits exactly and ends with the marker
        assert len(result) == limit
        assert result.endswith("…")


def test_truncate_with_a_custom_marker() -> None:
    assert truncate("abcdefghij", 6, marker="...") == "abc..."
