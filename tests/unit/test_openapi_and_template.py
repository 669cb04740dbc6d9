"""The committed OpenAPI documents, the template and the routing tables agree with the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from herald_local.openapi import OPENAPI_DIR, documents, render
from herald_local.pollers import matches_pattern, rate_seconds
from herald_local.template import ROOT, HttpRoute, Template


def test_committed_openapi_documents_match_the_resolvers() -> None:
    docs = documents()
    assert set(docs) == {
        "grafana",
        "alertmanager_intake",
        "uptime",
        "console",
        "events",
        "influxdb",
        "mackerel",
        "pagerduty_intake",
        "oncall",
        "templates",
    }
    for folder, doc in docs.items():
        assert (OPENAPI_DIR / f"{folder}.json").read_text() == render(doc), f"openapi/{folder}.json drifted"


def test_openapi_documents_every_template_route() -> None:
    docs = documents()
    for route in Template().http_routes():
        if route.path.endswith("/swagger"):
            continue
        folder = Path(Template().functions()[route.function].code_uri).name
        assert route.method.lower() in docs[folder]["paths"][route.path], route.route_key


def _scopes(function: str) -> dict[str, str]:
    spec = Template().functions()[function]
    module_spec = importlib.util.spec_from_file_location(f"scopes_{function}", spec.app_path)
    assert module_spec and module_spec.loader
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return dict(module.SCOPES)


@pytest.mark.parametrize(
    "function",
    [
        "AlertNotificationsFunction",
        "AlertsFunction",
        "ConsoleFunction",
        "EventsFunction",
        "NotificationEndpointsFunction",
        "NotificationGroupsFunction",
        "PersonalNotificationRulesFunction",
        "TemplatesFunction",
    ],
)
def test_every_route_of_the_template_has_a_scope(function: str) -> None:
    routes = {r.route_key for r in Template().http_routes() if r.function == function}
    assert routes == set(_scopes(function))


def test_route_patterns_prefer_literal_segments() -> None:
    routes = Template().http_routes()
    first_match = next(r for r in routes if r.method == "GET" and r.pattern().match("/v1/alerts/swagger"))
    assert first_match.path == "/v1/alerts/swagger"
    by_id = HttpRoute("GET", "/v1/alerts/{id}", "f").pattern().match("/v1/alerts/alt_1")
    proxy = HttpRoute("GET", "/files/{proxy+}", "f").pattern().match("/files/a/b")
    assert by_id is not None and by_id.groupdict() == {"id": "alt_1"}
    assert proxy is not None and proxy.groupdict() == {"proxy": "a/b"}
    assert not HttpRoute("GET", "/v1/alerts/{id}", "f").pattern().match("/v1/alerts/a/b")


def test_template_declares_the_pipeline() -> None:
    template = Template()
    table = template.of_type("AWS::DynamoDB::Table")["Table"]["Properties"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["TimeToLiveSpecification"]["AttributeName"] == "ttl"
    stream = template.functions()["FanoutFunction"].events["TableStream"]["Properties"]
    for key in ("BisectBatchOnFunctionError", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "DestinationConfig"):
        assert key in stream
    queues = template.of_type("AWS::SQS::Queue")
    for kind in ("Webhook", "Email", "Slack", "Discord"):
        assert "RedrivePolicy" in queues[f"{kind}Queue"]["Properties"]
        assert f"{kind}DeadLetterAlarm" in template.resources
    for name, spec in template.functions().items():
        assert f"{name}LogGroup" in template.resources
        assert spec.app_path.exists()
    assert (ROOT / "layers/shared/requirements.txt").exists()


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ({"eventName": ["INSERT"]}, {"eventName": "INSERT"}, True),
        ({"eventName": ["INSERT"]}, {"eventName": "MODIFY"}, False),
        (
            {"dynamodb": {"NewImage": {"type": {"S": ["event"]}}}},
            {"dynamodb": {"NewImage": {"type": {"S": "event"}}}},
            True,
        ),
        ({"dynamodb": {"NewImage": {"type": {"S": ["event"]}}}}, {"dynamodb": {"NewImage": {}}}, False),
    ],
)
def test_filter_criteria_matching(pattern: dict[str, Any], value: dict[str, Any], expected: bool) -> None:
    assert matches_pattern(pattern, value) is expected


def test_rate_expressions() -> None:
    assert rate_seconds("rate(1 minute)") == 60
    assert rate_seconds("rate(5 minutes)") == 300
    assert rate_seconds("rate(2 hours)") == 7200
