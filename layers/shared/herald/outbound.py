"""Outbound HTTP for every channel: SSRF-checked, connecting to the address that was checked, no redirects.

Every send has a total deadline (`HERALD_SEND_DEADLINE_SECONDS`, default 15): connect, request and
response together, however slowly a server drips its answer. At most 64 KB of the answer is read, then the
connection is closed.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

from herald.netguard import TemporaryResolveError, resolve_target
from herald.settings import get_settings

MAX_RESPONSE_BYTES = 65536


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class TransportError(Exception):
    """Timeout, refused or reset connection, a DNS failure that may pass: worth a retry."""


class _Deadline:
    """Shuts the connection's socket down when the send's time is up, which ends any blocked read."""

    def __init__(self, connection: HTTPConnection, seconds: float) -> None:
        self.connection = connection
        self.expired = False
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Deadline:
        self.timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.timer.cancel()
        self.connection.close()


def _connection(scheme: str, address: str, port: int, hostname: str, deadline: float) -> HTTPConnection:
    # the socket timeout bounds each connect and read; the deadline bounds them all together
    timeout = min(get_settings().http_timeout_seconds, deadline)
    if scheme == "https":
        return HTTPSConnection(address, port, timeout=timeout, server_hostname=hostname, assert_hostname=hostname)
    return HTTPConnection(address, port, timeout=timeout)


# Set by a template preview (herald.templates.preview): it takes the request instead of the network.
intercept: ContextVar[Callable[[str, str, bytes | None, dict[str, str]], None] | None] = ContextVar(
    "herald_outbound_intercept", default=None
)


def request(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> HttpResult:
    taker = intercept.get()
    if taker is not None:
        taker(method, url, body, {"User-Agent": "Herald/0.1", **headers})
    deadline = get_settings().send_deadline_seconds
    started = time.monotonic()
    try:
        parts, address = resolve_target(url)
    except TemporaryResolveError as error:
        raise TransportError(str(error)) from None
    hostname = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host_header = hostname if parts.port is None else f"{hostname}:{parts.port}"
    if ":" in hostname and parts.port is None:
        host_header = f"[{hostname}]"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    remaining = max(0.001, deadline - (time.monotonic() - started))
    connection = _connection(parts.scheme, address, port, hostname, remaining)
    with _Deadline(connection, remaining) as timer:
        try:
            connection.request(
                method,
                path,
                body=body,
                headers={"Host": host_header, "User-Agent": "Herald/0.1", **headers},
                preload_content=False,
            )
            response = connection.getresponse()
            data = response.read(MAX_RESPONSE_BYTES)
        # a half-read answer (a status line cut off when the deadline closed the socket) is an HTTPException
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as error:
            if timer.expired:
                raise TransportError(f"no complete answer within the {deadline:g} s send deadline") from None
            raise TransportError(f"{type(error).__name__}: {error}") from None
        if timer.expired:
            raise TransportError(f"no complete answer within the {deadline:g} s send deadline")
    return HttpResult(
        status=response.status,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=data[:MAX_RESPONSE_BYTES],
    )
