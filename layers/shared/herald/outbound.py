"""Outbound HTTP for every channel: SSRF-checked, connecting to the address that was checked, no redirects."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

import urllib3

from herald.netguard import resolve_target
from herald.settings import get_settings

_pools: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = {}
_pools_lock = threading.Lock()


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class TransportError(Exception):
    """Timeout, refused or reset connection: worth a retry."""


def _pool(scheme: str, address: str, port: int, hostname: str) -> urllib3.HTTPConnectionPool:
    key = (scheme, address, port, hostname)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            timeout = urllib3.Timeout(connect=5.0, read=get_settings().http_timeout_seconds)
            if scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    address,
                    port,
                    timeout=timeout,
                    maxsize=10,
                    retries=False,
                    server_hostname=hostname,
                    assert_hostname=hostname,
                )
            else:
                pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, maxsize=10, retries=False)
            _pools[key] = pool
        return pool


# Set by a template preview (herald.templates.preview): it takes the request instead of the network.
intercept: ContextVar[Callable[[str, str, bytes | None, dict[str, str]], None] | None] = ContextVar(
    "herald_outbound_intercept", default=None
)


def request(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> HttpResult:
    taker = intercept.get()
    if taker is not None:
        taker(method, url, body, {"User-Agent": "Herald/0.1", **headers})
    parts, address = resolve_target(url)
    hostname = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host_header = hostname if parts.port is None else f"{hostname}:{parts.port}"
    if ":" in hostname and parts.port is None:
        host_header = f"[{hostname}]"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    pool = _pool(parts.scheme, address, port, hostname)
    try:
        response = pool.urlopen(
            method,
            path,
            body=body,
            headers={"Host": host_header, "User-Agent": "Herald/0.1", **headers},
            redirect=False,
            retries=False,
            preload_content=True,
            assert_same_host=False,
        )
    except urllib3.exceptions.HTTPError as error:
        raise TransportError(f"{type(error).__name__}: {error}") from None
    return HttpResult(
        status=response.status,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=response.data[:65536],
    )
