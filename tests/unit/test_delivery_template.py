"""template.yaml's delivery operations: every alarm notifies someone, the alarms issue 13 names exist, the
queues' receive limit sits well above the attempts, and delivery cannot take the account's concurrency."""

from __future__ import annotations

import pytest

from herald.delivery.contract import CHANNELS
from herald_local.template import Template

TEMPLATE = Template()
ALARMS = TEMPLATE.of_type("AWS::CloudWatch::Alarm")


def test_every_alarm_notifies_the_alarm_topic_which_an_optional_email_subscribes_to() -> None:
    assert len(ALARMS) >= 30
    for name, alarm in ALARMS.items():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert props["OKActions"] == [{"Ref": "AlarmTopic"}], name
    assert TEMPLATE.resources["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    subscription = TEMPLATE.resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert TEMPLATE.data["Parameters"]["AlarmEmail"]["Default"] == ""


def metric_alarm(namespace: str, metric: str, dimension: object) -> bool:
    return any(
        a["Properties"]["Namespace"] == namespace
        and a["Properties"]["MetricName"] == metric
        and a["Properties"]["Dimensions"][0]["Value"] == dimension
        for a in ALARMS.values()
    )


@pytest.mark.parametrize("function", ["FanoutFunction", "DeliveryFunction", "SchedulerFunction"])
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_errors_and_throttles_of_the_pipeline_functions_alarm(function: str, metric: str) -> None:
    assert metric_alarm("AWS/Lambda", metric, {"Ref": function})


def test_fan_out_lag_overdue_timers_and_dead_lettered_deliveries_alarm() -> None:
    assert metric_alarm("AWS/Lambda", "IteratorAge", {"Ref": "FanoutFunction"})
    # the metrics namespace and service dimension herald/observability.py emits with
    assert metric_alarm("Herald", "OverdueTimers", "herald")
    assert metric_alarm("Herald", "DeliveryDeadLettered", "herald")


@pytest.mark.parametrize("queue", sorted(c.queue for c in CHANNELS.values()))
def test_each_main_queue_alarms_on_its_oldest_message_and_receives_outnumber_attempts(queue: str) -> None:
    assert metric_alarm("AWS/SQS", "ApproximateAgeOfOldestMessage", {"Fn::GetAtt": [f"{queue}Queue", "QueueName"]})
    redrive = TEMPLATE.resources[f"{queue}Queue"]["Properties"]["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == {"Ref": "MaxReceives"}
    parameters = TEMPLATE.data["Parameters"]
    assert parameters["MaxReceives"]["MinValue"] > parameters["MaxAttempts"]["Default"]
    event = TEMPLATE.functions()["DeliveryFunction"].events[f"{queue}Queue"]
    assert event["Properties"]["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "DeliveryMaximumConcurrency"}}
