"""moto's server on loopback, with one lock per emulated service.

DynamoDB applies a conditional write atomically; moto's in-memory backends do not lock. Every request to
a service holds that service's lock, so a conditional write or a transaction is atomic against the rest of
the table (and concurrency tests exercise Herald's conditions, not moto's races), while requests to other
services go on: a queue poll never waits for a DynamoDB write. moto's backends call into each other in
a few places (SES publishes to SNS, SNS delivers to SQS); a request takes the locks of every service its
backend may touch, always in the same order. A request whose service is unknown takes them all.

After a write the server wakes the pollers that read it (see wakeups.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from herald_local import moto_speedups
from herald_local.wakeups import Wakeups, queue_key

SERVICES = ("dynamodb", "kms", "other", "ses", "sns", "sqs", "ssm", "sts")  # sorted: the order locks are taken in
# A service's backend that calls another's (moto: ses/models.py publishes to SNS, sns/models.py to SQS).
CALLS_INTO = {"ses": ("sns", "sqs"), "sns": ("sqs",)}
TABLE_WRITES = frozenset(
    ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "ExecuteStatement")
)
QUEUE_WRITES = frozenset(("SendMessage", "SendMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch"))
STREAM_WRITES = "dynamodb"  # the wake-up key of the table's stream


def signing_service(environ: dict[str, Any]) -> str | None:
    """The service a SigV4 request is signed for: `Credential=KEY/DATE/REGION/SERVICE/aws4_request`."""
    auth = str(environ.get("HTTP_AUTHORIZATION") or "")
    try:
        return auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")[3].lower()
    except IndexError:
        return None


class ServiceLocks:
    def __init__(self) -> None:
        self.locks = {name: threading.Lock() for name in SERVICES}
        # Per service: requests served and CPU seconds spent holding its lock (the emulator's floor).
        self.requests = dict.fromkeys(SERVICES, 0)
        self.cpu_seconds = dict.fromkeys(SERVICES, 0.0)

    def own(self, service: str | None) -> str:
        return service if service in self.locks else "other"

    def names_for(self, service: str | None) -> tuple[str, ...]:
        if service is None:
            return SERVICES
        own = self.own(service)
        return tuple(sorted({own, *CALLS_INTO.get(own, ())}))

    @contextlib.contextmanager
    def held(self, service: str | None) -> Iterator[None]:
        names = self.names_for(service)
        with contextlib.ExitStack() as stack:
            for name in names:
                stack.enter_context(self.locks[name])
            started = time.thread_time()
            try:
                yield
            finally:
                own = self.own(service)
                self.requests[own] += 1
                self.cpu_seconds[own] += time.thread_time() - started

    def usage(self) -> str:
        """`dynamodb 1234 requests 5.6 s CPU, sqs …`: the services that served requests."""
        return ", ".join(
            f"{name} {self.requests[name]} requests {self.cpu_seconds[name]:.1f} s CPU"
            for name in SERVICES
            if self.requests[name]
        )


class _Locked:
    def __init__(self, app: Callable[..., Iterable[bytes]], locks: ServiceLocks, wakeups: Wakeups) -> None:
        self.app = app
        self.locks = locks
        self.wakeups = wakeups

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        service = signing_service(environ)
        action = str(environ.get("HTTP_X_AMZ_TARGET") or "").rpartition(".")[2]
        queue = _queue_url(environ) if service == "sqs" and action in QUEUE_WRITES else None
        with self.locks.held(service):
            response = list(self.app(environ, start_response))
        if service == "dynamodb" and action in TABLE_WRITES:
            self.wakeups.notify(STREAM_WRITES)
        if queue:
            self.wakeups.notify(queue_key(queue))
        return response


def _queue_url(environ: dict[str, Any]) -> str | None:
    """The QueueUrl of an SQS JSON-protocol request; the body is put back for moto to read."""
    length = str(environ.get("CONTENT_LENGTH") or "")
    if not length.isdigit() or "wsgi.input" not in environ:
        return None  # a chunked body is left for moto to read; the poller's idle poll finds the message
    body = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        url = json.loads(body).get("QueueUrl")
    except (ValueError, AttributeError):
        return None
    return url if isinstance(url, str) else None


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class MotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 5000) -> None:
        self.host = host
        self.port = port
        self.locks = ServiceLocks()
        self.wakeups = Wakeups()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        moto_speedups.apply()
        app = _Locked(DomainDispatcherApplication(create_backend_app), self.locks, self.wakeups)
        self._server = make_server(self.host, self.port, app, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
