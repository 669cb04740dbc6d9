"""The HTTP API on loopback: each request becomes an API Gateway v2 (HTTP API, payload 2.0) event for the
function that template.yaml maps its route to."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from herald_local.functions import FunctionPool
from herald_local.sink import Sink
from herald_local.template import ACCOUNT_ID, HttpRoute


def build_event(
    route: HttpRoute,
    method: str,
    raw_path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    params: dict[str, str],
) -> dict[str, Any]:
    query_params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        query_params[key] = f"{query_params[key]},{value}" if key in query_params else value
    text_body: str | None
    try:
        text_body, is_b64 = (body.decode("utf-8"), False) if body else (None, False)
    except UnicodeDecodeError:
        text_body, is_b64 = base64.b64encode(body).decode(), True
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "queryStringParameters": query_params or None,
        "pathParameters": params or None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "domainName": headers.get("Host", "127.0.0.1"),
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route.route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": text_body,
        "isBase64Encoded": is_b64,
    }


def key_id(headers: Any) -> str:
    """The API key a request presents, by its public id (a hash prefix: never the token itself)."""
    from herald.auth.api_keys import key_id as public_id
    from herald.auth.api_keys import token_hash

    token = headers.get("X-Api-Key") or headers.get("Authorization") or ""
    scheme, _, rest = token.partition(" ")
    if rest and scheme.lower() in ("bearer", "token"):
        token = rest
    return public_id(token_hash(token.strip())) if token.strip() else "no key"


def access_line(method: str, path: str, status: int, elapsed_ms: float, headers: Any) -> str:
    """`[api] POST /v1/events 202 14 ms key_3f9a…`: one line per request, as an access log has."""
    return f"[api] {method} {path} {status} {elapsed_ms:.0f} ms {key_id(headers)}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default of 5 resets bursts of concurrent clients


class ApiServer:
    def __init__(self, routes: list[HttpRoute], pools: dict[str, FunctionPool], host: str, port: int) -> None:
        self.routes = [(route, route.pattern()) for route in routes]
        self.pools = pools
        self.sink = Sink()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                server.serve(self)

            def __getattr__(self, name: str) -> Any:
                # Every method reaches the router, which answers 404 where no route matches, as API Gateway does.
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

        self.httpd = _Server((host, port), Handler)
        self.port = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    def match(self, method: str, path: str) -> tuple[HttpRoute, dict[str, str]] | None:
        for route, pattern in self.routes:
            found = pattern.match(path)
            if found and route.method == method:
                return route, found.groupdict()
        return None

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        started = time.monotonic()
        status = self._serve(request)
        elapsed = (time.monotonic() - started) * 1000
        print(access_line(request.command, urlsplit(request.path).path, status, elapsed, request.headers), flush=True)

    def _serve(self, request: BaseHTTPRequestHandler) -> int:
        """Answers the request; returns the status it answered."""
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if self.sink.owns(parts.path):
            status, payload = self.sink.handle(request.command, parts.path, dict(request.headers.items()), body)
            self._reply(request, status, {"Content-Type": "application/json"}, payload)
            return status
        matched = self.match(request.command, parts.path)
        if matched is None:
            self._reply(request, 404, {"Content-Type": "application/json"}, b'{"message":"Not Found"}')
            return 404
        route, params = matched
        event = build_event(
            route, request.command, parts.path, parts.query, dict(request.headers.items()), body, params
        )
        try:
            result = self.pools[route.function].invoke(event)
        except Exception as error:  # the function crashed: API Gateway answers 500 too
            print(f"[api] {route.function} raised {type(error).__name__}: {error}", flush=True)
            self._reply(request, 500, {"Content-Type": "application/json"}, b'{"message":"Internal Server Error"}')
            return 500
        status = int(result.get("statusCode", 200))
        headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = ",".join(str(v) for v in values)
        raw = result.get("body") or ""
        payload = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
        if isinstance(result.get("body"), dict | list):
            payload = json.dumps(result["body"]).encode()
        self._reply(request, status, headers, payload)
        return status

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, headers: dict[str, str], payload: bytes) -> None:
        if status in (204, 304) or request.command == "HEAD":
            payload = b""
        request.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection"):
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="api", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
