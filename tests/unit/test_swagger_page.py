"""Swagger pages are built on first request (herald.api.resolver); tests/unit/test_lazy_imports.py checks that
importing a function does not build them."""

from __future__ import annotations

from tests.support.apigw import ApiClient


def test_the_swagger_page_and_its_schema_are_served_on_first_request(api: ApiClient) -> None:
    page = api.get("/v1/alerts/swagger")
    assert page.status == 200 and "swagger-ui" in page.text.lower()
    assert page.headers.get("Content-Type", page.headers.get("content-type", "")).startswith("text/html")
    schema = api.get("/v1/alerts/swagger?format=json")
    assert schema.status == 200
    paths = schema.json()["paths"]
    assert "/v1/alerts" in paths and "/v1/alerts/swagger" not in paths
    assert api.get("/v1/alerts/swagger").text == page.text  # the second request uses the same page handler
