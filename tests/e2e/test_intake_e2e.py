"""Intake end to end on the local stack: a REAL Alertmanager (Debian's prometheus-alertmanager) sending to
Herald's webhook intake and to its PagerDuty Events v2 intake, the real PagerDuty client `pdpyras`, and
concurrent intake; what the user sees is each arrival at a loopback receiver."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from herald import ids
from tests.e2e.conftest import HttpAnswer, LocalStack, free_port
from tests.support.receiver import Receiver

with warnings.catch_warnings():  # pdpyras announces its successor, `pagerduty`, which refuses plain-http URLs
    warnings.simplefilter("ignore", UserWarning)
    import pdpyras

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# HERALD_ALERTMANAGER_BIN points the tests at another build (or, set to a missing path, shows the skip line).
ALERTMANAGER = (
    os.environ.get("HERALD_ALERTMANAGER_BIN")
    or shutil.which("prometheus-alertmanager")
    or "/usr/bin/prometheus-alertmanager"
)


# --- helpers -------------------------------------------------------------------------------------


def grafana_default_channel(stack: LocalStack, token: str, receiver: Receiver, path: str) -> None:
    """A destination that every event of the org reaches: a default Grafana webhook channel."""
    body = {"name": f"hook {path}", "type": "webhook", "isDefault": True, "settings": {"url": receiver.url(path)}}
    answer = stack.call("POST", "/api/alert-notifications", token, body)
    assert answer.status == 200, answer.body


def uptime_alert(stack: LocalStack, token: str, receiver: Receiver, path: str, monitor_id: str) -> None:
    """A second destination: an uptime alert of one monitor (the alert's `monitorId` label)."""
    body = {"name": f"uptime {path}", "strategy": "webhook", "url": receiver.url(path), "monitorId": monitor_id}
    answer = stack.call("POST", "/v1/alerts", token, body)
    assert answer.status == 201, answer.body


def routing_key(stack: LocalStack, org: str) -> str:
    """A key minted by `herald keys create --routing-key`, in PagerDuty's 32-character form."""
    args = [sys.executable, "-m", "herald.cli", "keys", "create", "--org", org, "--scope", "events:write"]
    out = subprocess.run([*args, "--routing-key"], env=stack.env(), capture_output=True, text=True, check=True)
    key = out.stdout.strip()
    assert len(key) == 32, key
    return key


def state_of(body: dict[str, Any]) -> str:
    """triggered or recovered, from a webhook body: Grafana's legacy `state` or Herald's `data.status`."""
    if "state" in body:
        return {"alerting": "triggered", "ok": "recovered"}.get(str(body["state"]), str(body["state"]))
    return str(body["data"]["status"])


def title_of(body: dict[str, Any]) -> str:
    return str(body["title"] if "title" in body else body["data"]["title"])


def states(receiver: Receiver, path: str) -> list[str]:
    """triggered / recovered of each arrival at `path`, sorted."""
    return sorted(state_of(r.json()) for r in receiver.requests(path))


def listed(stack: LocalStack, token: str, query: str) -> list[dict[str, Any]]:
    answer = stack.call("GET", f"/v1/events?{query}", token)
    assert answer.status == 200, answer.body
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


def settle(receiver: Receiver, seconds: float) -> None:
    """Waits while arrivals keep coming: until none came for `seconds`."""
    seen, quiet_since = -1, time.time()
    while time.time() - quiet_since < seconds:
        count = len(receiver.requests())
        if count != seen:
            seen, quiet_since = count, time.time()
        time.sleep(0.2)


# --- a real Alertmanager -------------------------------------------------------------------------


class Alertmanager:
    def __init__(self, config: str, workdir: Path) -> None:
        self.port = free_port()
        (workdir / "alertmanager.yml").write_text(config)
        self.log = workdir / "alertmanager.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    ALERTMANAGER,
                    f"--config.file={workdir / 'alertmanager.yml'}",
                    f"--storage.path={workdir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--cluster.listen-address=",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.time() + 30
        while not self._ready():
            if self.process.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("Alertmanager did not start:\n" + self.log.read_text())
            time.sleep(0.1)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=1) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def post_alerts(self, alerts: list[dict[str, Any]]) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v2/alerts",
            data=json.dumps(alerts).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def alertmanager_config(stack: LocalStack, webhook_token: str, pagerduty_key: str) -> str:
    """One receiver, two integrations: webhook_configs (bearer token) and pagerduty_configs (url + routing
    key), both pointing at the local stack. Small intervals, so that Alertmanager repeats within seconds."""
    return f"""
route:
  receiver: herald
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: herald
    webhook_configs:
      - url: {stack.api_url}/v1/intake/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {webhook_token}
    pagerduty_configs:
      - url: {stack.api_url}/v2/enqueue
        routing_key: {pagerduty_key}
        send_resolved: true
"""


