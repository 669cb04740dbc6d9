"""Stored item shapes: each record reads an item captured from the code before the record base class, and
writes it back unchanged. A renamed attribute, a lost default or a changed encoding fails here, so items
already in the table keep loading."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from herald.data import incidents
from herald.data.record import Record
from herald.families.grafana import store as grafana_channels
from herald.families.influxdb import store as notification_endpoints
from herald.families.mackerel import store as notification_groups
from herald.families.oncall import store as oncall
from herald.families.uptime import store as alerts

ALERT_ITEM = {
    "pk": "ORG#org1",
    "sk": "ALERT#alt_1",
    "type": "alert",
    "orgId": "org1",
    "id": "alt_1",
    "name": "Disk",
    "strategy": "webhook",
    "notifyOnRecovery": True,
    "cooldownMinutes": Decimal(5),
    "monitorId": None,
    "config": {"email": "a@b.c"},
    "sealed": {"url": "CIPH"},
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-02T00:00:00Z",
}

MACKEREL_CHANNEL_ITEM = {
    "pk": "ORG#org1",
    "sk": "MKR#CHANNEL#ch1",
    "type": "mackerelChannel",
    "orgId": "org1",
    "id": "ch1",
    "name": "Ops",
    "channelType": "slack",
    "events": ["alert"],
    "emails": ["x@y.z"],
    "userIds": ["u1"],
    "mentions": {"ok": "@here"},
    "enabledGraphImage": True,
    "urlMask": "https://hooks.slack.com/***",
    "sealed": {"webhookUrl": "CIPH"},
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-01T00:00:00Z",
}

MACKEREL_GROUP_ITEM = {
    "pk": "ORG#org1",
    "sk": "MKR#GROUP#g1",
    "type": "mackerelGroup",
    "orgId": "org1",
    "id": "g1",
    "groupType": "group",
    "name": "G",
    "notificationLevel": "critical",
    "childNotificationGroupIds": ["g2"],
    "childChannelIds": ["ch1"],
    "monitors": [{"id": "m1", "skipDefault": True}],
    "services": ["web"],
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-01T00:00:00Z",
}

ENDPOINT_ITEM = {
    "pk": "ORG#org1",
    "sk": "NEP#0a1b2c3d4e5f6a7b",
    "type": "endpoint",
    "orgId": "org1",
    "id": "0a1b2c3d4e5f6a7b",
    "name": "hook",
    "description": "d",
    "status": "inactive",
    "endpointType": "http",
    "config": {"url": "http://x", "method": "POST"},
    "sealed": {"password": "CIPH"},
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-01T00:00:00Z",
    "version": Decimal(3),
}

LABEL_ITEM = {
    "pk": "ORG#org1",
    "sk": "LABEL#0a1b2c3d4e5f6a70",
    "type": "label",
    "orgId": "org1",
    "id": "0a1b2c3d4e5f6a70",
    "name": "env",
    "properties": '{"color":"#fff","\\u00e9":"x"}',
}

GRAFANA_CHANNEL_ITEM = {
    "pk": "ORG#org1",
    "sk": "GRF#CH#000000000007",
    "type": "grafana_channel",
    "orgId": "org1",
    "id": Decimal(7),
    "uid": "abc",
    "name": "Slack",
    "notifierType": "slack",
    "isDefault": True,
    "sendReminder": True,
    "frequencySeconds": Decimal(300),
    "disableResolveMessage": False,
    "settings": '{"recipient":"#ops","n":1.5}',
    "secureKeys": ["url"],
    "shownKeys": ["token"],
    "sealed": {"url": "CIPH"},
    "created": "2026-01-01T00:00:00",
    "updated": "2026-01-01T00:00:00",
    "version": Decimal(2),
}

ONCALL_USER_ITEM = {
    "pk": "ORG#org1",
    "sk": "USER#UABC",
    "type": "oncall_user",
    "orgId": "org1",
    "id": "UABC",
    "grafanaId": Decimal(3),
    "email": "a@b.c",
    "username": "a",
    "role": "admin",
    "timezone": "Europe/Paris",
    "config": {"phoneNumber": "+331"},
    "sealed": {"webhookUrl": "CIPH"},
    "createdAt": "2026-01-01T00:00:00Z",
}

CASES: list[tuple[type[Record], dict[str, Any]]] = [
    (alerts.AlertRecord, ALERT_ITEM),
    (notification_groups.ChannelRecord, MACKEREL_CHANNEL_ITEM),
    (notification_groups.GroupRecord, MACKEREL_GROUP_ITEM),
    (notification_endpoints.EndpointRecord, ENDPOINT_ITEM),
    (notification_endpoints.LabelRecord, LABEL_ITEM),
    (grafana_channels.ChannelRecord, GRAFANA_CHANNEL_ITEM),
    (oncall.UserRecord, ONCALL_USER_ITEM),
]


@pytest.mark.parametrize(("record_type", "item"), CASES, ids=[c[0].ITEM_TYPE for c in CASES])
def test_a_stored_item_reads_and_writes_back_unchanged(record_type: type[Record], item: dict[str, Any]) -> None:
    record = record_type.from_item(item)

    assert record.to_item() == item
    assert {k: type(v) for k, v in record.to_item().items()} == {
        k: int if isinstance(v, Decimal) else type(v) for k, v in item.items()
    }


def test_numbers_come_back_as_python_numbers() -> None:
    channel = grafana_channels.ChannelRecord.from_item(GRAFANA_CHANNEL_ITEM)

    assert (channel.id, channel.frequency_seconds, channel.settings["n"]) == (7, 300, 1.5)
    assert notification_endpoints.LabelRecord.from_item(LABEL_ITEM).properties == {"color": "#fff", "é": "x"}


def test_older_items_without_optional_attributes_still_load() -> None:
    """Labels written as maps, endpoints before `version` and `status`, channels before `shownKeys`."""
    label = notification_endpoints.LabelRecord.from_item({**LABEL_ITEM, "properties": {"color": "#000"}})
    endpoint = notification_endpoints.EndpointRecord.from_item(
        {k: v for k, v in ENDPOINT_ITEM.items() if k not in ("version", "status", "description")}
    )
    channel = grafana_channels.ChannelRecord.from_item(
        {k: v for k, v in GRAFANA_CHANNEL_ITEM.items() if k not in ("shownKeys", "version")}
    )

    assert label.properties == {"color": "#000"}
    assert (endpoint.version, endpoint.status, endpoint.description) == (0, "active", "")
    assert (channel.shown_keys, channel.version) == ([], 1)


def test_fields_kept_out_of_the_item_are_not_written() -> None:
    endpoint = notification_endpoints.EndpointRecord.from_item(ENDPOINT_ITEM)
    endpoint.label_ids.append("0a1b2c3d4e5f6a71")

    assert endpoint.to_item() == ENDPOINT_ITEM


def test_a_rule_chain_is_written_as_before_at_its_next_version() -> None:
    chain = oncall.Chain.from_item(CHAIN_ITEM)
    written = chain.put(chain.rules)["Put"]

    assert (chain.version, chain.rules[0]["duration"]) == (3, 60)
    assert written["Item"] == {**CHAIN_ITEM, "version": 4}
    assert (written["ConditionExpression"], written["ExpressionAttributeValues"]) == ("version = :v", {":v": 3})


CHAIN_ITEM = {
    "pk": "ORG#org1",
    "sk": "CHAIN#UABC#1",
    "type": "oncall_chain",
    "orgId": "org1",
    "userId": "UABC",
    "important": True,
    "version": Decimal(3),
    "rules": [{"id": "R1", "type": "wait", "duration": Decimal(60)}, {"id": "R2", "type": "notify_by_slack"}],
}


CLOSED_UNKNOWN_INCIDENT_ITEM = {
    "pk": "DEDUP#org1#disk",
    "sk": "INCIDENT",
    "type": "incident",
    "orgId": "org1",
    "dedupKey": "disk",
    "isOpen": False,
    "acknowledged": False,
    "count": Decimal(0),
    "firstSeenAt": "2026-01-01T00:00:00Z",
    "lastSeenAt": "2026-01-01T00:00:00Z",
    "closedAt": "2026-01-01T00:00:00Z",
    "recoveryEventId": "evt_2",
    "ttl": Decimal(1767225600),
}


def test_an_incident_reads_and_writes_back_unchanged_but_for_its_ttl() -> None:
    """Incidents are written by update expressions, and by one put (a recovery of a dedupKey never seen):
    that put's item is the record's, with no incidentId attribute at all."""
    record = incidents.IncidentRecord.from_item(CLOSED_UNKNOWN_INCIDENT_ITEM)
    opened = incidents.IncidentRecord.from_item(
        {**CLOSED_UNKNOWN_INCIDENT_ITEM, "isOpen": True, "incidentId": "evt_1", "count": Decimal(3)}
    )

    assert {**record.to_item(), "ttl": Decimal(1767225600)} == CLOSED_UNKNOWN_INCIDENT_ITEM
    assert (record.incident_id, opened.incident_id, opened.count, opened.is_open) == (None, "evt_1", 3, True)
