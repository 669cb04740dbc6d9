"""Daily quotas of email, SMS and voice per org, and the recipients cap of one send (issue 15, item 5).

Events go through the real fan-out and the real delivery function; SES and SNS are moto's, whose sent
messages are the proof of what reached the provider. The day turns with the fake clock.
"""

from __future__ import annotations

from typing import Any

import pytest
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from herald.data import limits
from herald.data.table import table
from herald.delivery import quotas
from herald.domain import events, fanout
from herald.families.oncall import service as oncall
from herald.models.events import EventIn
from tests.support.apigw import ApiClient
from tests.support.delivery_run import deliver_queued
from tests.support.fake_clock import FakeClock

ACCOUNT, REGION = "123456789012", "us-east-1"
DAY = 24 * 3600


def ses_sent() -> int:
    return len(ses_backends[ACCOUNT][REGION].sent_messages)


def sms_sent() -> int:
    return len(sns_backends[ACCOUNT][REGION].sms_messages)


def fire(org_id: str, **fields: Any) -> str:
    event = events.submit_event(org_id, EventIn.model_validate({"status": "triggered", "title": "db down", **fields}))
    item = table().get_item(Key={"pk": f"EVENT#{event.id}", "sk": "EVENT"})["Item"]
    assert fanout.fan_out([("1", item)]) == []
    return event.id


def only_delivery(api: ApiClient, token: str, event_id: str) -> dict[str, Any]:
    answer = api.get(f"/v1/events/{event_id}", token=token)
    assert answer.status == 200, answer.text
    [delivery] = answer.json()["deliveries"]
    return dict(delivery)


def test_an_email_over_the_days_quota_fails_unsent_and_the_next_day_sends(
    api: ApiClient, org_id: str, token: str, fake_clock: FakeClock
) -> None:
    limits.override(org_id, {"email-per-day": 2})
    alert = {"name": "m", "strategy": "email", "email": "ops@example.com"}
    assert api.post("/v1/alerts", alert, token=token).status == 201
    sent = []
    for _ in range(3):
        event_id = fire(org_id)
        assert deliver_queued("email") == (1, [])
        sent.append((only_delivery(api, token, event_id), ses_sent()))
    assert [(d["status"], n) for d, n in sent] == [("delivered", 1), ("delivered", 2), ("failed", 2)]
    over = sent[2][0]
    assert over["lastError"].startswith("quota exceeded") and "email-per-day" in over["lastError"]
    assert over["attempts"] == 1  # never retried
    assert deliver_queued("email") == (0, [])  # nor queued again

    fake_clock.advance(DAY)
    event_id = fire(org_id)
    assert deliver_queued("email") == (1, [])
    assert only_delivery(api, token, event_id)["status"] == "delivered" and ses_sent() == 3


def test_an_sms_over_the_days_quota_fails_unsent_and_the_next_day_sends(
    api: ApiClient, org_id: str, token: str, fake_clock: FakeClock
) -> None:
    limits.override(org_id, {"sms-per-day": 1})
    user = oncall.create_user(org_id, "alice@example.com", config={"phoneNumber": "+14155550100"}).id
    oncall.create_rule(org_id, {"user_id": user, "type": "notify_by_sms"})
    outcomes = []
    for _ in range(2):
        event_id = fire(org_id, targets={"userIds": [user]})
        assert deliver_queued("sms") == (1, [])
        outcomes.append((only_delivery(api, token, event_id), sms_sent()))
    assert [(d["status"], n) for d, n in outcomes] == [("delivered", 1), ("failed", 1)]
    assert outcomes[1][0]["lastError"].startswith("quota exceeded")

    fake_clock.advance(DAY)
    event_id = fire(org_id, targets={"userIds": [user]})
    assert deliver_queued("sms") == (1, [])
    assert only_delivery(api, token, event_id)["status"] == "delivered" and sms_sent() == 2


@pytest.mark.parametrize("count", [50, 51])
def test_one_send_to_more_recipients_than_the_cap_fails_with_the_reason(
    api: ApiClient, org_id: str, token: str, count: int
) -> None:
    addresses = ";".join(f"r{i}@ops.example" for i in range(count))
    body = {"name": "many", "type": "email", "isDefault": True, "settings": {"addresses": addresses}}
    assert api.post("/api/alert-notifications", body, token=token).status == 200
    before = ses_sent()
    event_id = fire(org_id)
    assert deliver_queued("email") == (1, [])
    delivery = only_delivery(api, token, event_id)
    if count == 50:
        # Grafana's default: one message per address
        assert delivery["status"] == "delivered" and ses_sent() == before + count
        assert limits.spent(org_id, "email", quotas.today()) == count
    else:
        assert delivery["status"] == "failed" and ses_sent() == before
        assert delivery["lastError"] == "too many recipients: 51, one send may have at most 50"
        assert limits.spent(org_id, "email", quotas.today()) == 0
