"""Every file in events/ is a valid invocation of its function (the same files `sam local invoke -e` takes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from herald.data import deliveries, table_keys
from herald_local.functions import LambdaContext, load_instance
from herald_local.template import Template
from tests.support.receiver import Receiver
from tests.support.sample_records import EVENTS, load, seed, seed_all

FOLDER_TO_FUNCTION = {
    "uptime": "AlertsFunction",
    "events": "EventsFunction",
    "fanout": "FanoutFunction",
    "delivery": "DeliveryFunction",
    "scheduler": "SchedulerFunction",
    "grafana": "AlertNotificationsFunction",
    "oncall": "PersonalNotificationRulesFunction",
    "mackerel": "NotificationGroupsFunction",
    "influxdb": "NotificationEndpointsFunction",
    "alertmanager_intake": "AlertmanagerIntakeFunction",
    "pagerduty_intake": "PagerDutyIntakeFunction",
}
EXPECTED_STATUS = {
    "list-alerts": 200,
    "create-alert-email": 201,
    "create-alert-webhook": 201,
    "create-alert-slack": 201,
    "create-alert-discord": 201,
    "get-alert": 200,
    "update-alert": 200,
    "list-alert-events": 200,
    "delete-alert": 204,
    "submit-event": 202,
    "get-event": 200,
    "acknowledge-event": 200,
    "list-personal-notification-rules": 200,
    "create-personal-notification-rule": 201,
    "create-personal-notification-rule-wait": 201,
    "get-personal-notification-rule": 200,
    "update-personal-notification-rule": 200,
    "replace-personal-notification-rule": 200,
    "delete-personal-notification-rule": 204,
    "list-users": 200,
    "get-user": 200,
    "current-user": 200,
    "list-channels": 200,
    "create-channel-email": 200,
    "create-channel-slack": 200,
    "create-channel-webhook": 200,
    "update-channel": 200,
    "delete-channel": 200,
    "list-notification-groups": 200,
    "create-notification-group": 200,
    "update-notification-group": 200,
    "delete-notification-group": 200,
    "list-alert-notifications": 200,
    "lookup-alert-notifications": 200,
    "create-alert-notification-email": 200,
    "create-alert-notification-slack": 200,
    "get-alert-notification-by-uid": 200,
    "get-alert-notification-by-id": 200,
    "update-alert-notification-by-uid": 200,
    "update-alert-notification-by-id": 200,
    "test-alert-notification": 200,
    "delete-alert-notification-by-uid": 200,
    "delete-alert-notification-by-id": 200,
    "grafana-health": 200,
    "grafana-frontend-settings": 200,
    "list-notification-endpoints": 200,
    "create-notification-endpoint-slack": 201,
    "create-notification-endpoint-pagerduty": 201,
    "create-notification-endpoint-http": 201,
    "create-notification-endpoint-telegram": 201,
    "get-notification-endpoint": 200,
    "replace-notification-endpoint": 200,
    "patch-notification-endpoint": 200,
    "delete-notification-endpoint": 204,
    "list-notification-endpoint-labels": 200,
    "add-notification-endpoint-label": 201,
    "delete-notification-endpoint-label": 204,
    "list-labels": 200,
    "create-label": 201,
    "get-label": 200,
    "patch-label": 200,
    "delete-label": 204,
    "list-orgs": 200,
    "get-org": 200,
    "influxdb-health": 200,
    "influxdb-ping": 204,
    "list-events": 200,
    "submit-event-idempotent": 202,
    "alertmanager-webhook": 200,
    "grafana-webhook": 200,
    "pagerduty-trigger": 202,
    "pagerduty-acknowledge": 202,
    "pagerduty-resolve": 202,
    "pagerduty-change": 202,
}


def invoke(folder: str, event: dict[str, Any]) -> Any:
    spec = Template().functions()[FOLDER_TO_FUNCTION[folder]]
    return load_instance(spec)(event, LambdaContext(spec))


def test_every_function_has_sample_events() -> None:
    folders = {p.name for p in EVENTS.iterdir() if p.is_dir()}
    assert folders == set(FOLDER_TO_FUNCTION)
    for folder in folders:
        assert list((EVENTS / folder).glob("*.json")), f"events/{folder} has no sample"


def test_api_samples_answer_as_documented(aws_env: Any, receiver: Receiver) -> None:
    seed_all(receiver.url())
    order = sorted(
        [
            p
            for folder in (
                "uptime",
                "events",
                "mackerel",
                "oncall",
                "grafana",
                "influxdb",
                "alertmanager_intake",
                "pagerduty_intake",
            )
            for p in sorted((EVENTS / folder).glob("*.json"))
        ],
        key=lambda p: p.stem.startswith("delete-"),
    )
    for path in order:
        result = invoke(path.parent.name, load(path))
        assert result["statusCode"] == EXPECTED_STATUS[path.stem], (path.name, result.get("body"))


def test_stream_sample_fans_out_to_the_seeded_alert(aws_env: Any, receiver: Receiver) -> None:
    seed(receiver.url())
    result = invoke("fanout", load(EVENTS / "fanout" / "stream-batch.json"))
    assert result == {"batchItemFailures": []}
    from boto3.dynamodb.conditions import Key

    from herald.data.table import table

    items = table().query(KeyConditionExpression=Key("pk").eq(table_keys.event_partition("evt_sample123")))["Items"]
    assert any(i["type"] == "delivery" and i["destinationId"] == "alt_sample123" for i in items)


def test_sqs_sample_delivers_the_seeded_delivery(aws_env: Any, receiver: Receiver) -> None:
    seed(receiver.url())
    result = invoke("delivery", load(EVENTS / "delivery" / "sqs-batch.json"))
    assert result == {"batchItemFailures": []}
    assert len(receiver.wait_for(1)) == 1
    message = json.loads(load(EVENTS / "delivery" / "sqs-batch.json")["Records"][0]["body"])
    record = deliveries.get(message["eventId"], message["deliveryId"])
    assert record is not None and record.status == "delivered"


def test_scheduled_sample_runs_a_tick(aws_env: Any) -> None:
    result = invoke("scheduler", load(EVENTS / "scheduler" / "scheduled.json"))
    assert set(result) == {"ran", "failed", "unknown"}


@pytest.mark.parametrize("path", sorted(EVENTS.glob("*/*.json")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_is_valid_json_for_sam(path: Path) -> None:
    event = load(path)
    if path.parent.name in (
        "uptime",
        "events",
        "mackerel",
        "oncall",
        "grafana",
        "influxdb",
        "alertmanager_intake",
        "pagerduty_intake",
    ):
        assert event["version"] == "2.0" and event["routeKey"] in {r.route_key for r in Template().http_routes()}
    else:
        assert event.get("Records") or event.get("detail-type") == "Scheduled Event"
