"""One contract, every API family (issue 19): each family accepts its own product's auth header forms, refuses a
key without the family's scope, answers errors in its own product's shape, answers 404 for another org's id
(and leaves that item alone), and is documented in its OpenAPI file.

The table below is the only family-specific part: when a family's function or module moves, update it here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from herald import ids
from herald.auth.api_keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import orgs
from herald_local.template import ROOT, Resolver, Template
from tests.support import module_env
from tests.support.apigw import ApiClient, ApiResponse

# one moto per module, a fresh table per test (tests/support/module_env.py)
aws_env, api = module_env.aws_env, module_env.api
module_api, module_aws = module_env.module_api, module_env.module_aws
Headers = Callable[[str], dict[str, str]]
TEMPLATE = Template()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_scheme(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def raw(token: str) -> dict[str, str]:
    return {"Authorization": token}


def x_api_key(token: str) -> dict[str, str]:
    return {"X-Api-Key": token}


def uptime_shape(response: ApiResponse, status: int) -> None:
    code = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND"}[status]
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"], body


def influxdb_shape(response: ApiResponse, status: int) -> None:
    code = {401: "unauthorized", 403: "forbidden", 404: "not found"}[status]
    body = response.json()
    assert set(body) == {"code", "message"} and body["code"] == code and body["message"], body
    assert response.headers.get("X-Platform-Error-Code") == code


def grafana_shape(response: ApiResponse, status: int) -> None:
    body = response.json()
    assert set(body) == {"message"} and isinstance(body["message"], str) and body["message"], body


def mackerel_shape(response: ApiResponse, status: int) -> None:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message"} and body["error"]["message"], body


def oncall_shape(response: ApiResponse, status: int) -> None:
    detail = {401: "Invalid token.", 403: "You do not have permission to perform this action.", 404: "Not found."}
    assert response.json() == {"detail": detail[status]}


def create_uptime(api: ApiClient, headers: dict[str, str], org: str) -> str:
    body = {"name": "ops", "strategy": "email", "email": "ops@example.com"}
    return str(created(api.post("/v1/alerts", body, headers=headers))["id"])


def create_influxdb(api: ApiClient, headers: dict[str, str], org: str) -> str:
    body = {"type": "slack", "name": "ops", "orgID": org, "url": "https://hooks.slack.com/services/T0/B0/x"}
    return str(created(api.post("/api/v2/notificationEndpoints", body, headers=headers))["id"])


def create_grafana(api: ApiClient, headers: dict[str, str], org: str) -> str:
    body = {"name": "ops", "type": "webhook", "settings": {"url": "https://hooks.example.com/grafana"}}
    return str(created(api.post("/api/alert-notifications", body, headers=headers))["id"])


def create_mackerel(api: ApiClient, headers: dict[str, str], org: str) -> str:
    body = {"name": "ops", "type": "webhook", "url": "https://hooks.example.com/mackerel", "events": ["alert"]}
    return str(created(api.post("/api/v0/channels", body, headers=headers))["id"])


def create_oncall(api: ApiClient, headers: dict[str, str], org: str) -> str:
    from herald.families.oncall import service as oncall

    user = oncall.create_user(org, "alice@example.com", config={"phoneNumber": "+14155550100"}).id
    body = {"user_id": user, "type": "notify_by_sms"}
    return str(created(api.post("/api/v1/personal_notification_rules", body, headers=headers))["id"])


def created(response: ApiResponse) -> dict[str, Any]:
    assert response.status in (200, 201), response.text
    answer: dict[str, Any] = response.json()
    return answer


@dataclass(frozen=True)
class Family:
    name: str  # tests/families/<name>
    function: str  # template.yaml's logical id
    openapi: str  # openapi/<file>
    auth_forms: tuple[Headers, ...]  # the product's own header forms, each accepted
    collection: str  # GET lists the org's items
    item: str  # {id}: the method below on one item
    item_method: str
    scope: str  # needed by GET collection
    error_shape: Callable[[ApiResponse, int], None]
    create: Callable[[ApiClient, dict[str, str], str], str]


FAMILIES = [
    Family(
        "uptime", "AlertsFunction", "uptime.json", (bearer,), "/v1/alerts", "/v1/alerts/{id}", "GET",
        "alerts:read", uptime_shape, create_uptime,
    ),
    Family(
        "influxdb", "NotificationEndpointsFunction", "influxdb.json", (token_scheme, bearer),
        "/api/v2/notificationEndpoints?orgID={org}", "/api/v2/notificationEndpoints/{id}", "GET",
        "endpoints:read", influxdb_shape, create_influxdb,
    ),
    Family(
        "grafana", "AlertNotificationsFunction", "grafana.json", (bearer,), "/api/alert-notifications",
        "/api/alert-notifications/{id}", "GET", "notifications:read", grafana_shape, create_grafana,
    ),
    Family(
        "mackerel", "NotificationGroupsFunction", "mackerel.json", (x_api_key,), "/api/v0/channels",
        "/api/v0/channels/{id}", "DELETE", "channels:read", mackerel_shape, create_mackerel,
    ),
    Family(
        "oncall", "PersonalNotificationRulesFunction", "oncall.json", (raw, token_scheme),
        "/api/v1/personal_notification_rules", "/api/v1/personal_notification_rules/{id}", "GET", "rules:read",
        oncall_shape, create_oncall,
    ),
]  # fmt: skip
BY_NAME = {family.name: family for family in FAMILIES}
FORMS = [(family.name, form.__name__) for family in FAMILIES for form in family.auth_forms]


@pytest.fixture
def org(aws_env: Resolver) -> str:
    org = ids.org_id()
    orgs.ensure(org)
    return org


def listed(api: ApiClient, family: Family, headers: dict[str, str], org: str) -> ApiResponse:
    return api.get(family.collection.format(org=org), headers=headers)


@pytest.mark.parametrize(("name", "form"), FORMS)
def test_the_familys_own_auth_header_forms_are_accepted(api: ApiClient, org: str, name: str, form: str) -> None:
    family = BY_NAME[name]
    headers = next(f for f in family.auth_forms if f.__name__ == form)(create_key(org, list(ALL_SCOPES)))
    item = family.create(api, headers, org)
    answer = listed(api, family, headers, org)
    assert answer.status == 200, answer.text
    assert item in answer.text


@pytest.mark.parametrize("name", BY_NAME)
def test_a_missing_or_unknown_key_is_refused_in_the_familys_shape(api: ApiClient, org: str, name: str) -> None:
    family = BY_NAME[name]
    status = 403 if name == "oncall" else 401  # OnCall answers no 401
    for headers in ({}, family.auth_forms[0]("hrld_not-a-real-key-0000000000")):
        answer = listed(api, family, headers, org)
        assert answer.status == status, answer.text
        family.error_shape(answer, 401)


@pytest.mark.parametrize("name", BY_NAME)
def test_a_key_without_the_familys_scope_is_forbidden(api: ApiClient, org: str, name: str) -> None:
    family = BY_NAME[name]
    others = [scope for scope in ALL_SCOPES if scope.split(":")[0] != family.scope.split(":")[0]]
    answer = listed(api, family, family.auth_forms[0](create_key(org, others)), org)
    assert answer.status == 403, answer.text
    family.error_shape(answer, 403)
    allowed = listed(api, family, family.auth_forms[0](create_key(org, [family.scope])), org)
    assert allowed.status == 200, allowed.text


@pytest.mark.parametrize("name", BY_NAME)
def test_another_orgs_id_is_not_found_and_left_alone(api: ApiClient, org: str, name: str) -> None:
    family = BY_NAME[name]
    owner = family.auth_forms[0](create_key(org, list(ALL_SCOPES)))
    item = family.create(api, owner, org)
    stranger_org = ids.org_id()
    orgs.ensure(stranger_org)
    stranger = family.auth_forms[0](create_key(stranger_org, list(ALL_SCOPES)))

    answer = api.request(family.item_method, family.item.format(id=item), headers=stranger)
    assert answer.status == 404, answer.text
    family.error_shape(answer, 404)
    assert item not in listed(api, family, stranger, stranger_org).text
    assert item in listed(api, family, owner, org).text  # the owner's item is untouched


@pytest.mark.parametrize("name", BY_NAME)
def test_the_family_is_in_its_openapi_document(name: str) -> None:
    family = BY_NAME[name]
    document = json.loads((ROOT / "openapi" / family.openapi).read_text())
    paths = document["paths"]
    collection = family.collection.split("?")[0]
    assert "get" in paths[collection] and "post" in paths[collection]
    item = next(path for path in paths if path.startswith(collection + "/{"))
    assert family.item_method.lower() in paths[item]
    # every route the template gives the family's function under that collection is documented (but the
    # document itself)
    routes = [
        r
        for r in TEMPLATE.http_routes()
        if r.function == family.function and r.path.startswith(collection) and not r.path.endswith("/swagger")
    ]
    assert routes
    undocumented = [r.route_key for r in routes if r.method.lower() not in paths.get(r.path.rstrip("/"), {})]
    assert undocumented == []
