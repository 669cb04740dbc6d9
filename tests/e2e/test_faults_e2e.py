"""Fault injection on the local stack: N events x 5 webhook destinations whose receivers answer 500, 429
(Retry-After: 1), a timeout, 503-then-500 and slow-but-fine to their first attempts, plus one that always
answers 400. Expected: exactly Nx5 successful receipts, no delivery id answered 2xx twice, every record of
the five delivered, every record of the sixth failed.

N is HERALD_FAULT_EVENTS (default 20; the issue asks for 200, which takes about ten minutes on the shared
stack — measured 38 s for 8 events, 127 s for 40 — so run it on its own:
`HERALD_FAULT_EVENTS=200 .venv/bin/pytest tests/e2e/test_faults_e2e.py`). Each faulty receiver fails
the first attempt of the first FAULTY_DELIVERIES deliveries it sees (/e503-500: the first two attempts of
half as many) — fewer consecutive failures than the circuit breaker's threshold, so the breaker stays closed
here (it is proved in tests/integration/test_reliability.py).
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

EVENTS = int(os.environ.get("HERALD_FAULT_EVENTS", "20"))
FAULTY_DELIVERIES = 4  # < HERALD_BREAKER_THRESHOLD (5)
STACK_HTTP_TIMEOUT = 10.0  # the stack's HERALD_HTTP_TIMEOUT_SECONDS default
BEHAVIOURS = ("/e500", "/e429", "/timeout", "/e503-500", "/slow", "/e400")


class FaultReceiver:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.attempts: Counter[tuple[str, str]] = Counter()
        self.successes: Counter[tuple[str, str]] = Counter()
        self.faulty_ids: dict[str, list[str]] = defaultdict(list)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers, delay = receiver.decide(self.path, self.headers.get("webhook-id", ""))
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    return  # the sender timed out and went away
                if 200 <= status < 300:
                    with receiver.lock:
                        receiver.successes[(self.path, self.headers.get("webhook-id", ""))] += 1

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 512

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def decide(self, path: str, delivery_id: str) -> tuple[int, dict[str, str], float]:
        with self.lock:
            self.attempts[(path, delivery_id)] += 1
            attempt = self.attempts[(path, delivery_id)]
            faulty = self.faulty_ids[path]
            # fewer than the breaker's threshold of consecutive failures: /e503-500 fails two attempts each
            limit = FAULTY_DELIVERIES // 2 if path == "/e503-500" else FAULTY_DELIVERIES
            if attempt == 1 and len(faulty) < limit:
                faulty.append(delivery_id)
            is_faulty = delivery_id in faulty
        if path == "/e400":
            return 400, {}, 0.0
        if path == "/slow":
            return 200, {}, 0.3
        if not is_faulty:
            return 200, {}, 0.0
        if path == "/e500" and attempt == 1:
            return 500, {}, 0.0
        if path == "/e429" and attempt == 1:
            return 429, {"Retry-After": "1"}, 0.0
        if path == "/timeout" and attempt == 1:
            return 200, {}, STACK_HTTP_TIMEOUT + 1  # answered too late: the sender timed out
        if path == "/e503-500" and attempt <= 2:
            return (503 if attempt == 1 else 500), {}, 0.0
        return 200, {}, 0.0

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def faults() -> Iterator[FaultReceiver]:
    server = FaultReceiver()
    yield server
    server.close()


def test_faults_lose_nothing_and_duplicate_nothing(
    stack: LocalStack, faults: FaultReceiver, record_property: Any
) -> None:
    # Given six webhook alerts: five whose receivers fail first attempts, one that always answers 400
    _, token = stack.new_org_token()
    for path in BEHAVIOURS:
        body = {"name": f"fault {path}", "strategy": "webhook", "url": faults.url(path)}
        answer = stack.call("POST", "/v1/alerts", token, body)
        assert answer.status == 201, answer.body

    # When N events are posted
    started = time.time()
    event_ids = []
    for n in range(EVENTS):
        answer = stack.call(
            "POST", "/v1/events", token, {"status": "triggered", "title": f"fault {n}", "monitorId": f"mon_fault{n}"}
        )
        assert answer.status == 202, answer.body
        event_ids.append(str(answer.json()["id"]))

    # Then every delivery comes to its final state
    def snapshot() -> dict[str, Counter[str]]:
        by_path: dict[str, Counter[str]] = defaultdict(Counter)
        for event_id in event_ids:
            for d in stack.call("GET", f"/v1/events/{event_id}", token).json()["deliveries"]:
                by_path[d["destination"]["name"].split(" ", 1)[1]][d["status"]] += 1
        return by_path

    def statuses() -> dict[str, Counter[str]] | None:
        by_path = snapshot()
        final = sum(c["delivered"] + c["failed"] for c in by_path.values())
        return by_path if final == EVENTS * len(BEHAVIOURS) else None

    result = stack.wait_for(statuses, timeout=90 + EVENTS * 4, every=1.0)
    assert result, f"deliveries did not finish: {dict(snapshot())}"
    elapsed = time.time() - started
    good = [p for p in BEHAVIOURS if p != "/e400"]
    receipts = sum(n for (path, _), n in faults.successes.items() if path in good)
    duplicates = sum(n - 1 for n in faults.successes.values() if n > 1)
    line = (
        f"faults: {EVENTS} events x {len(good)} destinations in {elapsed:.0f} s: {receipts} successful receipts "
        f"(expected {EVENTS * len(good)}), {duplicates} duplicates, "
        f"delivered {sum(result[p]['delivered'] for p in good)}, "
        f"always-400 failed {result['/e400']['failed']}/{EVENTS}"
    )
    print(line)
    record_property("faults", line)
    assert receipts == EVENTS * len(good)
    assert duplicates == 0
    for path in good:
        assert result[path] == Counter({"delivered": EVENTS}), (path, result[path])
    assert result["/e400"] == Counter({"failed": EVENTS})
    # the faults really happened: each faulty receiver saw retries
    for path in ("/e500", "/e429", "/timeout", "/e503-500"):
        assert sum(n for (p, _), n in faults.attempts.items() if p == path) > EVENTS, path
