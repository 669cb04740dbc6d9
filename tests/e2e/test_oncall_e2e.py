"""End to end on the local stack: OnCall user (CLI) → rules (raw-token API) → event pages the user →
sms goes out through the pipeline, the wait holds the call → acknowledge cancels it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.e2e.conftest import HttpAnswer, LocalStack
from tests.support.receiver import Receiver

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


def test_webhook_contact_made_with_the_cli_is_paged_and_an_acknowledge_stops_the_rest(stack: LocalStack) -> None:
    # Given a user made with `herald users create --webhook` against this stack (the CLI is told the KMS key
    # the stack made: the template's only key), whose chain is webhook, wait a minute, webhook again
    org, token = stack.new_org_token()
    [key] = stack.aws("kms").list_keys()["Keys"]
    receiver = Receiver()
    try:
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
                "w@example.com",
                "--webhook",
                receiver.url("/page"),
            ],
            env={**stack.env(), "HERALD_KMS_KEY_ID": key["KeyId"], "HERALD_ALLOW_PRIVATE_TARGETS": "1"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert created.returncode == 0, created.stderr
        user_id = created.stdout.strip()
        for body in (
            {"user_id": user_id, "type": "notify_by_webhook"},
            {"user_id": user_id, "type": "wait", "duration": 60},
            {"user_id": user_id, "type": "notify_by_webhook"},
        ):
            assert oncall(stack, "POST", "/api/v1/personal_notification_rules/", token, body).status == 201

        # When an event pages the user
        answer = stack.call(
            "POST", "/v1/events", token, {"status": "triggered", "title": "db down", "targets": {"userIds": [user_id]}}
        )
        assert answer.status == 202, answer.body
        event_id = answer.json()["id"]

        # Then the user's webhook receives the first step, and the delivery shows delivered
        [request] = receiver.wait_for(1, timeout=30)
        assert request.path == "/page" and request.json()["data"]["eventId"] == event_id

        def delivered() -> list[dict[str, Any]]:
            shown = stack.call("GET", f"/v1/events/{event_id}", token).json()
            return [d for d in shown["deliveries"] if d["status"] == "delivered"]

        assert stack.wait_for(delivered, timeout=20)

        # When the event is acknowledged during the wait
        acked = stack.call("POST", f"/v1/events/{event_id}/acknowledge", token)
        assert acked.status == 200, acked.body
        [escalation] = acked.json()["escalations"]
        assert [s["status"] for s in escalation["steps"]] == ["sent", "cancelled", "cancelled"]

        # Then the wait's timer is gone, so the scheduler (ticking every second here) sends nothing more
        table = stack.aws("dynamodb")
        timer = table.get_item(
            TableName="herald-Table", Key={"pk": {"S": f"TIMER#oncall-{event_id}-{user_id}-1"}, "sk": {"S": "TIMER"}}
        )
        assert "Item" not in timer
        time.sleep(3)
        assert len(receiver.requests()) == 1
    finally:
        receiver.close()
