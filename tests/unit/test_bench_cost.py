"""The cost model's arithmetic (bench/cost.py). Benchmarks themselves are not tests; this is pure math."""

from __future__ import annotations

import pytest

from bench.cost import (
    Measured,
    Prices,
    Usage,
    cost_per_event,
    cost_per_million_notifications,
    gb_seconds,
    request_write_units,
    sns_per_million_notifications,
    usage_for,
    write_units,
)

ONE_DOLLAR_EACH = Prices(
    lambda_request=1.0,
    lambda_gb_second=1.0,
    dynamodb_write_unit=1.0,
    dynamodb_read_unit=1.0,
    sqs_request=1.0,
    apigw_http_request=1.0,
    kms_request=1.0,
    sns_publish=1.0,
    sns_http_delivery=1.0,
)


def test_write_units_round_up_per_kilobyte_with_a_floor_of_one() -> None:
    assert write_units(0) == 1
    assert write_units(1024) == 1
    assert write_units(1025) == 2
    assert write_units(3000) == 3


def test_transactions_cost_two_units_per_item() -> None:
    assert request_write_units("PutItem", 500) == 1
    assert request_write_units("TransactWriteItems", 900, items=2) == 4
    assert request_write_units("TransactWriteItems", 5000, items=2) == 10  # the size dominates
    assert request_write_units("BatchWriteItem", 900, items=3) == 3


def test_gb_seconds_bill_whole_milliseconds_times_memory() -> None:
    assert gb_seconds(1.0, 1024) == pytest.approx(1.0)
    assert gb_seconds(0.0101, 512) == pytest.approx(0.011 * 0.5)  # 10.1 ms is billed as 11 ms
    assert gb_seconds(0.25, 512) == pytest.approx(0.125)


def test_cost_per_million_notifications_divides_events_by_destinations() -> None:
    usage = Usage(
        destinations=4,
        api_requests=1,
        lambda_requests=2,
        lambda_gb_seconds=0.5,
        dynamodb_write_units=3,
        dynamodb_read_units=1,
        sqs_requests=0.5,
        kms_requests=4,
    )
    per_event = cost_per_event(usage, ONE_DOLLAR_EACH)
    assert sum(per_event.values()) == pytest.approx(1 + 2 + 0.5 + 3 + 1 + 0.5 + 4)
    million = cost_per_million_notifications(usage, ONE_DOLLAR_EACH)
    assert million["total"] == pytest.approx(12.0 * 1e6 / 4)
    assert million["API Gateway"] == pytest.approx(1e6 / 4)


def test_published_prices_give_the_expected_dollars() -> None:
    usage = Usage(
        1,
        api_requests=1,
        lambda_requests=0,
        lambda_gb_seconds=0,
        dynamodb_write_units=0,
        dynamodb_read_units=0,
        sqs_requests=0,
        kms_requests=0,
    )
    assert cost_per_million_notifications(usage)["total"] == pytest.approx(1.00)  # HTTP API: $1 per million


def test_sns_charges_one_publish_per_event_and_one_delivery_per_notification() -> None:
    assert sns_per_million_notifications(1) == pytest.approx(0.50 + 0.60)
    assert sns_per_million_notifications(5) == pytest.approx(0.10 + 0.60)
    assert sns_per_million_notifications(2, ONE_DOLLAR_EACH) == pytest.approx(0.5e6 + 1e6)


def test_usage_model_adds_up_the_measured_counts() -> None:
    measured = Measured(
        intake_calls=1,
        intake_write_units=1,
        fanout_events=100,
        fanout_deliveries=500,  # k = 5
        fanout_calls=900,
        fanout_reads=300,
        fanout_writes=500,
        fanout_sqs=50,
        fanout_item_bytes=7000,  # a plan chunk: 7 write units per fan-out write
        delivery_item_bytes=1500,  # 2 write units per delivery write
        delivery_calls_per_message=3,
        delivery_writes_per_message=2,
        delivery_reads_per_message=0,
        delivery_kms_per_message=1,
        delivery_waves=2,
    )
    usage = usage_for(measured)
    assert usage.destinations == 5
    assert usage.api_requests == 1
    assert usage.lambda_requests == pytest.approx(1 + 0.01 + 0.5)
    assert usage.dynamodb_write_units == pytest.approx(1 + 5 * 7 + 5 * 2 * 2)
    assert usage.dynamodb_read_units == pytest.approx(3)
    assert usage.sqs_requests == pytest.approx(0.5 + 0.5 * 2)
    assert usage.kms_requests == pytest.approx(5)
    intake = gb_seconds(0.005 + 0.008)
    fanout = gb_seconds(0.005 + 900 * 0.008) / 100
    delivery = gb_seconds(0.005 + 2 * (0.2 + 3 * 0.008)) * 0.5
    assert usage.lambda_gb_seconds == pytest.approx(intake + fanout + delivery)


def test_item_size_counts_names_and_values_as_dynamodb_does() -> None:
    from bench.harness import item_size

    assert item_size({"pk": {"S": "abc"}}) == 2 + 3
    assert item_size({"n": {"N": "12345"}}) == 1 + 4  # 5 digits → 3 bytes + 1
    assert item_size({"ok": {"BOOL": True}, "m": {"M": {"a": {"S": "xy"}}}}) == (2 + 1) + (1 + 3 + 1 + 2 + 1)
    assert item_size({"l": {"L": [{"S": "a"}, {"S": "b"}]}}) == 1 + 3 + 2 + 2


def test_provisioned_capacity_prices_a_write_at_its_hourly_price_over_the_used_seconds() -> None:
    from bench.cost import provisioned_prices

    held = provisioned_prices(Prices(dynamodb_wcu_hour=3.6, dynamodb_rcu_hour=0.72), utilisation=0.5)
    assert held.dynamodb_write_unit == pytest.approx(3.6 / 3600 / 0.5)
    assert held.dynamodb_read_unit == pytest.approx(0.72 / 3600 / 0.5)
    assert held.apigw_http_request == Prices().apigw_http_request  # only DynamoDB changes


def test_published_provisioned_prices_break_even_near_29_percent_use() -> None:
    from bench.cost import break_even_utilisation

    assert break_even_utilisation() == pytest.approx(0.00065 / 3600 / 0.625e-6)
    assert 0.28 < break_even_utilisation() < 0.30


def test_break_even_traffic_scales_with_the_peak_held_for() -> None:
    from bench.cost import break_even_notifications_per_second

    usage = Usage(
        destinations=20,
        api_requests=1,
        lambda_requests=0,
        lambda_gb_seconds=0,
        dynamodb_write_units=41,
        dynamodb_read_units=0,
        sqs_requests=0,
        kms_requests=0,
    )
    at_1000 = break_even_notifications_per_second(usage, 1000)
    assert at_1000 == pytest.approx(1000 * 0.00065 / 3600 / 0.625e-6)
    assert break_even_notifications_per_second(usage, 10_000) == pytest.approx(10 * at_1000)
