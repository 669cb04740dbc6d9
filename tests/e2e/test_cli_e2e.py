"""The `herald` CLI as an operator runs it: a subprocess against the local stack with no AWS variables but
AWS_ENDPOINT_URL; a webhook to the stack's own /_sink receiver; readable one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from herald_local.sink import DEFAULT_SECRET
from tests.e2e.conftest import ROOT, LocalStack, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

OPERATOR_UNSET = ("TABLE_NAME", "HERALD_TABLE", "HERALD_KMS_KEY_ID", "HERALD_ALLOW_PRIVATE_TARGETS", "HERALD_STACK")


def operator_env(endpoint: str, **extra: str) -> dict[str, str]:
    """A shell with no AWS settings at all (no credentials, region or table), only the endpoint."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "QUEUE_URL_", "POWERTOOLS_")) and k not in OPERATOR_UNSET
    }
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(extra)
    return env


def herald(endpoint: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "herald.cli", *args],
        env=operator_env(endpoint, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def ok(stack: LocalStack, *args: str) -> str:
    done = herald(stack.aws_url, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def as_json(stack: LocalStack, *args: str) -> Any:
    return json.loads(ok(stack, *args, "--output", "json"))


def one_line_error(done: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "For further information" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("herald: "), done.stderr
    return lines[0]


def test_operator_creates_org_key_user_then_follows_an_event_to_the_sink(stack: LocalStack) -> None:
    # Given an org and a key made by the CLI with nothing but AWS_ENDPOINT_URL set
    org = ok(stack, "orgs", "create", "--name", "cli tour").strip()
    token = ok(
        stack, "keys", "create", "--org", org, "--scope", "all", "--scope", "events:read", "--name", "ops"
    ).strip()
    assert token.startswith("hrld_")

    # And an OnCall user with a loopback webhook, which this stack allows (the CLI follows the stack's policy)
    user = json.loads(
        ok(
            stack,
            "users",
            "create",
            "--org",
            org,
            "--email",
            "op@example.com",
            "--webhook",
            "http://127.0.0.1:9000/x",
            "-o",
            "json",
        )
    )
    assert user["contacts"] == ["webhookUrl"] and user["org"] == org

    # When an alert points at the stack's own sink and an event is posted with the CLI's key
    sink = f"{stack.api_url}/_sink/cli-tour"
    alert = stack.call(
        "POST", "/v1/alerts", token, {"name": "sink", "strategy": "webhook", "url": sink, "secret": DEFAULT_SECRET}
    )
    assert alert.status == 201, alert.body
    posted = stack.call(
        "POST", "/v1/events", token, {"status": "triggered", "title": "disk full", "monitorId": "mon_cli1"}
    )
    assert posted.status == 202, posted.body
    event_id = posted.json()["id"]

    # Then it arrives at the sink, signature verified by the standardwebhooks package, and the log says so
    arrived = stack.wait_for(lambda: stack.call("GET", "/_sink/cli-tour", None).json(), timeout=30)
    assert arrived and arrived[0]["signature"] == "verified"
    assert json.loads(arrived[0]["body"])["data"]["eventId"] == event_id
    log = stack.wait_for(lambda: "[delivery] webhook" in stack.log.read_text() and stack.log.read_text(), timeout=10)
    assert '[sink] cli-tour ← POST alert.triggered "disk full" (signature verified)' in log
    assert f"[delivery] webhook {stack.api_url}/… delivered (attempt 1," in log
    assert "[api] POST /v1/events 202 " in log and "[api] POST /v1/alerts 201 " in log

    # And the CLI shows the event and its delivery, as a table and as JSON
    assert any(e["id"] == event_id for e in as_json(stack, "events", "list", "--org", org, "--since", "10m"))
    shown = as_json(stack, "events", "show", event_id)
    assert shown["orgId"] == org and [d["status"] for d in shown["deliveries"]] == ["delivered"]
    delivery_id = shown["deliveries"][0]["id"]
    listed = as_json(stack, "deliveries", "list", "--status", "delivered", "--since", "10m")
    assert any(d["id"] == delivery_id and d["orgId"] == org for d in listed)
    record = as_json(stack, "deliveries", "show", delivery_id, "--event", event_id)
    assert record["status"] == "delivered" and record["attempts"] == 1 and record["secrets"] == ["secret", "url"]
    assert sink not in json.dumps(record)

    # And every queue of the template is listed with its depth and role
    depths = {q["queue"]: q for q in as_json(stack, "queues")}
    assert {"WebhookQueue", "WebhookDeadLetterQueue", "EmailDeadLetterQueue"} <= set(depths)
    assert depths["WebhookDeadLetterQueue"]["role"] == "dead letters"


def test_errors_are_one_readable_line(stack: LocalStack) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    assert f"cannot reach {nobody}" in one_line_error(herald(nobody, "keys", "list", "--org", "o1"))
    assert "no Herald local stack" in one_line_error(herald(stack.aws_url, "orgs", "list", AWS_REGION="eu-west-1"))