@pytest.fixture
def alertmanager_binary() -> str:
    if not Path(ALERTMANAGER).exists():
        pytest.skip(
            "real Alertmanager tests skipped: prometheus-alertmanager is not installed "
            "(apt-get install -y prometheus-alertmanager; .ci/run installs it)"
        )
    return ALERTMANAGER


def _alert(instance: str, monitor_id: str, ends: str | None = None) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "labels": {"alertname": "HighLatency", "instance": instance, "severity": "critical", "monitorId": monitor_id},
        "annotations": {"summary": f"p99 above 1s on {instance}", "description": "for 5 minutes"},
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=latency",
    }
    if ends:
        alert["endsAt"] = ends
    return alert


@pytest.fixture
def alertmanager_setup(
    stack: LocalStack, receiver: Receiver, alertmanager_binary: str, tmp_path: Path
) -> Iterator[tuple[Alertmanager, str, str]]:
    """Org A receives Alertmanager's webhook, org B its PagerDuty events; each has two destinations."""
    _, token_a = stack.new_org_token()
    org_b, token_b = stack.new_org_token()
    monitor = "mon_" + ids.random_alnum(10)
    grafana_default_channel(stack, token_a, receiver, "/a/grafana")
    uptime_alert(stack, token_a, receiver, "/a/uptime", monitor)
    grafana_default_channel(stack, token_b, receiver, "/b/grafana")
    grafana_default_channel(stack, token_b, receiver, "/b/other")  # PagerDuty events name no monitor
    manager = Alertmanager(alertmanager_config(stack, token_a, routing_key(stack, org_b)), tmp_path)
    yield manager, monitor, token_a
    manager.stop()


def test_real_alertmanager_notifies_each_destination_once_per_firing_and_once_per_resolution(
    alertmanager_binary: str, stack: LocalStack, receiver: Receiver, alertmanager_setup: tuple[Alertmanager, str, str]
) -> None:
    manager, monitor, token_a = alertmanager_setup
    # Given two firing alerts posted to Alertmanager
    manager.post_alerts([_alert("api-1", monitor), _alert("api-2", monitor)])

    # When Alertmanager has sent them and repeated them (repeat_interval 2 s)
    def repeated() -> bool:
        events = listed(stack, token_a, "source=alertmanager&status=triggered")
        return len(events) == 2 and all(e["incident"]["count"] >= 3 for e in events)

    assert stack.wait_for(repeated, timeout=40, every=0.5), listed(stack, token_a, "source=alertmanager")
    settle(receiver, 2.0)
    # Then each firing alert reached each destination of org A once (webhook intake: one event per alert)
    assert states(receiver, "/a/grafana") == ["triggered", "triggered"]
    assert len(receiver.requests("/a/uptime")) == 2
    # And org B (PagerDuty intake: one event per group) once per destination
    assert states(receiver, "/b/grafana") == ["triggered"]
    assert states(receiver, "/b/other") == ["triggered"]

    # When both alerts are resolved
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    manager.post_alerts([_alert("api-1", monitor, ends=now), _alert("api-2", monitor, ends=now)])

    # Then each resolution reaches each destination once, and nothing repeats after it
    assert len(receiver.wait_for(10, timeout=40)) >= 10, [r.path for r in receiver.requests()]
    settle(receiver, 4.0)
    assert states(receiver, "/a/grafana") == ["recovered", "recovered", "triggered", "triggered"]
    assert len(receiver.requests("/a/uptime")) == 4
    assert states(receiver, "/b/grafana") == ["recovered", "triggered"]
    assert states(receiver, "/b/other") == ["recovered", "triggered"]
    # And the incidents are closed
    incidents = [e["incident"] for e in listed(stack, token_a, "source=alertmanager")]
    assert {i["state"] for i in incidents} == {"closed"} and len(incidents) == 4


# --- pdpyras, the PagerDuty client -----------------------------------------------------------------


def pagerduty_session(stack: LocalStack, key: str) -> pdpyras.EventsAPISession:
    session = pdpyras.EventsAPISession(key)
    session.url = stack.api_url
    return session


