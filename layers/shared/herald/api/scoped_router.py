"""A family's Powertools `Router` whose every route names, beside it, the scope a caller's key needs, and
the Lambda handler that serves it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.family import PUBLIC, Family
from herald.observability import logger, metrics, tracer

F = TypeVar("F", bound=Callable[..., Any])
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


@dataclass(frozen=True)
class Swagger:
    path: str
    title: str
    version: str


def route_key(method: str, rule: str) -> str:
    """Powertools' `/v1/alerts/<id>` as API Gateway's route key `GET /v1/alerts/{id}`."""
    return f"{method} {re.sub(r'<(\w+)>', r'{\1}', rule)}"


class ScopedRouter(Router):
    """`@router.get("/v1/alerts", scope="alerts:read")`; `scopes` maps each route key to its scope,
    and the family's swagger page, when it has one, is public."""

    def __init__(self, swagger: Swagger | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.swagger = swagger
        self.scopes: dict[str, str] = {} if swagger is None else {route_key("GET", swagger.path): PUBLIC}

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


def serve(family: Family, router: ScopedRouter) -> Handler:
    """The family's resolver with the router's routes (after its public swagger page), as the Lambda handler."""
    if router.swagger is not None:
        family.app.enable_swagger(path=router.swagger.path, title=router.swagger.title, version=router.swagger.version)
    family.app.include_router(router)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    @metrics.log_metrics
    @tracer.capture_lambda_handler
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return family.handle(event, context)

    return lambda_handler
