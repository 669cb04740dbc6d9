"""A family's Powertools `Router` whose every route names, beside it, the scope a caller's key needs."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler.api_gateway import Router

from herald.api.family import PUBLIC

F = TypeVar("F", bound=Callable[..., Any])


def route_key(method: str, rule: str) -> str:
    """Powertools' `/v1/alerts/<id>` as API Gateway's route key `GET /v1/alerts/{id}`."""
    return f"{method} {re.sub(r'<(\w+)>', r'{\1}', rule)}"


class ScopedRouter(Router):
    """`@router.get("/v1/alerts", scope="alerts:read")`; `scopes` maps each route key to its scope,
    and the family's swagger page, when it has one, is public."""

    def __init__(self, swagger: str | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.scopes: dict[str, str] = {} if swagger is None else {route_key("GET", swagger): PUBLIC}

    def _scoped(self, method: str, rule: str, scope: str, options: dict[str, Any]) -> Callable[[F], F]:
        self.scopes[route_key(method, rule)] = scope
        return self.route(rule, method, **options)

    def get(self, rule: str, *, scope: str, **options: Any) -> Callable[[F], F]:  # type: ignore[override]
        return self._scoped("GET", rule, scope, options)

    def post(self, rule: str, *, scope: str, **options: Any) -> Callable[[F], F]:  # type: ignore[override]
        return self._scoped("POST", rule, scope, options)

    def put(self, rule: str, *, scope: str, **options: Any) -> Callable[[F], F]:  # type: ignore[override]
        return self._scoped("PUT", rule, scope, options)

    def patch(self, rule: str, *, scope: str, **options: Any) -> Callable[[F], F]:  # type: ignore[override]
        return self._scoped("PATCH", rule, scope, options)

    def delete(self, rule: str, *, scope: str, **options: Any) -> Callable[[F], F]:  # type: ignore[override]
        return self._scoped("DELETE", rule, scope, options)
