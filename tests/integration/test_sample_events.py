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
    "alert_notifications": "AlertNotificationsFunction",
    "personal_notification_rules": "PersonalNotificationRulesFunction",
    "notification_groups": "NotificationGroupsFunction",
    "notification_endpoints": "NotificationEndpointsFunction",
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


def seed_notification_groups(receiver_url: str) -> None:
    """The Mackerel channel and notification group that the notification_groups samples name."""
    from herald.data import notification_groups as mackerel_repo

    now = clock.iso()
    config = mackerel_repo.load(SAMPLE_ORG)
    channel = mackerel_repo.ChannelRecord(
        org_id=SAMPLE_ORG,
        id="SampleChan1",
        name="Receiver",
        channel_type="webhook",
        events=["alert"],
        url_mask="http://127.0.0.1/********",
        sealed=secrets.seal(SAMPLE_ORG, {"url": receiver_url}),
        created_at=now,
        updated_at=now,
    )
    group = mackerel_repo.GroupRecord(
        org_id=SAMPLE_ORG,
        id="SampleGrp01",
        group_type="group",
        name="Sample group",
        notification_level="all",
        child_channel_ids=["SampleChan1"],
        created_at=now,
        updated_at=now,
    )
    mackerel_repo.commit(config, [channel, group])


def seed_oncall() -> None:
    """The OnCall user and the two rules that the personal_notification_rules samples name."""
    from herald.data import oncall as oncall_repo

    user = oncall_repo.UserRecord(
        org_id=SAMPLE_ORG,
        id="U4DNY931HHJS5",
        grafana_id=1,
        email="alice@example.com",
        username="alice",
        role="admin",
        timezone="UTC",
        created_at=clock.iso(),
        config={"phoneNumber": "+14155550100"},
    )
    oncall_repo.create_user(user)
    chain = oncall_repo.get_chain(SAMPLE_ORG, user.id, False)
    rules: list[dict[str, Any]] = [
        {"id": "NT79GA9I7E4DJ", "type": "notify_by_sms"},
        {"id": "ND9EHN5LN1DUU", "type": "wait", "duration": 300},
    ]
    oncall_repo.write([chain.put(rules), *(oncall_repo.pointer_put(chain, r["id"]) for r in rules)])


def seed_alert_notifications() -> None:
    """The Grafana channels the alert_notifications samples name: id 1 (uid sample-channel), id 2 (uid
    sample-delete-me) and id 3."""
    from herald.domain import grafana_channels
    from herald.models.grafana import ChannelIn

    for uid, name in (("sample-channel", "Sample channel"), ("sample-delete-me", "Delete by uid"), (None, "By id")):
        body = ChannelIn(uid=uid, name=name, type="email", settings={"addresses": "ops@example.com"})
        grafana_channels.create_channel(SAMPLE_ORG, body)


def seed_notification_endpoints() -> None:
    """The InfluxDB endpoints and labels the notification_endpoints samples name: endpoint 0a0a… (slack,
    with a token), endpoint 0b0b… (deleted by a sample), labels 1a1a… (attached by a sample) and 1b1b…."""
    from herald.data import notification_endpoints as influx_repo

    now = clock.iso()
    for endpoint_id, name in (("0a0a0a0a0a0a0a0a", "Sample slack"), ("0b0b0b0b0b0b0b0b", "Delete me")):
        influx_repo.create_endpoint(
            influx_repo.EndpointRecord(
                org_id=SAMPLE_ORG,
                id=endpoint_id,
                name=name,
                type="slack",
                config={"url": "https://hooks.slack.com/services/T00/B00/xxx"},
                sealed=secrets.seal(
                    SAMPLE_ORG, {"webhookUrl": "https://hooks.slack.com/services/T00/B00/xxx", "token": "xoxb-1"}
                ),
                created_at=now,
                updated_at=now,
            )
        )
    for label_id, name in (("1a1a1a1a1a1a1a1a", "team"), ("1b1b1b1b1b1b1b1b", "obsolete")):
        influx_repo.create_label(influx_repo.LabelRecord(org_id=SAMPLE_ORG, id=label_id, name=name))


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
    seed_notification_groups(receiver.url())
    seed_oncall()
    seed_alert_notifications()
    seed_notification_endpoints()
    order = sorted(
        [
            p
            for folder in (
                "alerts",
                "events",
                "notification_groups",
                "personal_notification_rules",
                "alert_notifications",
                "notification_endpoints",
            )
            for p in (EVENTS / folder).glob("*.json")
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
        "alerts",
        "events",
        "notification_groups",
        "personal_notification_rules",
        "alert_notifications",
        "notification_endpoints",
    ):
        assert event["version"] == "2.0" and event["routeKey"] in {r.route_key for r in Template().http_routes()}
    else:
        assert event.get("Records") or event.get("detail-type") == "Scheduled Event"
