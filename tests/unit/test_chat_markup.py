"""Event fields never become chat markup: Slack's `<!channel>`, `<!here>` and disguised links, and Teams'
markdown links, emphasis, lists and `<at>` mentions stay text."""

from __future__ import annotations

from herald.senders import slack, teams
from herald.senders.render import Notification

HOSTILE_TITLE = "<!channel> db down & <https://evil.example|https://status.example.com>"
HOSTILE_MESSAGE = "<!here> click <https://evil.example|https://status.example.com> **now** [login](https://evil)"


def hostile() -> Notification:
    return Notification(
        id="evt_1",
        status="triggered",
        severity="critical",
        title=HOSTILE_TITLE,
        message=HOSTILE_MESSAGE,
        created_at="2026-11-29T10:00:00.000Z",
        labels={"<!everyone>": "<@U123>"},
    )


def test_slack_escapes_every_event_field_it_reads_as_mrkdwn() -> None:
    body = slack.payload(hostile(), {})
    blocks = body["attachments"][0]["blocks"]
    mrkdwn = [body["text"]]
    for block in blocks:
        parts = [block["text"]] if "text" in block else []
        parts += block.get("fields", []) + block.get("elements", [])
        mrkdwn += [part["text"] for part in parts if part.get("type") == "mrkdwn"]
    joined = "\n".join(mrkdwn)
    for markup in ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<https://evil.example|"):
        assert markup not in joined, markup
    assert "&lt;!here&gt; click &lt;https://evil.example|https://status.example.com&gt;" in joined
    assert (
        body["text"]
        == "[TRIGGERED] &lt;!channel&gt; db down &amp; &lt;https://evil.example|https://status.example.com&gt;"
    )


def test_slack_mention_settings_stay_the_way_to_mention() -> None:
    body = slack.payload(hostile(), {"mention": "<!subteam^S1>"})
    assert body["text"].startswith("<!subteam^S1> [TRIGGERED] &lt;!channel&gt;")


def test_error_severity_has_its_own_colour() -> None:
    error = Notification(id="e", status="triggered", severity="error", title="t", created_at="x")
    warning = Notification(id="e", status="triggered", severity="warning", title="t", created_at="x")
    assert error.colour != 0x888888 and error.colour != warning.colour


def teams_blocks(notification: Notification) -> list[dict[str, object]]:
    return list(teams.payload(notification)["attachments"][0]["content"]["body"])


def test_teams_shows_every_event_field_as_text_never_as_markdown() -> None:
    hostile_teams = Notification(
        id="evt_1",
        status="triggered",
        severity="critical",
        title="**db** [click](https://evil.example) <at>everyone</at>",
        message="- [login](https://evil.example)\n1. _now_",
        created_at="2026-11-29T10:00:00.000Z",
        labels={"[k](https://evil.example)": "**v** <at>ops</at>"},
    )
    blocks = teams_blocks(hostile_teams)
    # Teams reads markdown in TextBlock and FactSet: no event text may land in either
    assert {block["type"] for block in blocks} == {"RichTextBlock"}
    runs = [run for block in blocks for run in block["inlines"]]  # type: ignore[attr-defined]
    assert all(run["type"] == "TextRun" for run in runs)
    texts = [str(run["text"]) for run in runs]
    assert "[TRIGGERED] **db** [click](https://evil.example) <at>everyone</at>" in texts
    assert "- [login](https://evil.example)\n1. _now_" in texts
    assert texts[-3:-1] == ["[k](https://evil.example): ", "**v** <at>ops</at>"]


def test_teams_template_wording_stays_its_authors_markdown() -> None:
    from herald.templates.apply import worded
    from herald.templates.engine import Spec, context_for, render

    note = Notification(
        id="e", status="triggered", severity="critical", title="[x](https://evil.example)", created_at="t"
    )
    rendered = render("teams", Spec(title="**{{ title }}**"), context_for(note, "ops", "teams", "acme"))
    [heading, *_] = teams_blocks(worded(note, rendered))
    assert heading["type"] == "TextBlock"
    assert heading["text"] == "**\\[x\\]\\(https://evil\\.example\\)**"  # the field escaped, the bold kept
