"""End to end on the local stack: OnCall user (CLI) → rules (raw-token API) → event pages the user →
sms goes out through the pipeline, the wait holds the call → acknowledge cancels it."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.e2e.conftest import HttpAnswer, LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def oncall(stack: LocalStack, method: str, path: str, token: str, body: Any = None) -> HttpAnswer:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(stack.api_url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", token)  # OnCall's raw token
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return HttpAnswer(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as error:
        return HttpAnswer(error.code, error.read(), dict(error.headers.items()))


def test_page_sms_wait_then_acknowledge_cancels_the_call(stack: LocalStack) -> None:
    org, token = stack.new_org_token()
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "herald.cli",
            "users",
            "create",
            "--org",
            org,
            "--email",
            "a@example.com",
            "--phone",
            "+14155550100",
        ],
        env=stack.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    user_id = created.stdout.strip()
    assert oncall(stack, "GET", f"/api/v1/users/{user_id}/", token).json()["email"] == "a@example.com"
    assert oncall(stack, "GET", "/api/v1/users/", "bad-token").status == 403
    for body in (
        {"user_id": user_id, "type": "notify_by_sms"},
        {"user_id": user_id, "type": "wait", "duration": 3600},
        {"user_id": user_id, "type": "notify_by_phone_call"},
    ):
        assert oncall(stack, "POST", "/api/v1/personal_notification_rules/", token, body).status == 201
    listed = oncall(stack, "GET", f"/api/v1/personal_notification_rules/?user_id={user_id}", token).json()
    assert [(r["type"], r["position"]) for r in listed["results"]] == [
        ("notify_by_sms", 0),
        ("wait", 1),
        ("notify_by_phone_call", 2),
    ]

    answer = stack.call(
        "POST", "/v1/events", token, {"status": "triggered", "title": "db down", "targets": {"userIds": [user_id]}}
    )
    assert answer.status == 202, answer.body
    event_id = answer.json()["id"]

    def waiting() -> dict[str, Any] | None:
        shown = stack.call("GET", f"/v1/events/{event_id}", token).json()
        escalations = shown.get("escalations") or []
        steps = [s["status"] for s in escalations[0]["steps"]] if escalations else []
        finished = [d for d in shown["deliveries"] if d["status"] in ("delivered", "failed")]
        return dict(shown) if steps == ["sent", "waiting", "planned"] and finished else None

    shown = stack.wait_for(waiting, timeout=20)
    assert shown, json.dumps(stack.call("GET", f"/v1/events/{event_id}", token).json())
    assert [d["destination"]["kind"] for d in shown["deliveries"]] == ["sms"]

    acked = stack.call("POST", f"/v1/events/{event_id}/acknowledge", token)
    assert acked.status == 200, acked.body
    [escalation] = acked.json()["escalations"]
    assert escalation["state"] == "acknowledged"
    assert [s["status"] for s in escalation["steps"]] == ["sent", "cancelled", "cancelled"]
    assert len(acked.json()["deliveries"]) == 1
