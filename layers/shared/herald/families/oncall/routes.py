"""Grafana OnCall's public API (seeds/oncall-personal-notification-rules.md): personal notification rules
under /api/v1/personal_notification_rules/ and users under /api/v1/users/, each route with its scope.
OnCall's router (OptionalSlashRouter) answers each route with and without its trailing slash; so does Herald."""

from __future__ import annotations

from typing import Annotated, Any, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from herald.api.family import principal
from herald.api.scoped_router import ScopedRouter, Swagger
from herald.families.oncall import service
from herald.families.oncall.wire import Rule, RuleIn, RulePage, User, UserPage

RULES = "/api/v1/personal_notification_rules/"
USERS = "/api/v1/users/"
router = ScopedRouter(swagger=Swagger(f"{RULES}swagger", "Herald OnCall personal notification rules API", "1.0.0"))

RuleId = Annotated[str, Path(max_length=64)]
PageParam = Annotated[str | None, Query(description="page number (1-based) or `last`")]
PerPage = Annotated[str | None, Query(description="page size, at most 100")]


def page_request(page: str | None, perpage: str | None) -> service.PageRequest:
    """`next`/`previous` are absolute URLs built from the request's Host header."""
    event = cast(APIGatewayProxyEventV2, router.current_event)  # the family's resolver is the HTTP API's
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    host = headers.get("host") or event.request_context.domain_name or "localhost"
    scheme = headers.get("x-forwarded-proto") or (
        "http" if host.split(":")[0] in {"127.0.0.1", "localhost", "::1"} else "https"
    )
    query = {k: v for k, v in (event.query_string_parameters or {}).items()}
    return service.PageRequest(page, perpage, f"{scheme}://{host}{event.raw_path}", query)


def body_dict(body: RuleIn) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True)


@router.post(RULES, scope="rules:write", responses={201: {"description": "Created"}})
@router.post(RULES.rstrip("/"), scope="rules:write", responses={201: {"description": "Created"}})
def create_rule(body: Annotated[RuleIn, Body()]) -> Response[Rule]:
    created = service.create_rule(principal().org_id, body_dict(body))
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)


@router.get(RULES, scope="rules:read")
@router.get(RULES.rstrip("/"), scope="rules:read")
def list_rules(
    user_id: Annotated[str | None, Query()] = None,
    important: Annotated[str | None, Query(description="true or false")] = None,
    page: PageParam = None,
    perpage: PerPage = None,
) -> RulePage:
    return service.list_rules(principal().org_id, user_id, important, page_request(page, perpage))


@router.get(f"{RULES}<id>/", scope="rules:read")
@router.get(f"{RULES}<id>", scope="rules:read")
def get_rule(id: RuleId) -> Rule:
    return service.get_rule(principal().org_id, id)


@router.put(f"{RULES}<id>/", scope="rules:write")
@router.put(f"{RULES}<id>", scope="rules:write")
def replace_rule(id: RuleId, body: Annotated[RuleIn, Body()]) -> Rule:
    return service.update_rule(principal().org_id, id, body_dict(body))


@router.patch(f"{RULES}<id>/", scope="rules:write")
@router.patch(f"{RULES}<id>", scope="rules:write")
def update_rule(id: RuleId, body: Annotated[RuleIn, Body()]) -> Rule:
    return service.update_rule(principal().org_id, id, body_dict(body))


@router.delete(f"{RULES}<id>/", scope="rules:write", responses={204: {"description": "No Content"}})
@router.delete(f"{RULES}<id>", scope="rules:write", responses={204: {"description": "No Content"}})
def delete_rule(id: RuleId) -> Response[str]:
    service.delete_rule(principal().org_id, id)
    return Response(status_code=204, body="")


@router.get(USERS, scope="users:read")
@router.get(USERS.rstrip("/"), scope="users:read")
def list_users(
    email: Annotated[str | None, Query(description="case-insensitive exact match")] = None,
    username: Annotated[str | None, Query(description="case-insensitive exact match")] = None,
    page: PageParam = None,
    perpage: PerPage = None,
) -> UserPage:
    return service.list_users(principal().org_id, email, username, page_request(page, perpage))


@router.get(f"{USERS}current/", scope="users:read")
@router.get(f"{USERS}current", scope="users:read")
def current_user() -> User:
    return service.current_user(principal())


@router.get(f"{USERS}<id>/", scope="users:read")
@router.get(f"{USERS}<id>", scope="users:read")
def get_user(id: RuleId) -> User:
    return service.get_user(principal().org_id, id)
