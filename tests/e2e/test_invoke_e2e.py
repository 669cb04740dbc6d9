"""`herald-local invoke`: a function of template.yaml on an events/ file, without Docker, on a fresh
in-process stack or on the running one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT, LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def invoke(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "TABLE_NAME")}
    return subprocess.run(
        [sys.executable, "-m", "herald_local", "invoke", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_api_event_on_a_fresh_stack_prints_status_headers_body_and_logs() -> None:
    done = invoke("AlertsFunction", "-e", "events/uptime/list-alerts.json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "AlertsFunction on events/uptime/list-alerts.json (a fresh in-process stack)"
    assert lines[1] == "status   200"
    assert "headers" in lines and any(line.lower() == "  content-type: application/json" for line in lines)
    body = done.stdout.split("\nbody\n", 1)[1]
    assert '"alerts": []' in body and "\nlogs (" in body


def test_batch_event_on_the_running_stack_prints_batch_item_failures(stack: LocalStack) -> None:
    done = invoke("FanoutFunction", "-e", "events/fanout/stream-batch.json", AWS_ENDPOINT_URL=stack.aws_url)
    assert done.returncode == 0, done.stderr
    assert f"(the running local stack at {stack.aws_url})" in done.stdout.splitlines()[0]
    assert "records  1\nbatch item failures  none\nlogs (" in done.stdout


def test_unknown_function_is_one_line() -> None:
    done = invoke("NoSuchFunction", "-e", "events/uptime/list-alerts.json")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("herald-local invoke: no function NoSuchFunction in template.yaml (it has ")
    assert len(done.stderr.strip().splitlines()) == 1
