"""The uptime alerts API's history route, GET /v1/alerts/{id}/events (seeds/uptime-alerts.md): what each
alert's deliveries show, newest first, and its limit."""

from __future__ import annotations

import re

import pytest

from herald.data import deliveries
from herald.data.table import table
from tests.families.uptime.alerts import HISTORY_FIELDS, ISO_UTC, assert_error, create, history_record, stamp
from tests.support import module_env
from tests.support.apigw import ApiClient

# One moto per module, a fresh table per test, warm function instances (see tests/support/module_env.py).
module_aws, aws_env, module_api, api = module_env.module_aws, module_env.aws_env, module_env.module_api, module_env.api


# --- GET /v1/alerts/{id}/events ----------------------------------------------------------------------


def test_history_of_a_new_alert_is_empty(api: ApiClient, token: str) -> None:
    alert = create(api, token)
    response = api.get(f"/v1/alerts/{alert['id']}/events", token=token)
    assert response.status == 200
    assert response.json() == {"events": []}


def test_history_lists_newest_first_with_the_seed_fields(api: ApiClient, token: str, org_id: str) -> None:
    # Given three deliveries for the alert, written out of order, and one for another alert
    alert = create(api, token)
    other = create(api, token)
    records = [
        history_record(alert["id"], org_id, stamp(5), status="delivered", event_status="recovered"),
        history_record(alert["id"], org_id, stamp(0), status="failed"),
        history_record(alert["id"], org_id, stamp(10), status="pending", monitor_id="mon_xyz"),
        history_record(other["id"], org_id, stamp(20)),
    ]
    for record in records:
        assert deliveries.put_if_absent(record)
    # When the history is read
    response = api.get(f"/v1/alerts/{alert['id']}/events", token=token)
    # Then the alert's three entries come back, newest first, with exactly the seed's fields
    assert response.status == 200, response.text
    events = response.json()["events"]
    assert events == [
        {
            "id": records[2].event_id,
            "alertId": alert["id"],
            "monitorId": "mon_xyz",
            "type": "triggered",
            "status": "pending",
            "createdAt": stamp(10),
        },
        {
            "id": records[0].event_id,
            "alertId": alert["id"],
            "monitorId": "mon_def456",
            "type": "recovered",
            "status": "delivered",
            "createdAt": stamp(5),
        },
        {
            "id": records[1].event_id,
            "alertId": alert["id"],
            "monitorId": "mon_def456",
            "type": "triggered",
            "status": "failed",
            "createdAt": stamp(0),
        },
    ]
    for event in events:
        assert set(event) == HISTORY_FIELDS
        assert re.match(r"^evt_[a-zA-Z0-9]+$", event["id"])
        assert ISO_UTC.match(event["createdAt"])


def test_history_reflects_a_delivery_status_change(api: ApiClient, token: str, org_id: str) -> None:
    # Given a pending delivery
    alert = create(api, token)
    record = history_record(alert["id"], org_id, stamp(0), status="pending")
    deliveries.put_if_absent(record)
    # When it is delivered
    deliveries.finish(record.event_id, record.id, "delivered", stamp(1))
    # Then the history says so
    events = api.get(f"/v1/alerts/{alert['id']}/events", token=token).json()["events"]
    assert [e["status"] for e in events] == ["delivered"]


def alert_with_history(api: ApiClient, token: str, org_id: str, entries: int) -> tuple[str, list[str]]:
    """An alert with this many history entries (stored as the delivery records they are); returns its id
    and the event ids, newest first."""
    alert = create(api, token)
    records = [history_record(alert["id"], org_id, stamp(n)) for n in range(entries)]
    with table().batch_writer() as batch:
        for record in records:
            batch.put_item(Item=record.to_item())
    return alert["id"], [r.event_id for r in reversed(records)]


def history_ids(api: ApiClient, token: str, alert_id: str, query: str = "") -> list[str]:
    response = api.get(f"/v1/alerts/{alert_id}/events{query}", token=token)
    assert response.status == 200, response.text
    return [event["id"] for event in response.json()["events"]]


def test_history_defaults_to_the_newest_50(api: ApiClient, token: str, org_id: str) -> None:
    # Given 51 entries
    alert_id, newest_first = alert_with_history(api, token, org_id, 51)
    # When read without a limit
    # Then the newest 50 come back
    assert history_ids(api, token, alert_id) == newest_first[:50]


@pytest.mark.parametrize(("limit", "expected"), [(1, 1), (3, 3), (4, 4), (200, 4)])
def test_history_limit_is_respected(api: ApiClient, token: str, org_id: str, limit: int, expected: int) -> None:
    # Given 4 entries
    alert_id, newest_first = alert_with_history(api, token, org_id, 4)
    # When read with a limit
    # Then that many of the newest come back (all of them when the limit is larger)
    assert history_ids(api, token, alert_id, f"?limit={limit}") == newest_first[:expected]


@pytest.mark.parametrize("limit", ["0", "201", "-1", "abc", "1.5", "", "1e2"])
def test_history_rejects_a_bad_limit(api: ApiClient, token: str, limit: str) -> None:
    alert = create(api, token)
    response = api.get(f"/v1/alerts/{alert['id']}/events?limit={limit}", token=token)
    assert "limit" in assert_error(response, 400, "VALIDATION_ERROR")


def test_history_of_an_unknown_alert_is_404(api: ApiClient, token: str) -> None:
    assert_error(api.get("/v1/alerts/alt_missing/events", token=token), 404, "NOT_FOUND")


def test_history_of_a_deleted_alert_is_404(api: ApiClient, token: str, org_id: str) -> None:
    alert = create(api, token)
    deliveries.put_if_absent(history_record(alert["id"], org_id, stamp(0)))
    api.delete(f"/v1/alerts/{alert['id']}", token=token)
    assert_error(api.get(f"/v1/alerts/{alert['id']}/events", token=token), 404, "NOT_FOUND")
