"""The template engine per kind: escaping of event fields, sandbox refusals, JSON bodies, time and size limits."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from herald.senders import discord, slack, teams, telegram
from herald.senders.render import Notification
from herald.templates import engine
from herald.templates.apply import worded
from herald.templates.engine import Spec, TemplateFailed, render

HOSTILE = '<b>x</b> & *bold* _it_ [link](https://evil.example) <!channel> "q" \\'


def notification(**fields: Any) -> Notification:
    values: dict[str, Any] = {
        "id": "evt_1",
        "status": "triggered",
        "severity": "critical",
        "title": HOSTILE,
        "created_at": "2026-01-01T00:00:00.000Z",
        "message": "line one\nline two",
        "labels": {"env": "prod"},
        **fields,
    }
    return Notification(**values)


def context(kind: str, **fields: Any) -> dict[str, Any]:
    return engine.context_for(notification(**fields), "ops room", kind, "Acme")


def text_of(kind: str, source: str, **fields: Any) -> str:
    rendered = render(kind, Spec(text=source), context(kind, **fields))
    assert rendered.text is not None
    return rendered.text


def test_slack_text_escapes_the_three_mrkdwn_entities_but_keeps_the_authors_markup() -> None:
    title = render("slack", Spec(title="{{ title }}"), context("slack")).title
    assert title is not None and "<!channel>" not in title and "&lt;!channel&gt;" in title
    out = text_of("slack", "*{{ title }}* <https://x.example|open>")
    assert out.startswith("*&lt;b&gt;x&lt;/b&gt; &amp; *bold*")
    assert "<!channel>" not in out and "&lt;!channel&gt;" in out
    assert out.endswith("<https://x.example|open>")


def test_telegram_text_is_html_escaped_and_sent_as_html() -> None:
    out = text_of("telegram", "<b>{{ title }}</b>")
    assert out.startswith("<b>&lt;b&gt;x&lt;/b&gt; &amp;") and out.endswith("</b>")
    rendered = render("telegram", Spec(title="{{ title }}", text="<i>{{ message }}</i>"), context("telegram"))
    payload = telegram.payload(worded(notification(), rendered), {"chatId": "42", "parseMode": "MarkdownV2"})
    assert payload["parse_mode"] == "HTML"
    title = '&lt;b&gt;x&lt;/b&gt; &amp; *bold* _it_ [link](https://evil.example) &lt;!channel&gt; "q" \\'
    assert payload["text"] == f"<b>{title}</b>\n<i>line one\nline two</i>"


@pytest.mark.parametrize("kind", ["teams", "discord"])
def test_teams_and_discord_escape_markdown_controls(kind: str) -> None:
    out = text_of(kind, "**{{ title }}**")
    assert out.startswith("**\\<b\\>x\\</b\\> & \\*bold\\* \\_it\\_ \\[link\\]\\(https://evil\\.example\\)")
    assert out.endswith("\\\\**")


def test_email_has_an_escaped_html_part_and_a_plain_part() -> None:
    rendered = render("email", Spec(title="Alert: {{ title }}", text="<p>{{ title }}</p>"), context("email"))
    assert rendered.title == "Alert: " + HOSTILE  # a subject is plain text
    assert rendered.text == f"<p>{HOSTILE}</p>"
    assert rendered.html is not None and "<p>&lt;b&gt;x&lt;/b&gt; &amp; *bold*" in rendered.html
    assert "<b>x</b>" not in rendered.html
    custom = worded(notification(), rendered)
    assert custom.html_body() == rendered.html and custom.text_body() == rendered.text


@pytest.mark.parametrize("kind", ["sms", "voice", "pagerduty"])
def test_plain_kinds_print_fields_as_they_are(kind: str) -> None:
    assert text_of(kind, "{{ title }}") == HOSTILE


def test_context_has_event_destination_and_org() -> None:
    source = (
        "{{ eventId }}|{{ severity }}|{{ status }}|{{ labels.env }}|{{ destination.name }}|{{ destination.kind }}"
        "|{{ org.name }}|{{ createdAt }}"
    )
    assert text_of("sms", source) == "evt_1|critical|triggered|prod|ops room|sms|Acme|2026-01-01T00:00:00.000Z"
    assert text_of("sms", "{{ labels.missing }}|{{ monitorId }}") == "|"  # absent values print nothing


def test_webhook_body_keeps_json_valid_whatever_the_fields_hold() -> None:
    source = (
        '{"title": "{{ title }}", "msg": "{{ message }}", "labels": {{ labels | tojson }}, "n": {{ labels | length }}}'
    )
    rendered = render("webhook", Spec(body=source), context("webhook"))
    assert rendered.body is not None
    assert json.loads(rendered.body) == {
        "title": HOSTILE,
        "msg": "line one\nline two",
        "labels": {"env": "prod"},
        "n": 1,
    }


def test_body_that_is_not_json_is_refused_with_the_reason() -> None:
    with pytest.raises(TemplateFailed) as failed:
        render("http", Spec(body='{"title": {{ title }}}'), context("http"))
    assert failed.value.field == "body" and "does not render to valid JSON" in failed.value.reason


@pytest.mark.parametrize(
    ("source", "line", "reason"),
    [
        ("{{ ''.__class__ }}", 1, "__class__"),
        ("ok\n{{ title.__class__.__mro__[1].__subclasses__() }}", 2, "__class__"),
        ("{{ cycler.__init__.__globals__ }}", 1, "not allowed"),
        ("a\nb\n{{ title | nope }}", 3, "No filter named 'nope'"),
        ("{% for x in y %}\n{{ x }", 2, "syntax error"),
        ("{{ '%s' % title }}", 1, "not allowed"),
        ("{{ '{0.__class__}'.format(title) }}", 1, "not allowed"),
        ("{{ 'x'.ljust(999999999) }}", 1, "not allowed"),
        ("{{ range(10**9) | list }}", 1, "not allowed"),
    ],
)
def test_sandbox_and_syntax_refusals_name_the_line_and_the_reason(source: str, line: int, reason: str) -> None:
    with pytest.raises(TemplateFailed) as failed:
        render("slack", Spec(text=source), context("slack"))
    assert failed.value.line == line, failed.value
    assert reason in str(failed.value)


def test_output_size_is_limited() -> None:
    with pytest.raises(TemplateFailed, match="longer than"):
        render("sms", Spec(text="{% for i in range(1000) %}{{ 'x' * 1000 }}{% endfor %}"), context("sms"))
    with pytest.raises(TemplateFailed, match="repetition"):
        render("sms", Spec(text="{{ 'x' * 100000000 }}"), context("sms"))
    with pytest.raises(TemplateFailed, match="longer than 16000 characters"):
        render("sms", Spec(text="x" * 16_001), context("sms"))


def test_rendering_time_is_limited_even_when_nothing_is_printed() -> None:
    loop = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
    loop += "{% endfor %}{% endfor %}{% endfor %}"
    started = time.monotonic()
    with pytest.raises(TemplateFailed, match="took longer than"):
        render("sms", Spec(text=loop), context("sms"))
    assert time.monotonic() - started < engine.MAX_SECONDS + 1.0


def test_custom_wording_reaches_each_chat_payload() -> None:
    rendered = render("slack", Spec(title="T: {{ severity }}", text="X {{ labels.env }}"), context("slack"))
    body = slack.payload(worded(notification(), rendered), {})
    assert body["text"] == "T: critical"
    blocks = body["attachments"][0]["blocks"]
    assert blocks[0]["text"]["text"] == "T: critical" and blocks[1]["text"]["text"] == "X prod"
    assert all(block.get("fields") != [] for block in blocks)  # no empty facts section: Slack refuses it
    card = teams.payload(worded(notification(), render("teams", Spec(text="hi"), context("teams"))))
    texts = [b.get("text") for b in card["attachments"][0]["content"]["body"]]
    assert "hi" in texts
    embed = discord.payload(worded(notification(), render("discord", Spec(title="D", text="d"), context("discord"))))
    assert embed["embeds"][0]["title"] == "D" and embed["embeds"][0]["description"] == "d"


def test_a_template_that_fails_on_an_event_falls_back_to_heralds_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    from herald.data import orgs
    from herald.templates import apply, store

    broken = store.StoredTemplate(
        org_id="org",
        kind="sms",
        destination_ref=None,
        spec=Spec(text="{{ labels.env.missing.deeper }}"),
        updated_at="2026-01-01T00:00:00Z",
    )
    own = store.StoredTemplate(
        org_id="org",
        kind="sms",
        destination_ref="uptime:alt_1",
        spec=Spec(text="own {{ title }}"),
        updated_at="2026-01-01T00:00:00Z",
        match="alerts:alt_1",
    )
    monkeypatch.setattr(store, "for_org", lambda org_id: [broken, own])
    monkeypatch.setattr(orgs, "display_name", lambda org_id: "Acme")
    plain = notification(title="db down")
    # The destination's own template wins over the kind's.
    assert apply.customize(plain, "org", "sms", "alerts", "alt_1", "pager").short_text() == "own db down"
    # Another destination gets the kind's template, which fails on this event: Herald's wording is sent.
    fallback = apply.customize(plain, "org", "sms", "alerts", "alt_2", "pager")
    assert fallback == plain and fallback.short_text().startswith("[TRIGGERED] db down")
    # Other kinds have no template: untouched.
    assert apply.customize(plain, "org", "slack", "alerts", "alt_1", "pager") is plain
