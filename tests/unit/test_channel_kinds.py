"""Every delivery kind is wired end to end in the template, and the local queue pollers back off when idle."""

from __future__ import annotations

from typing import Any, cast

import pytest

from herald.senders.registry import ADAPTERS
from herald.senders.render import Notification, truncate, truncate_to_fit
from herald.settings import DELIVERY_KINDS, from_environ
from herald_local.pollers import QueuePoller
from herald_local.template import Template

LOGICAL = {"pagerduty": "PagerDuty", "http": "Http", "sms": "Sms"}


def logical(kind: str) -> str:
    return LOGICAL.get(kind, kind.capitalize())


@pytest.mark.parametrize("kind", DELIVERY_KINDS)
def test_kind_has_adapter_queue_dlq_alarm_env_event_and_send_policy(kind: str) -> None:
    template = Template()
    name = logical(kind)
    assert kind in ADAPTERS
    queue = template.resources[f"{name}Queue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [f"{name}DeadLetterQueue", "Arn"]}
    alarm = template.resources[f"{name}DeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": [f"{name}DeadLetterQueue", "QueueName"]}
    for function in ("FanoutFunction", "DeliveryFunction", "SchedulerFunction"):
        env = template.functions()[function].environment
        assert env[f"QUEUE_URL_{kind.upper()}"] == {"Ref": f"{name}Queue"}
    delivery = template.functions()["DeliveryFunction"].events
    assert delivery[f"{name}Queue"]["Properties"]["Queue"] == {"Fn::GetAtt": [f"{name}Queue", "Arn"]}
    fanout = template.resources["FanoutFunction"]["Properties"]["Policies"]
    assert {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": [f"{name}Queue", "QueueName"]}}} in fanout


def test_delivery_function_may_send_sms_voice_and_mobile_push() -> None:
    policies = Template().resources["DeliveryFunction"]["Properties"]["Policies"]
    statements = [s for p in policies if isinstance(p, dict) and "Statement" in p for s in p["Statement"]]
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["SmsToPhoneNumbers"]["Action"] == "sns:Publish"
    # mobile push (an SNS platform endpoint ARN) is sent by the delivery function: no Deny may cover it
    assert not [s for s in statements if s.get("Effect") == "Deny" and s.get("Action") == "sns:Publish"]
    assert by_sid["VoiceCallsFromOwnIdentities"]["Action"] == "sms-voice:SendVoiceMessage"
    assert all("${AWS::AccountId}" in str(r) for r in by_sid["VoiceCallsFromOwnIdentities"]["Resource"])


def test_provider_urls_are_settings() -> None:
    defaults = from_environ({"TABLE_NAME": "t"})
    assert defaults.telegram_api_url == "https://api.telegram.org"
    assert defaults.pagerduty_events_url == "https://events.pagerduty.com/v2/enqueue"
    assert defaults.voice_origination == ""
    custom = from_environ(
        {
            "TABLE_NAME": "t",
            "HERALD_TELEGRAM_API_URL": "http://127.0.0.1:9/tg",
            "HERALD_PAGERDUTY_EVENTS_URL": "http://127.0.0.1:9/pd",
            "HERALD_VOICE_ORIGINATION": "pool-1",
            "QUEUE_URL_VOICE": "http://q/voice",
        }
    )
    assert (custom.telegram_api_url, custom.pagerduty_events_url, custom.voice_origination) == (
        "http://127.0.0.1:9/tg",
        "http://127.0.0.1:9/pd",
        "pool-1",
    )
    assert custom.queue_url("voice") == "http://q/voice"


def test_truncate_to_fit_finds_the_longest_prefix() -> None:
    text = "abcdefghij"
    assert truncate_to_fit(text, lambda t: len(t) <= 20) == text
    assert truncate_to_fit(text, lambda t: len(t.replace("…", "xxx")) <= 7) == truncate(text, 5)
    assert truncate_to_fit(text, lambda t: False) is None


def test_render_wording_for_new_channels() -> None:
    n = Notification(
        id="evt_1",
        status="recovered",
        severity="warning",
        title="db down",
        created_at="2025-01-01T00:00:00Z",
        monitor_id="m1",
    )
    assert n.summary == "db down (monitor m1)"
    assert n.short_text() == "[RECOVERED] db down\nMonitor m1"
    assert n.spoken_text() == "Herald warning alert. db down has recovered. Monitor m1."
    assert n.template_fields()["headline"] == "[RECOVERED] db down"


class FakeSqs:
    def __init__(self, batches: list[list[dict[str, Any]]]) -> None:
        self.batches = batches

    def receive_message(self, **_: Any) -> dict[str, Any]:
        return {"Messages": self.batches.pop(0) if self.batches else []}

    def delete_message_batch(self, **_: Any) -> None:
        pass


class FakePool:
    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        return {"batchItemFailures": []}


def test_queue_poller_backs_off_when_idle_and_resets_on_work() -> None:
    message = {"MessageId": "m1", "ReceiptHandle": "r1", "Body": "{}"}
    sqs = FakeSqs([[], [], [], [], [], [message]])
    poller = QueuePoller(lambda _: sqs, "url", "arn:aws:sqs:us-east-1:1:q", cast(Any, FakePool()), {}, 0.2)
    waits = []
    for _ in range(5):
        assert poller.poll_once() is False
        waits.append(poller.interval)
    assert waits == [0.4, 0.8, 1.0, 1.0, 1.0]
    assert poller.poll_once() is True
    assert poller.interval == 0.2
