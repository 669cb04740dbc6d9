"""A hostile loopback receiver: it reads the request, then trickles its answer one byte a second, so every
read succeeds well within a read timeout and only a sender's total deadline ends the exchange."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class Trickle:
    def __init__(self, interval: float = 1.0) -> None:
        self.arrivals: list[float] = []  # time.time() of each request
        self.stopped = threading.Event()
        trickle = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                trickle.arrivals.append(time.time())
                try:
                    for byte in ANSWER:
                        if trickle.stopped.wait(interval):
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                except OSError:
                    pass  # the sender gave up: what a trickling receiver wants is to hold it until then

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/trickle") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()
