"""Retries past an outage, the retry horizon and the circuit breaker, end to end on local stacks with their
own retry settings (issue 13, "Done when" and defect 13). A real loopback receiver counts every request
and every 2xx per `webhook-id`."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack, local_stack

# Its stacks are its own (not the shared one): its own xdist group runs beside the shared-stack suites.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-own-stacks")]

# Answer = (status, headers) for the n-th request (1-based) at time t.
Answer = Callable[[int, float], tuple[int, dict[str, str]]]


class ScriptedReceiver:
    def __init__(self, answer: Answer) -> None:
        self.lock = threading.Lock()
        self.requests: list[tuple[float, str, int]] = []  # (time, webhook-id, status)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    status, headers = answer(len(receiver.requests) + 1, time.time())
                    receiver.requests.append((time.time(), self.headers.get("webhook-id", ""), status))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def successes(self) -> Counter[str]:
        with self.lock:
            return Counter(webhook_id for _, webhook_id, status in self.requests if 200 <= status < 300)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[Callable[[Answer], ScriptedReceiver]]:
    made: list[ScriptedReceiver] = []

    def make(answer: Answer) -> ScriptedReceiver:
        made.append(ScriptedReceiver(answer))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


RETRY_SETTINGS = {
    "HERALD_RETRY_BASE_SECONDS": "1",
    "HERALD_RETRY_HORIZON_SECONDS": "300",
    # probes 2 s after opening, doubling to 3 s: the defect-13 scenario's ten probes fit in a short test
    "HERALD_BREAKER_PROBE_SECONDS": "2",
    "HERALD_BREAKER_COOLOFF_SECONDS": "3",
}


@pytest.fixture(scope="module")
def retry_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with local_stack(tmp_path_factory.mktemp("retry-stack"), **RETRY_SETTINGS) as local:
        yield local


def webhook_alert(stack: LocalStack, url: str) -> tuple[str, str]:
    """A fresh org with one webhook alert; returns (token, alert id)."""
    _, token = stack.new_org_token()
    answer = stack.call("POST", "/v1/alerts", token, {"name": "e2e retries", "strategy": "webhook", "url": url})
    assert answer.status == 201, answer.body
    return token, str(answer.json()["id"])


def post_events(stack: LocalStack, token: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        answer = stack.call(
            "POST", "/v1/events", token, {"status": "triggered", "title": f"retry {n}", "monitorId": f"mon_r{n}"}
        )
        assert answer.status == 202, answer.body
        ids.append(str(answer.json()["id"]))
    return ids


def deliveries(stack: LocalStack, token: str, event_ids: list[str]) -> list[dict[str, Any]]:
    return [d for e in event_ids for d in stack.call("GET", f"/v1/events/{e}", token).json()["deliveries"]]


def all_final(stack: LocalStack, token: str, event_ids: list[str], status: str) -> list[dict[str, Any]] | None:
    found = deliveries(stack, token, event_ids)
    return found if len(found) == len(event_ids) and all(d["status"] == status for d in found) else None


def test_a_60_s_outage_is_outlasted_exactly_once_and_a_receiver_that_never_recovers_fails_at_the_horizon(
    retry_stack: LocalStack,
    receivers: Callable[[Answer], ScriptedReceiver],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with ExitStack() as stacks:
        # Given a second stack whose retry horizon is 20 s, and a receiver there that never recovers
        short = stacks.enter_context(
            local_stack(tmp_path_factory.mktemp("horizon-stack"), HERALD_RETRY_HORIZON_SECONDS="20")
        )
        never = receivers(lambda n, t: (503, {}))
        never_token, never_alert = webhook_alert(short, never.url())
        # and, on the first stack (horizon 300 s), a receiver that fails for 60 s and then recovers
        recovers_at = time.time() + 60
        outage = receivers(lambda n, t: (503, {}) if t < recovers_at else (200, {}))
        outage_token, _ = webhook_alert(retry_stack, outage.url())

        # When events are posted to both
        doomed = post_events(short, never_token, 3)
        survivors = post_events(retry_stack, outage_token, 5)

        # Then the never-recovering receiver's deliveries end failed, with the last error, after the horizon
        failed = short.wait_for(lambda: all_final(short, never_token, doomed, "failed"), timeout=120, every=1.0)
        assert failed, deliveries(short, never_token, doomed)
        for d in failed:
            assert d["lastError"].startswith("gave up after") and "HTTP 503" in d["lastError"], d
        history = short.call("GET", f"/v1/alerts/{never_alert}/events", never_token).json()["events"]
        assert sorted(h["status"] for h in history) == ["failed"] * 3
        assert never.successes() == Counter()

        # And the recovered receiver gets every notification exactly once, after it recovered
        delivered = retry_stack.wait_for(
            lambda: all_final(retry_stack, outage_token, survivors, "delivered"), timeout=240, every=1.0
        )
        assert delivered, deliveries(retry_stack, outage_token, survivors)
        assert outage.successes() == Counter({d["id"]: 1 for d in delivered})
        assert all(at >= recovers_at for at, _, status in outage.requests if status == 200)
        assert sum(1 for _, _, status in outage.requests if status == 503) >= 5  # the outage was real


def test_a_breaker_opened_by_a_failing_burst_delivers_all_40_exactly_once_soon_after_recovery(
    retry_stack: LocalStack, receivers: Callable[[Answer], ScriptedReceiver]
) -> None:
    # Given a receiver answering 500, 503, 429 (Retry-After: 1), 502 in turn to its first 20 requests, then 200
    faults = [(500, {}), (503, {}), (429, {"Retry-After": "1"}), (502, {})]
    receiver = receivers(lambda n, t: faults[(n - 1) % 4] if n <= 20 else (200, {}))
    token, _ = webhook_alert(retry_stack, receiver.url())

    # When a burst of 40 events is posted
    events = post_events(retry_stack, token, 40)

    # Then all 40 arrive exactly once, within 2 minutes of the receiver's recovery (its 21st request)
    delivered = retry_stack.wait_for(lambda: all_final(retry_stack, token, events, "delivered"), timeout=240, every=1.0)
    assert delivered, Counter(d["status"] for d in deliveries(retry_stack, token, events))
    assert receiver.successes() == Counter({d["id"]: 1 for d in delivered})
    recovered_at = receiver.requests[20][0]
    last_success = max(at for at, _, status in receiver.requests if status == 200)
    assert last_success - recovered_at < 120, last_success - recovered_at
