"""A family's routes carry their scopes: the route keys API Gateway matches, each with the scope it needs."""

from __future__ import annotations

from herald.api.family import PUBLIC
from herald.api.scoped_router import ScopedRouter, Swagger, route_key


def test_route_keys_use_api_gateway_braces() -> None:
    assert route_key("GET", "/v1/alerts/<id>/events") == "GET /v1/alerts/{id}/events"
    assert route_key("DELETE", "/a/<endpointID>/labels/<labelID>") == "DELETE /a/{endpointID}/labels/{labelID}"


def test_each_route_declares_its_scope_and_swagger_is_public() -> None:
    router = ScopedRouter(swagger=Swagger("/x/swagger", "X", "1.0.0"))

    @router.get("/x/<id>", scope="x:read")
    def read(id: str) -> str:
        return id

    @router.post("/x", scope="x:write")
    def write() -> str:
        return ""

    assert router.scopes == {"GET /x/swagger": PUBLIC, "GET /x/{id}": "x:read", "POST /x": "x:write"}
    assert ScopedRouter().scopes == {}
