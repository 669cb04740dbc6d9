"""Event fields never become Slack markup: `<!channel>`, `<!here>` and disguised links stay text."""

from __future__ import annotations

from herald.senders import slack
from herald.senders.render import Notification

HOSTILE_TITLE = "<!channel> db down & <https://evil.example|https://status.example.com>"
HOSTILE_MESSAGE = "<!here> click <https://evil.example|https://status.example.com> **now** [login](https://evil)"


def hostile() -> Notification:
    return Notification(
        event_id="evt_1",
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
    error = Notification(event_id="e", status="triggered", severity="error", title="t", created_at="x")
    warning = Notification(event_id="e", status="triggered", severity="warning", title="t", created_at="x")
    assert error.colour != 0x888888 and error.colour != warning.colour
