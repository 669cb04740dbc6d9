"""What the sections share: the environment, moto in-process, the AWS call counter, the sample events."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
SAMPLE_ORG = "0123456789abcdef"
SAMPLE_TOKEN = "hrld_sample-token-for-sam-local-invoke"  # noqa: S105 - the documented sample key

# The environment every section starts from (as tests/conftest.py sets it): fake credentials, no X-Ray,
# no metrics flush, quiet logs. The per-key rate limit is lifted: the bench measures cost, not throttling.
BASE_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
    "POWERTOOLS_DEV": "false",
    "HERALD_ALLOW_PRIVATE_TARGETS": "1",
    "HERALD_RETRY_BASE_SECONDS": "1",
    "HERALD_HTTP_TIMEOUT_SECONDS": "5",
    "HERALD_RATE_LIMIT_PER_SECOND": "100000",
    "HERALD_RATE_LIMIT_BURST": "100000",
}


def apply_base_env() -> None:
    os.environ.update(BASE_ENV)
    os.environ.pop("AWS_ENDPOINT_URL", None)


@contextlib.contextmanager
def patched_env(values: dict[str, str], remove: tuple[str, ...] = ()) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    for name in remove:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def reset_caches() -> None:
    """Per-container caches of the shared layer (settings, table, clients, keys), as a new container has."""
    from herald import caches

    caches.reset()


# --- counting AWS calls -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    size: int  # bytes of the serialized request (an upper bound of the item size for writes)
    auth: bool  # the GetItem of an API key (cached per container)
    items: int  # TransactWriteItems: items in the transaction; SendMessageBatch: entries
    item_bytes: int = 0  # DynamoDB size of the item written (PutItem; largest Put of a transaction)


def attribute_size(value: dict[str, Any]) -> int:
    """DynamoDB's size of one attribute value in wire format ({"S": ...}, {"M": {...}}, ...)."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        digits = str(inner).lstrip("-").replace(".", "").lstrip("0")
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(base64.b64decode(inner))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + attribute_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(attribute_size(v) + 1 for v in inner)
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_size({kind[0]: v}) for v in inner)
    return len(json.dumps(inner))


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (what write and read units are charged on)."""
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


@dataclass
class Calls:
    calls: list[Call] = field(default_factory=list)

    def count(self, operation: str, service: str = "dynamodb", include_auth: bool = False) -> int:
        return sum(
            1 for c in self.calls if c.service == service and c.operation == operation and (include_auth or not c.auth)
        )

    def by_operation(self, include_auth: bool = False) -> Counter[str]:
        return Counter(f"{c.service}:{c.operation}" for c in self.calls if include_auth or not c.auth)

    @property
    def auth(self) -> int:
        return sum(1 for c in self.calls if c.auth)

    def dynamodb(self) -> list[Call]:
        return [c for c in self.calls if c.service == "dynamodb" and not c.auth]

    def other(self) -> Counter[str]:
        return Counter(f"{c.service}:{c.operation}" for c in self.calls if c.service != "dynamodb")


class CallCounter:
    """botocore `before-call` hooks on the default boto3 session: every client made from it after
    `install()` (the table's, herald.aws.client's, lazily created ones too) reports each API call once
    (retries are not calls)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: list[Calls] = []

    def install(self) -> None:
        session = boto3._get_default_session()
        session.events.register("before-call", self._hook, unique_id="herald-bench-counter")

    def _hook(self, model: Any, params: dict[str, Any], **kwargs: Any) -> None:
        event_name = str(kwargs.get("event_name", ""))
        parts = event_name.split(".")
        service = parts[1] if len(parts) > 2 else ""
        operation = str(getattr(model, "name", parts[-1]))
        body = params.get("body") or b""
        raw = body if isinstance(body, bytes) else str(body).encode()
        # The key lookup and the key's rate budget are the authentication's calls, counted apart from the route's.
        auth = service == "dynamodb" and (
            (operation == "GetItem" and b'"KEY#' in raw) or (operation == "UpdateItem" and b'"RATE#' in raw)
        )
        items = item_bytes = 0
        try:
            if operation in ("TransactWriteItems", "SendMessageBatch", "BatchWriteItem"):
                data = json.loads(raw)
                entries = data.get("TransactItems") or data.get("Entries") or data.get("RequestItems") or []
                items = len(entries) if isinstance(entries, list) else sum(len(v) for v in entries.values())
                puts = [e["Put"]["Item"] for e in entries if isinstance(e, dict) and "Put" in e]
                item_bytes = max((item_size(i) for i in puts), default=0)
            elif service == "dynamodb" and operation == "PutItem":
                item_bytes = item_size(json.loads(raw)["Item"])
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
        call = Call(service, operation, len(raw), auth, items, item_bytes)
        with self._lock:
            for window in self._windows:
                window.calls.append(call)

    @contextlib.contextmanager
    def window(self) -> Iterator[Calls]:
        calls = Calls()
        with self._lock:
            self._windows.append(calls)
        try:
            yield calls
        finally:
            with self._lock:
                self._windows.remove(calls)


