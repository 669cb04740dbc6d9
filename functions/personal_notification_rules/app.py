"""Grafana OnCall's public API (seeds/oncall-personal-notification-rules.md): personal notification rules
under /api/v1/personal_notification_rules/ and users under /api/v1/users/."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.errors import oncall_error, oncall_status
from herald.api.family import PUBLIC, Family, principal
from herald.domain import oncall
from herald.models.oncall import Rule, RuleIn, RulePage, User, UserPage
from herald.observability import logger, metrics, tracer

RULES = "/api/v1/personal_notification_rules/"
USERS = "/api/v1/users/"
SCOPES = {
    f"GET {RULES}": "rules:read",
    f"POST {RULES}": "rules:write",
    f"GET {RULES}{{id}}/": "rules:read",
    f"PUT {RULES}{{id}}/": "rules:write",
    f"PATCH {RULES}{{id}}/": "rules:write",
    f"DELETE {RULES}{{id}}/": "rules:write",
    f"GET {USERS}": "users:read",
    f"GET {USERS}current/": "users:read",
    f"GET {USERS}{{id}}/": "users:read",
}
# OnCall's router (OptionalSlashRouter) answers each route with and without its trailing slash; so does Herald.
SCOPES.update({route.rstrip("/"): scope for route, scope in SCOPES.items()})
SCOPES[f"GET {RULES}swagger"] = PUBLIC
family = Family(name="personal_notification_rules", error_body=oncall_error, scopes=SCOPES, status_of=oncall_status)
app = family.app
app.enable_swagger(path=f"{RULES}swagger", title="Herald OnCall personal notification rules API", version="1.0.0")

RuleId = Annotated[str, Path(max_length=64)]
PageParam = Annotated[str | None, Query(description="page number (1-based) or `last`")]
PerPage = Annotated[str | None, Query(description="page size, at most 100")]


def page_request(page: str | None, perpage: str | None) -> oncall.PageRequest:
    """`next`/`previous` are absolute URLs built from the request's Host header."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    host = headers.get("host") or event.request_context.domain_name or "localhost"
    scheme = headers.get("x-forwarded-proto") or (
        "http" if host.split(":")[0] in {"127.0.0.1", "localhost", "::1"} else "https"
    )
    query = {k: v for k, v in (event.query_string_parameters or {}).items()}
    return oncall.PageRequest(page, perpage, f"{scheme}://{host}{event.raw_path}", query)


def body_dict(body: RuleIn) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True)


@app.post(RULES, responses={201: {"description": "Created"}})
@app.post(RULES.rstrip("/"), responses={201: {"description": "Created"}})
def create_rule(body: Annotated[RuleIn, Body()]) -> Response[Rule]:
    created = oncall.create_rule(principal(app).org_id, body_dict(body))
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)


@app.get(RULES)
@app.get(RULES.rstrip("/"))
def list_rules(
    user_id: Annotated[str | None, Query()] = None,
    important: Annotated[str | None, Query(description="true or false")] = None,
    page: PageParam = None,
    perpage: PerPage = None,
) -> RulePage:
    return oncall.list_rules(principal(app).org_id, user_id, important, page_request(page, perpage))


@app.get(f"{RULES}<id>/")
@app.get(f"{RULES}<id>")
def get_rule(id: RuleId) -> Rule:
    return oncall.get_rule(principal(app).org_id, id)


@app.put(f"{RULES}<id>/")
@app.put(f"{RULES}<id>")
def replace_rule(id: RuleId, body: Annotated[RuleIn, Body()]) -> Rule:
    return oncall.update_rule(principal(app).org_id, id, body_dict(body))


@app.patch(f"{RULES}<id>/")
@app.patch(f"{RULES}<id>")
def update_rule(id: RuleId, body: Annotated[RuleIn, Body()]) -> Rule:
    return oncall.update_rule(principal(app).org_id, id, body_dict(body))


@app.delete(f"{RULES}<id>/", responses={204: {"description": "No Content"}})
@app.delete(f"{RULES}<id>", responses={204: {"description": "No Content"}})
def delete_rule(id: RuleId) -> Response[str]:
    oncall.delete_rule(principal(app).org_id, id)
    return Response(status_code=204, body="")


@app.get(USERS)
@app.get(USERS.rstrip("/"))
def list_users(
    email: Annotated[str | None, Query(description="case-insensitive exact match")] = None,
    username: Annotated[str | None, Query(description="case-insensitive exact match")] = None,
    page: PageParam = None,
    perpage: PerPage = None,
) -> UserPage:
    return oncall.list_users(principal(app).org_id, email, username, page_request(page, perpage))


@app.get(f"{USERS}current/")
@app.get(f"{USERS}current")
def current_user() -> User:
    return oncall.current_user(principal(app))


@app.get(f"{USERS}<id>/")
@app.get(f"{USERS}<id>")
def get_user(id: RuleId) -> User:
    return oncall.get_user(principal(app).org_id, id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
