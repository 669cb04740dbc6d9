"""A loopback HTTP receiver: records every request and answers from a script (status, headers, body,
delay), so tests can check the exact request a channel sent and drive retries."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: deque[Reply] = deque()
        self.default = Reply()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with receiver.lock:
                    receiver.received.append(
                        Received(
                            self.command,
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            time.time(),
                        )
                    )
                    reply = receiver.script.popleft() if receiver.script else receiver.default
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = _handle

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def then(self, *replies: Reply) -> Receiver:
        with self.lock:
            self.script.extend(replies)
        return self

    def wait_for(self, count: int, timeout: float = 20.0, path: str | None = None) -> list[Received]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.requests(path)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.requests(path)

    def requests(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.received if path is None or r.path == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# A test module that names these (`receiver, shared_receiver = loopback.module_receiver, loopback.shared_receiver`)
# shares one receiver between its tests.
@pytest.fixture(scope="module")
def shared_receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def module_receiver(shared_receiver: Receiver) -> Receiver:
    """One loopback receiver for the module (closing one costs half a second), emptied for each test."""
    with shared_receiver.lock:
        shared_receiver.received.clear()
        shared_receiver.script.clear()
    return shared_receiver