@contextlib.contextmanager
def in_process_aws() -> Iterator[tuple[Any, CallCounter]]:
    """moto in-process with template.yaml's resources (like tests/conftest.py's aws_env fixture);
    yields the template resolver and a call counter installed before any Herald client exists."""
    from moto import mock_aws

    from herald_local.template import Template, provision

    with mock_aws():
        counter = CallCounter()
        counter.install()
        resolver = provision(Template(), functools.partial(boto3.client, region_name="us-east-1"))
        local = {**resolver.environment(), "HERALD_ALLOW_PRIVATE_TARGETS": "1"}  # loopback receivers
        with patched_env(local, remove=("AWS_ENDPOINT_URL",)):
            reset_caches()
            try:
                yield resolver, counter
            finally:
                reset_caches()


@contextlib.contextmanager
def moto_process() -> Iterator[str]:
    """moto's server (herald_local.moto_server) in its own process: AWS calls are then network I/O for the
    process under test, as on AWS, instead of emulation competing with it for this interpreter's GIL."""
    import subprocess
    import sys

    port = free_port()
    code = (
        "import time; from herald_local.moto_server import MotoServer; "
        f"MotoServer(port={port}).start(); time.sleep(86400)"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto's server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def server_aws() -> Iterator[tuple[Any, CallCounter]]:
    """Like in_process_aws, with moto's server in its own process (moto_process)."""
    from herald_local.template import Template, provision

    with moto_process() as url:
        counter = CallCounter()
        counter.install()
        resolver = provision(Template(), functools.partial(boto3.client, endpoint_url=url, region_name="us-east-1"))
        local = {**resolver.environment(), "HERALD_ALLOW_PRIVATE_TARGETS": "1", "AWS_ENDPOINT_URL": url}
        with patched_env(local):
            reset_caches()
            try:
                yield resolver, counter
            finally:
                reset_caches()


def seed_sample_records() -> None:
    """The org, the all-scope key and every record the sample events in events/ name (as the sample-event
    tests seed them), so each sample is measured on a record that exists. Webhook destinations point at a
    closed loopback port: no section delivers to them."""
    from tests.support.sample_records import seed_all

    seed_all("http://127.0.0.1:9/bench")


# --- sample events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    path: Path
    event: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def route_key(self) -> str:
        return str(self.event.get("routeKey") or "")

    def body(self) -> str | None:
        raw = self.event.get("body")
        if raw is None:
            return None
        if self.event.get("isBase64Encoded"):
            return base64.b64decode(raw).decode()
        return str(raw)


def samples(folder: str) -> list[Sample]:
    found = []
    for path in sorted((EVENTS / folder).glob("*.json")):
        try:
            event = json.loads(path.read_text())
        except ValueError:
            continue
        if isinstance(event, dict):
            found.append(Sample(path, event))
    return found


def folder_of(code_uri: str) -> str:
    return Path(code_uri.rstrip("/")).name


# --- misc --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start
