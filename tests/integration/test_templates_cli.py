"""`herald templates preview` prints what POST /v1/templates/preview answers; errors are one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from herald.cli import main
from tests.support import module_env
from tests.support.apigw import ApiClient

module_aws, aws_env, module_api, api = module_env.module_aws, module_env.aws_env, module_env.module_api, module_env.api

SAMPLE = Path(__file__).resolve().parents[2] / "events" / "events" / "submit-event.json"


@pytest.fixture(autouse=True)
def table_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_TABLE", "herald-Table")


def test_preview_prints_the_api_answer(
    api: ApiClient, org_id: str, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert api.put("/v1/templates/slack", {"text": "*{{ title }}* in {{ labels.region }}"}, token=token).status == 200
    assert main(["templates", "preview", "--kind", "slack", "--event", str(SAMPLE), "--org", org_id]) == 0
    printed = json.loads(capsys.readouterr().out)
    event = json.loads(json.loads(SAMPLE.read_text())["body"])
    answer = api.post("/v1/templates/preview", {"kind": "slack", "event": event}, token=token).json()
    assert printed["url"] == answer["url"] == "https://hooks.slack.com/***"
    assert printed["rendered"]["text"] == answer["rendered"]["text"] == "*checkout.example.com is down* in eu-west-1"
    strip_time = [b for b in json.loads(printed["body"])["attachments"][0]["blocks"] if b["type"] != "context"]
    assert strip_time == [b for b in json.loads(answer["body"])["attachments"][0]["blocks"] if b["type"] != "context"]


def test_preview_errors_are_one_readable_line(aws_env: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "preview", "--kind", "webhook", "--event", str(SAMPLE), "--body", '{"a": {{ x }}}']) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("herald: Template is invalid: body, line 1: does not render")
    assert main(["templates", "preview", "--kind", "sms", "--event", "/nonexistent.json"]) == 2
    assert (
        capsys.readouterr().err == "herald: cannot read the event file /nonexistent.json: No such file or directory\n"
    )
