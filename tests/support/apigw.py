"""Invoke a function's handler with an API Gateway v2 event, routed by template.yaml like the local stack."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from herald_local.api_server import build_event
from herald_local.functions import LambdaContext, load_instance
from herald_local.template import Template


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


_SHARED_HANDLERS: dict[str, Any] = {}


class ApiClient:
    """Routes like API Gateway, then calls the mapped function's handler in-process.

    By default the function instances are shared by every client in the process (importing a function is
    slow); `shared=False` gives this client instances of its own — needed when a test sets environment
    variables read at import, or calls from several threads (one instance serves one call at a time)."""

    def __init__(self, template: Template | None = None, shared: bool = True) -> None:
        self.template = template or Template()
        self.routes = [(route, route.pattern()) for route in self.template.http_routes()]
        self.specs = self.template.functions()
        self.handlers: dict[str, Any] = _SHARED_HANDLERS if shared else {}

    def request(
        self,
        method: str,
        url: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw_body: str | None = None,
    ) -> ApiResponse:
        parts = urlsplit(url)
        for route, pattern in self.routes:
            found = pattern.match(parts.path)
            if found and route.method == method:
                break
        else:
            return ApiResponse(404, {}, '{"message":"Not Found"}')
        all_headers = {"content-type": "application/json", **(headers or {})}
        if token is not None:
            all_headers["authorization"] = f"Bearer {token}"
        payload = raw_body if raw_body is not None else (json.dumps(body) if body is not None else "")
        event = build_event(route, method, parts.path, parts.query, all_headers, payload.encode(), found.groupdict())
        if route.function not in self.handlers:
            self.handlers[route.function] = load_instance(self.specs[route.function])
        result = self.handlers[route.function](event, LambdaContext(self.specs[route.function]))
        return ApiResponse(int(result["statusCode"]), dict(result.get("headers") or {}), result.get("body") or "")

    def get(self, url: str, **kw: Any) -> ApiResponse:
        return self.request("GET", url, **kw)

    def post(self, url: str, body: Any = None, **kw: Any) -> ApiResponse:
        return self.request("POST", url, body, **kw)

    def put(self, url: str, body: Any = None, **kw: Any) -> ApiResponse:
        return self.request("PUT", url, body, **kw)

    def delete(self, url: str, **kw: Any) -> ApiResponse:
        return self.request("DELETE", url, **kw)
