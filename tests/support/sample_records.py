"""The records the sample events in events/ name (org, key, alert, event, delivery, and each family's
records), so every sample answers as documented. Shared by the sample-event tests, the isolation walk and
`make bench`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from herald import clock, secrets
from herald.auth.api_keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import deliveries, orgs
from herald.data import events as events_repo
from herald.data.deliveries import DeliveryRecord
from herald.families.uptime import store as alerts_repo
from herald.families.uptime.store import AlertRecord
from herald_local.samples import SAMPLE_ORG as SAMPLE_ORG
from herald_local.samples import SAMPLE_TOKEN as SAMPLE_TOKEN
from herald_local.template import ROOT

EVENTS = ROOT / "events"


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
    from herald.families.mackerel import store as mackerel_repo

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
    from herald.families.oncall import store as oncall_repo

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
    from herald.families.grafana import service as grafana_channels
    from herald.families.grafana.wire import ChannelIn

    for uid, name in (("sample-channel", "Sample channel"), ("sample-delete-me", "Delete by uid"), (None, "By id")):
        body = ChannelIn(uid=uid, name=name, type="email", settings={"addresses": "ops@example.com"})
        grafana_channels.create_channel(SAMPLE_ORG, body)


def seed_notification_endpoints() -> None:
    """The InfluxDB endpoints and labels the notification_endpoints samples name: endpoint 0a0a… (slack,
    with a token), endpoint 0b0b… (deleted by a sample), labels 1a1a… (attached by a sample) and 1b1b…."""
    from herald.families.influxdb import store as influx_repo

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


def seed_all(receiver_url: str) -> None:
    """Every record any sample names; webhook destinations point at receiver_url."""
    seed(receiver_url)
    seed_notification_groups(receiver_url)
    seed_oncall()
    seed_alert_notifications()
    seed_notification_endpoints()
