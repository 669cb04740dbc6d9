"""The HTTP API resolver every family uses: Powertools' own, with a Swagger page built on first request.

Powertools' enable_swagger imports its OpenAPI pydantic models when the route is registered, at import
of app.py: about 0.3 s of every cold start of a function that serves a Swagger page, for a page that is
rarely asked for. Here the route is registered at once, and Powertools' page handler is created the first
time the page is requested.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver


class HeraldResolver(APIGatewayHttpResolver):
    def enable_swagger(self, *, path: str = "/swagger", **options: Any) -> None:  # type: ignore[override]
        page: list[Callable[[], Any]] = []

        def swagger() -> Any:
            if not page:
                page.append(self._powertools_swagger_page(path, options))
            return page[0]()

        self.get(path, include_in_schema=False)(swagger)

    def _powertools_swagger_page(self, path: str, options: dict[str, Any]) -> Callable[[], Any]:
        """Powertools' page handler, captured instead of registered (its route exists already)."""
        captured: list[Callable[[], Any]] = []

        def capture(*_args: Any, **_kwargs: Any) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
            def keep(handler: Callable[[], Any]) -> Callable[[], Any]:
                captured.append(handler)
                return handler

            return keep

        self.get = capture  # type: ignore[method-assign,assignment]
        try:
            super().enable_swagger(path=path, **options)
        finally:
            del self.get
        return captured[0]
