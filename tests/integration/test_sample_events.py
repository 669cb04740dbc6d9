"""Every file in events/ is a valid invocation of its function (the same files `sam local invoke -e` takes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from herald import clock, secrets
from herald.auth.keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import alerts as alerts_repo
from herald.data import deliveries, orgs
from herald.data import events as events_repo
from herald.data import keys as table_keys
from herald.data.alerts import AlertRecord
from herald.data.deliveries import DeliveryRecord
from herald_local.functions import LambdaContext, load_instance
from herald_local.template import ROOT, Template
from tests.support.receiver import Receiver

EVENTS = ROOT / "events"
SAMPLE_ORG = "0123456789abcdef"
SAMPLE_TOKEN = "hrld_sample-token-for-sam-local-invoke"
FOLDER_TO_FUNCTION = {
    "alerts": "AlertsFunction",
    "events": "EventsFunction",
    "fanout": "FanoutFunction",
    "delivery": "DeliveryFunction",
    "scheduler": "SchedulerFunction",
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
}


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def seed(receiver_url: str) -> None:
    """Given the org, key, alert, event and delivery that the sample files name."""
    orgs.ensure(SAMPLE_ORG)
    create_key(SAMPLE_ORG, list(ALL_SCOPES), token=SAMPLE_TOKEN)
    now = clock.iso()
    alerts_repo.create(
        AlertRecord(
            org_id=SAMPLE_ORG,
            id="alt_sample123",
            name="Sample",
            strategy="webhook",
            notify_on_recovery=True,
            cooldown_minutes=0,
            monitor_id=None,
            config={},
            sealed=secrets.seal(SAMPLE_ORG, {"url": receiver_url}),
            created_at=now,
            updated_at=now,
        )
    )
    stream_image = load(EVENTS / "fanout" / "stream-batch.json")["Records"][0]["dynamodb"]["NewImage"]
    from boto3.dynamodb.types import TypeDeserializer

    item = {k: TypeDeserializer().deserialize(v) for k, v in stream_image.items()}
    events_repo.put(item)
    message = json.loads(load(EVENTS / "delivery" / "sqs-batch.json")["Records"][0]["body"])
    deliveries.put_if_absent(
        DeliveryRecord(
            id=message["deliveryId"],
            event_id=message["eventId"],
            org_id=SAMPLE_ORG,
            kind="webhook",
            family="alerts",
            destination_id="alt_sample123",
            destination_name="Sample",
            sealed=secrets.seal(SAMPLE_ORG, {"url": receiver_url}),
            message={k: v for k, v in item.items() if k not in ("pk", "sk", "type", "orgId", "ttl")},
            created_at=now,
            updated_at=now,
            alert_id="alt_sample123",
            monitor_id="mon_abc123",
        )
    )


def invoke(folder: str, event: dict[str, Any]) -> Any:
    spec = Template().functions()[FOLDER_TO_FUNCTION[folder]]
    return load_instance(spec)(event, LambdaContext(spec))


def test_every_function_has_sample_events() -> None:
    folders = {p.name for p in EVENTS.iterdir() if p.is_dir()}
    assert folders == set(FOLDER_TO_FUNCTION)
    for folder in folders:
        assert list((EVENTS / folder).glob("*.json")), f"events/{folder} has no sample"


def test_api_samples_answer_as_documented(aws_env: Any, receiver: Receiver) -> None:
    seed(receiver.url())
    order = sorted(
        [p for folder in ("alerts", "events") for p in (EVENTS / folder).glob("*.json")],
        key=lambda p: p.stem == "delete-alert",
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
    if path.parent.name in ("alerts", "events"):
        assert event["version"] == "2.0" and event["routeKey"] in {r.route_key for r in Template().http_routes()}
    else:
        assert event.get("Records") or event.get("detail-type") == "Scheduled Event"
