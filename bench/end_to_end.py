"""Section 5: end to end on the local stack. `python -m herald_local` (what `make run` starts) on free
loopback ports; one webhook alert pointing at a loopback receiver in this process; then
POST /v1/events → stream → fan-out → SQS → delivery → receiver:

- latency: 200 events from one client, at most 4 undelivered at a time, p50/p95 from the POST to the
  webhook's arrival;
- sustained rate: 4 clients post for a bounded time and count, at most 30 undelivered at a time (the
  stack sets the pace, no backlog grows); delivered rate = events / (last arrival - first POST),
  reported as the sustained rate only when nothing was lost.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import ROOT, free_port, percentile
from bench.report import Section, Table, Target, fmt_ms

TITLE = "End to end on the local stack"
LATENCY_EVENTS = 200
LATENCY_WINDOW = 4  # events in flight at most while measuring latency (no queueing behind a backlog)
LATENCY_SECONDS = 90.0  # bound on the latency phase's posting
BURST_EVENTS = 1000
BURST_CLIENTS = 4
BURST_WINDOW = 30  # events in flight at most while measuring the sustained rate
BURST_SECONDS = 15.0
DRAIN_SECONDS = 45.0
TARGET_RATE = 30.0  # issue #20: delivered events/s, zero loss
TARGET_P50 = 0.3  # issue #20: seconds
TOKEN = "hrld_bench-dev-token-0123456789"  # noqa: S105 - a throwaway key of a throwaway local stack


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    host: str
    port: int
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_stack(workdir: Path) -> Stack:
    api_port, aws_port = free_port(), free_port()
    env = {
        **os.environ,
        "HERALD_PORT": str(api_port),
        "HERALD_AWS_PORT": str(aws_port),
        "HERALD_DEV_TOKEN": TOKEN,
        "HERALD_DEV_ORG": "0123456789abcdef",
        "PYTHONUNBUFFERED": "1",
        "HERALD_RATE_LIMIT_PER_SECOND": "100000",
        "HERALD_RATE_LIMIT_BURST": "100000",
        "HERALD_PRINT_DELIVERIES": "0",
    }
    for name in ("AWS_ENDPOINT_URL", "TABLE_NAME", "HERALD_KMS_KEY_ID", "HERALD_ALLOW_PRIVATE_TARGETS"):
        env.pop(name, None)
    env = {k: v for k, v in env.items() if not k.startswith("QUEUE_URL_")}
    log = workdir / "stack.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "herald_local"], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )
    stack = Stack(process, "127.0.0.1", api_port, log)
    deadline = time.time() + 120
    while "Herald local stack is up" not in log.read_text():
        if process.poll() is not None or time.time() > deadline:
            stack.stop()
            raise RuntimeError("local stack did not start: " + log.read_text()[-500:])
        time.sleep(0.1)
    return stack


class Client:
    """One keep-alive HTTP/1.1 connection to the API."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: Any) -> tuple[int, Any]:
        data = json.dumps(body)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request("POST", path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def event_body(i: int, tag: str) -> dict[str, Any]:
    return {
        "monitorId": f"mon_bench{i % 5}",
        "service": "checkout",
        "status": "triggered",
        "severity": "critical",
        "title": f"checkout.example.com is down ({tag} {i})",
        "message": "HTTP 503 from 3 regions",
        "dedupKey": f"bench-{tag}-{i}",
    }


class Tracker:
    """Events posted (id → POST time) and their first webhook arrival (id → arrival time), read
    incrementally from the receiver; a second request for the same id counts as a duplicate."""

    def __init__(self, receiver: Any, path: str) -> None:
        self.receiver = receiver
        self.path = path
        self.sent: dict[str, float] = {}
        self.arrived: dict[str, float] = {}
        self.rejected = 0
        self.duplicates = 0
        self._cursor = 0
        self.lock = threading.Lock()

    def posted(self, status: int, body: Any, at: float) -> None:
        with self.lock:
            if status == 202 and isinstance(body, dict) and body.get("id"):
                self.sent[str(body["id"])] = at
            else:
                self.rejected += 1

    def update(self) -> None:
        with self.receiver.lock:
            new = self.receiver.received[self._cursor :]
            self._cursor += len(new)
        with self.lock:
            for request in new:
                if request.path != self.path:
                    continue
                try:
                    event_id = str(json.loads(request.body)["data"]["eventId"])
                except (ValueError, KeyError, TypeError):
                    continue
                if event_id in self.arrived:
                    self.duplicates += 1
                else:
                    self.arrived[event_id] = request.at

    def in_flight(self) -> int:
        self.update()
        with self.lock:
            return sum(1 for e in self.sent if e not in self.arrived)

    def drain(self, timeout: float) -> None:
        deadline = time.time() + timeout
        while self.in_flight() and time.time() < deadline:
            time.sleep(0.1)

    def delivered(self) -> list[tuple[float, float]]:
        with self.lock:
            return [(t, self.arrived[e]) for e, t in self.sent.items() if e in self.arrived]


def post_loop(stack: Stack, tracker: Tracker, tag: str, count: int, window: int, clients: int, seconds: float) -> float:
    """`clients` keep-alive clients post up to `count` events within `seconds`, never more than `window`
    undelivered at once (a closed loop: the stack sets the pace, nothing piles up). Returns the time spent."""
    numbers = iter(range(count))
    numbers_lock = threading.Lock()
    stop_at = time.time() + seconds

    def loop() -> None:
        client = Client(stack.host, stack.port)
        try:
            while time.time() < stop_at:
                if tracker.in_flight() >= window:
                    time.sleep(0.02)
                    continue
                with numbers_lock:
                    i = next(numbers, None)
                if i is None:
                    return
                sent = time.time()
                status, body = client.post("/v1/events", event_body(i, tag))
                tracker.posted(status, body, sent)
        finally:
            client.close()

    started = time.time()
    threads = [threading.Thread(target=loop, name=f"bench-{tag}-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.time() - started


def latency_phase(stack: Stack, receiver: Any) -> dict[str, Any]:
    tracker = Tracker(receiver, "/latency")
    post_loop(stack, tracker, "latency", LATENCY_EVENTS, LATENCY_WINDOW, 1, LATENCY_SECONDS)
    tracker.drain(DRAIN_SECONDS)
    latencies = [arrived - sent for sent, arrived in tracker.delivered()]
    return {
        "posted": len(tracker.sent),
        "rejected": tracker.rejected,
        "delivered": len(latencies),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": max(latencies, default=float("nan")),
        "duplicates": tracker.duplicates,
    }


def burst_phase(stack: Stack, receiver: Any) -> dict[str, Any]:
    tracker = Tracker(receiver, "/burst")
    posting = post_loop(stack, tracker, "burst", BURST_EVENTS, BURST_WINDOW, BURST_CLIENTS, BURST_SECONDS)
    tracker.drain(DRAIN_SECONDS)
    pairs = tracker.delivered()
    first_sent = min(tracker.sent.values(), default=0.0)
    span = (max(a for _, a in pairs) - first_sent) if pairs else float("nan")
    return {
        "posted": len(tracker.sent),
        "rejected": tracker.rejected,
        "posting_seconds": posting,
        "delivered": len(pairs),
        "span": span,
        "rate": len(pairs) / span if pairs and span > 0 else float("nan"),
        "duplicates": tracker.duplicates,
    }


def create_alert(stack: Stack, url: str, name: str) -> None:
    client = Client(stack.host, stack.port)
    try:
        status, body = client.post("/v1/alerts", {"name": name, "strategy": "webhook", "url": url})
    finally:
        client.close()
    if status != 201:
        raise RuntimeError(f"creating the webhook alert answered {status}: {body}")


def run(context: dict[str, Any]) -> Section:
    from tests.support.receiver import Receiver

    section = Section(5, TITLE)
    workdir = Path(tempfile.mkdtemp(prefix="herald-bench-e2e-"))
    receiver = Receiver()
    stack = start_stack(workdir)
    try:
        # Two alerts, one per phase, each matching only its phase's monitors would need routing rules the
        # uptime family does not have: instead each phase's events go to an alert created just before it.
        create_alert(stack, receiver.url("/latency"), "bench latency")
        latency = latency_phase(stack, receiver)
        _delete_alerts(stack)
        create_alert(stack, receiver.url("/burst"), "bench burst")
        burst = burst_phase(stack, receiver)
    finally:
        stack.stop()
        receiver.close()
        shutil.rmtree(workdir, ignore_errors=True)

    table = Table(
        [
            "phase",
            "events posted",
            "delivered",
            f"not delivered within {DRAIN_SECONDS:.0f} s",
            "duplicates",
            "p50",
            "p95",
            "max",
            "rate",
        ]
    )
    lost_a = latency["posted"] - latency["delivered"]
    table.add(
        f"latency: {LATENCY_EVENTS} events, one client, ≤ {LATENCY_WINDOW} in flight",
        latency["posted"],
        latency["delivered"],
        lost_a,
        latency["duplicates"],
        fmt_ms(latency["p50"]),
        fmt_ms(latency["p95"]),
        fmt_ms(latency["max"]),
        "—",
    )
    lost_b = burst["posted"] - burst["delivered"]
    rate = (
        f"{burst['rate']:.1f} events/s delivered with zero loss"
        if lost_b == 0 and burst["posted"]
        else f"{burst['rate']:.1f} events/s, {lost_b} not delivered (no zero-loss rate)"
    )
    table.add(
        f"sustained: ≤ {BURST_EVENTS} events in ≤ {BURST_SECONDS:.0f} s, {BURST_CLIENTS} clients, "
        f"≤ {BURST_WINDOW} in flight",
        burst["posted"],
        burst["delivered"],
        lost_b,
        burst["duplicates"],
        "",
        "",
        "",
        rate,
    )
    section.tables.append(table)
    if latency["rejected"] or burst["rejected"]:
        section.notes.append(f"POSTs not answered 202: {latency['rejected'] + burst['rejected']}.")
    section.notes += [
        "The local stack runs in one process on this machine: moto's server (requests applied one at a time), "
        "the API server, the stream poller (every 0.2 s, batch window as in the template) and the queue "
        "pollers. Latency is time.time() at the POST to the receiver's arrival time; it includes the pollers' "
        "intervals, which Lambda's event source mappings also have (batching windows of 1 s in the template).",
        f"Sustained: {BURST_CLIENTS} keep-alive clients post as fast as the API answers while fewer than "
        f"{BURST_WINDOW} events are undelivered, for at most {BURST_SECONDS:.0f} s or {BURST_EVENTS} events; "
        "the delivered rate is events / (last webhook arrival − first POST). Each phase then waits at most "
        f"{DRAIN_SECONDS:.0f} s for stragglers; what has not arrived by then is counted as not delivered.",
        f"Latency: one client, at most {LATENCY_WINDOW} events undelivered at a time, so the figures are the "
        "pipeline's latency rather than time spent queued behind earlier events.",
    ]
    section.targets += [
        Target(
            f"local stack ≥ {TARGET_RATE:.0f} delivered events/s, zero loss",
            rate,
            lost_b == 0 and bool(burst["posted"]) and burst["rate"] >= TARGET_RATE,
            row="local_rate",
            why="one process on this machine: moto's server, the API server and the pollers share its CPU",
        ),
        Target(
            f"local stack end-to-end p50 ≤ {fmt_ms(TARGET_P50)}",
            fmt_ms(latency["p50"]),
            latency["p50"] <= TARGET_P50,
            row="local_p50",
            why="the pollers' intervals and batching windows are part of the latency",
        ),
    ]
    context["e2e"] = {"latency": latency, "burst": burst}
    return section


def _delete_alerts(stack: Stack) -> None:
    connection = http.client.HTTPConnection(stack.host, stack.port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        connection.request("GET", "/v1/alerts", headers=headers)
        listed = json.loads(connection.getresponse().read() or b"{}")
        for alert in listed.get("alerts", []):
            connection.request("DELETE", f"/v1/alerts/{alert['id']}", headers=headers)
            connection.getresponse().read()
    finally:
        connection.close()
