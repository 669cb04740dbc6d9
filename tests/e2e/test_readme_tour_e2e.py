"""The README's five-minute tour, run as written against the local stack: its curl commands create the
destination and post the event, and the notification reaches the built-in sink, signature verified."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from tests.e2e.conftest import ROOT, LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

README = ROOT / "README.md"


def tour_commands() -> list[str]:
    """The shell blocks of the tour section that call the API, in order."""
    tour = README.read_text().split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", tour, flags=re.S)
    return [block for block in blocks if "curl" in block]


def test_the_readme_tour_delivers_to_the_sink(stack: LocalStack) -> None:
    _, token = stack.new_org_token()
    commands = tour_commands()
    assert len(commands) == 2 and "/v1/alerts" in commands[0] and "/v1/events" in commands[1]
    script = "set -e\n" + "\n".join(commands).replace("http://127.0.0.1:3000", stack.api_url)
    env = {**os.environ, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    done = subprocess.run(
        ["bash", "-c", script.replace("hrld_dev-token-please-change", token)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # curl -s prints the two answers back to back: the alert's, then the event's
    event_id = re.findall(r'"id":\s*"(evt_[A-Za-z0-9]+)"', done.stdout)[-1]

    def arrived() -> list[dict[str, str]]:
        found = stack.call("GET", "/_sink/demo", None).json()
        return [a for a in found if json.loads(a["body"])["data"]["eventId"] == event_id]

    [arrival] = stack.wait_for(arrived, timeout=30)
    assert arrival["signature"] == "verified"
    assert stack.call("GET", f"/v1/events/{event_id}", token).json()["deliveries"][0]["status"] == "delivered"