def test_pdpyras_triggers_acknowledges_and_resolves(stack: LocalStack, receiver: Receiver) -> None:
    org, token = stack.new_org_token()
    grafana_default_channel(stack, token, receiver, "/pd/grafana")
    session = pagerduty_session(stack, routing_key(stack, org))

    # trigger without a dedup_key: PagerDuty's client gets a generated one back
    dedup_key = session.trigger("Disk full on db-1", "db-1", severity="warning", custom_details={"free": "0%"})
    assert dedup_key and isinstance(dedup_key, str)
    (first,) = receiver.wait_for(1, path="/pd/grafana")
    assert state_of(first.json()) == "triggered" and title_of(first.json()).endswith("Disk full on db-1")
    # the same trigger again notifies nobody: it is counted on the incident
    assert session.trigger("Disk full on db-1", "db-1", dedup_key=dedup_key) == dedup_key

    # acknowledge: the incident is acknowledged (escalations stop)
    assert session.acknowledge(dedup_key) == dedup_key
    [event] = listed(stack, token, f"dedupKey={dedup_key}")
    assert event["source"] == "pagerduty" and event["severity"] == "warning"
    assert event["incident"]["state"] == "acknowledged" and event["incident"]["count"] == 2

    # resolve: one recovery to the destination told of the trigger
    assert session.resolve(dedup_key) == dedup_key
    receiver.wait_for(2, path="/pd/grafana")
    settle(receiver, 2.0)
    assert states(receiver, "/pd/grafana") == ["recovered", "triggered"]
    assert {e["incident"]["state"] for e in listed(stack, token, f"dedupKey={dedup_key}")} == {"closed"}

    # acknowledge and resolve of an unknown dedup_key are accepted and do nothing, as PagerDuty does
    assert session.resolve("never-triggered") == "never-triggered"
    assert session.acknowledge("never-triggered") == "never-triggered"
    assert listed(stack, token, "dedupKey=never-triggered") == []


def test_pdpyras_unknown_routing_key_gets_pagerdutys_invalid_event(stack: LocalStack) -> None:
    session = pagerduty_session(stack, ids.random_alnum(32))
    with pytest.raises(pdpyras.PDClientError) as raised:
        session.trigger("x", "y")
    response = raised.value.response
    assert response is not None and response.status_code == 400
    assert response.json() == {
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": ["Invalid routing key"],
    }


# --- concurrency over HTTP -------------------------------------------------------------------------


def _post_many(stack: LocalStack, token: str, body: dict[str, Any], headers: dict[str, str], n: int) -> list[Any]:
    def post(_: int) -> HttpAnswer:
        request = urllib.request.Request(
            stack.api_url + "/v1/events", data=json.dumps(body).encode(), method="POST", headers=headers
        )
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return HttpAnswer(answer.status, answer.read(), dict(answer.headers.items()))
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, error.read(), dict(error.headers.items()))

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(post, range(n)))


def test_twenty_identical_triggers_at_once_notify_each_destination_once(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    monitor = "mon_" + ids.random_alnum(10)
    grafana_default_channel(stack, token, receiver, "/race/grafana")
    uptime_alert(stack, token, receiver, "/race/uptime", monitor)
    body = {"status": "triggered", "title": "API down", "dedupKey": "api-down", "monitorId": monitor}

    answers = _post_many(stack, token, body, {}, 20)

    assert [a.status for a in answers] == [202] * 20
    assert len({a.json()["id"] for a in answers}) == 1  # all answered with the one incident's event
    receiver.wait_for(2)
    settle(receiver, 2.0)
    got = "\n".join(f"{r.path} {r.headers.get('webhook-id')} {r.at}" for r in receiver.requests())
    assert len(receiver.requests("/race/grafana")) == 1 and len(receiver.requests("/race/uptime")) == 1, got
    [event] = listed(stack, token, "dedupKey=api-down")
    assert event["incident"]["count"] == 20 and event["deliveries"]["pending"] + event["deliveries"]["delivered"] == 2


def test_twenty_retries_with_one_idempotency_key_store_one_event(stack: LocalStack, receiver: Receiver) -> None:
    _, token = stack.new_org_token()
    grafana_default_channel(stack, token, receiver, "/idem/grafana")
    body = {"status": "triggered", "title": "Payment failures"}  # no dedupKey: only the key protects it

    answers = _post_many(stack, token, body, {"Idempotency-Key": "retry-7f3a"}, 20)

    # Every answer is the first answer again, or 409 while the first was still in progress
    assert {a.status for a in answers} <= {202, 409} and 202 in {a.status for a in answers}
    assert len({a.json()["id"] for a in answers if a.status == 202}) == 1
    receiver.wait_for(1)
    settle(receiver, 2.0)
    assert len(receiver.requests("/idem/grafana")) == 1
    assert len(listed(stack, token, "source=api")) == 1
