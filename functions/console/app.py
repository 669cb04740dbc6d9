"""The console: GET /console (one page, plain HTML/CSS/JS) and the read models it shows (/v1/console/*).
Everything else the page shows comes from Herald's own JSON APIs, called with the user's key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path as PathParam
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.errors import uptime_error
from herald.api.family import PUBLIC, Family, principal
from herald.console import health, overview, recent, send_test
from herald.data import orgs
from herald.errors import NotFound
from herald.observability import logger, metrics, tracer

STATIC = Path(__file__).parent / "static"
ASSETS = {"console.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8"}
ANY_KEY = ""  # any valid key, whatever its scopes
OPERATOR_SCOPE = "operator:read"
# The page's own security: no framing, scripts and styles from this origin only, nothing cached by proxies.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

SCOPES = {
    "GET /console": PUBLIC,
    "GET /console/{asset}": PUBLIC,
    "GET /v1/console/session": ANY_KEY,
    "GET /v1/console/overview": "events:read",
    "GET /v1/console/destinations": "events:read",
    "POST /v1/console/destinations/{ref}/test": "events:write",
}
family = Family(name="console", error_body=uptime_error, scopes=SCOPES)
app = family.app


def _file(name: str, content_type: str) -> Response[str]:
    return Response(
        status_code=200, content_type=content_type, body=(STATIC / name).read_text(), headers=dict(PAGE_HEADERS)
    )


@app.get("/console")
def page() -> Response[str]:
    return _file("index.html", "text/html; charset=utf-8")


@app.get("/console/<asset>")
def asset(asset: Annotated[str, PathParam(max_length=64)]) -> Response[str]:
    if asset not in ASSETS:
        raise NotFound("No such console file")
    return _file(asset, ASSETS[asset])


@app.get("/v1/console/session")
def session() -> dict[str, Any]:
    """Who the key is: its org and scopes (the page greys out what the key cannot do)."""
    who = principal()
    return {
        "orgId": who.org_id,
        "orgName": orgs.display_name(who.org_id),
        "keyName": who.key_name,
        "scopes": sorted(who.scopes),
    }


@app.get("/v1/console/overview")
def overview_route() -> dict[str, Any]:
    """Deliveries per hour by status over 24 h; dead-letter depth per kind for keys with operator:read."""
    who = principal()
    answer: dict[str, Any] = {"hours": overview.hourly(recent.recent_deliveries(who.org_id))}
    if who.can(OPERATOR_SCOPE):
        answer["deadLetters"] = overview.dead_letter_depths()
    return answer


@app.get("/v1/console/destinations")
def destinations_route() -> dict[str, Any]:
    org_id = principal().org_id
    return {"destinations": health.destinations_with_health(org_id, recent.recent_deliveries(org_id))}


@app.post("/v1/console/destinations/<ref>/test")
def send_test_route(ref: Annotated[str, PathParam(max_length=160)]) -> dict[str, Any]:
    """One real send of a test notification (worded by the destination's template); answers the outcome."""
    outcome = send_test.send_test(principal().org_id, ref)
    return {"result": outcome.result, "detail": outcome.detail}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
