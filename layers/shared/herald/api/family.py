"""An API family: its resolver, its route → scope table and its error shape, behind one entry point.

Authentication runs before the resolver so that an anonymous request with a bad body still gets 401,
and every 401/403/404/400 comes out in the family's own error shape.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from herald.api import body_limits
from herald.api.resolver import HeraldResolver
from herald.auth import attribution
from herald.auth.api_keys import Principal
from herald.auth.middleware import authorize
from herald.data.table import TRANSIENT_AWS_ERRORS, error_code
from herald.errors import HeraldError, NotFound, PayloadTooLarge, RateLimited, ServiceUnavailable, ValidationFailed
from herald.observability import logger

PUBLIC = "public"
MAX_BODY_BYTES = 256 * 1024

ErrorBody = Callable[[HeraldError], dict[str, Any]]
_caller: ContextVar[Principal | None] = ContextVar("caller", default=None)


@dataclass
class Family:
    """`scopes` maps API Gateway route keys ("GET /v1/alerts/{id}") to the scope each needs."""

    name: str
    error_body: ErrorBody
    scopes: Mapping[str, str]
    error_headers: Callable[[HeraldError], dict[str, str]] = field(default=lambda _e: {})
    # Tags of discriminated unions in request bodies: left out of error locations ("email.name" → "name").
    union_tags: frozenset[str] = frozenset()
    # The status a family answers for a domain error (OnCall answers 403 where others answer 401).
    status_of: Callable[[HeraldError], int] = field(default=lambda e: e.status)
    # The message of a request validation error, when the family words it its own way (Grafana: "bad request data").
    invalid_request_message: Callable[[RequestValidationError], str] | None = None
    app: APIGatewayHttpResolver = field(init=False)

    def __post_init__(self) -> None:
        self.app = _build_resolver(self)

    def headers_for(self, error: HeraldError) -> dict[str, str]:
        headers = dict(self.error_headers(error))
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(error.retry_after)
        return headers

    def error_response(self, error: HeraldError) -> Response[Any]:
        return Response(
            status_code=self.status_of(error),
            content_type=content_types.APPLICATION_JSON,
            body=json.dumps(self.error_body(error)),
            headers=self.headers_for(error),
        )

    def handle(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        scope = self.scopes.get(str(event.get("routeKey", "")))
        attribution.forget()
        _caller.set(None)
        try:
            if scope != PUBLIC:  # who is asking comes first: no key is 401 whatever the body
                _caller.set(_unless_unavailable(authorize, event.get("headers") or {}, scope))
            _check_body_size(event)
            _decode_body(event)
            body_limits.check(str(event.get("body") or ""))
            _treat_body_as_json(event)
            self._reject_json_array(event)
        except HeraldError as error:
            return {
                "statusCode": self.status_of(error),
                "headers": {"Content-Type": content_types.APPLICATION_JSON, **self.headers_for(error)},
                "body": json.dumps(self.error_body(error)),
                "isBase64Encoded": False,
            }
        return self.app.resolve(event, context)

    def _reject_json_array(self, event: Mapping[str, Any]) -> None:
        """Powertools hands a route whose body is one model the first element of a JSON array, so `[{…}]`
        would pass as `{…}`. No family takes an array body: it is refused as any other invalid body."""
        if not str(event.get("body") or "").lstrip().startswith("["):
            return
        error = RequestValidationError(
            [{"type": "model_type", "loc": ("body",), "msg": "Input should be a JSON object", "input": None}]
        )
        if self.invalid_request_message is not None:
            raise ValidationFailed(self.invalid_request_message(error))
        raise ValidationFailed(validation_message(error, self.union_tags))


def principal() -> Principal:
    """Who is asking, for the request this thread is handling. A context variable rather than the
    resolver's context: a family's Router is shared by every resolver that includes it."""
    found = _caller.get()
    if found is None:
        raise RuntimeError("route reached without authentication")
    return found


def _unless_unavailable(call: Callable[..., Any], *args: Any) -> Any:
    try:
        return call(*args)
    except BotoCoreError:
        raise ServiceUnavailable("Service temporarily unavailable, try again") from None
    except ClientError as error:
        if error_code(error) in TRANSIENT_AWS_ERRORS:
            raise ServiceUnavailable("Service temporarily unavailable, try again") from None
        raise


def _decode_body(event: dict[str, Any]) -> None:
    """API Gateway base64-encodes bodies that are not text; every family takes UTF-8 JSON only."""
    if not event.get("isBase64Encoded") or not event.get("body"):
        return
    try:
        event["body"] = base64.b64decode(str(event["body"])).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("Request body is not valid JSON") from None
    event["isBase64Encoded"] = False


def _treat_body_as_json(event: dict[str, Any]) -> None:
    """Every family speaks JSON; `curl -d` labels its body as a form, which must not change its meaning."""
    if not event.get("body"):
        return
    headers = event.setdefault("headers", {}) or {}
    for name in [h for h in headers if h.lower() == "content-type"]:
        if "json" in str(headers[name]).lower():
            return
        del headers[name]
    headers["content-type"] = "application/json"
    event["headers"] = headers


def _check_body_size(event: Mapping[str, Any]) -> None:
    """Bytes, not characters: 200,000 "é" is 400 KB."""
    body = str(event.get("body") or "")
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise PayloadTooLarge("Request body is larger than 256 KB")


def validation_message(error: RequestValidationError, union_tags: frozenset[str] = frozenset()) -> str:
    parts = []
    for detail in error.errors():
        loc = [str(p) for p in detail.get("loc", ())]
        if loc[:1] == ["body"]:
            loc = loc[1:]
        if loc[:1] and loc[0] in union_tags:
            loc = loc[1:]
        location = loc
        where = ".".join(location)
        if detail.get("type") == "json_invalid":
            return "Request body is not valid JSON"
        message = str(detail.get("msg", "invalid value"))
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "Invalid request"


def _build_resolver(family: Family) -> APIGatewayHttpResolver:
    app = HeraldResolver(enable_validation=True)

    @app.exception_handler(HeraldError)
    def _domain_error(error: HeraldError) -> Response[Any]:
        return family.error_response(error)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[Any]:
        if family.invalid_request_message is not None:
            return family.error_response(ValidationFailed(family.invalid_request_message(error)))
        return family.error_response(ValidationFailed(validation_message(error, family.union_tags)))

    @app.not_found
    def _no_route(_error: Exception) -> Response[Any]:
        return family.error_response(NotFound("Route not found"))

    @app.exception_handler(BotoCoreError)
    def _dependency_down(error: BotoCoreError) -> Response[Any]:
        logger.warning("AWS dependency unavailable", extra={"family": family.name, "error": str(error)})
        return family.error_response(ServiceUnavailable("Service temporarily unavailable, try again"))

    @app.exception_handler(ClientError)
    def _dependency_error(error: ClientError) -> Response[Any]:
        if error_code(error) in TRANSIENT_AWS_ERRORS:
            logger.warning("AWS dependency throttled", extra={"family": family.name, "error": str(error)})
            return family.error_response(ServiceUnavailable("Service temporarily unavailable, try again"))
        logger.exception("AWS request failed", extra={"family": family.name})
        return family.error_response(HeraldError("Internal server error"))

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[Any]:
        logger.exception("unhandled error", extra={"family": family.name})
        return family.error_response(HeraldError("Internal server error"))

    return app
