"""Section 6: cost per million notifications on AWS, from the call counts measured in sections 1, 3 and 4
times published us-east-1 prices, beside Amazon SNS's price for the same fan-out.

The arithmetic is pure (tested in tests/unit/test_bench_cost.py); `run` only gathers the measurements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bench.report import Section, Table, Target, fmt_money

TITLE = "Cost per million notifications on AWS"
TARGET_PER_MILLION = 1.00

# Published on-demand list prices, us-east-1, first pricing tier, free tiers ignored. Recorded on
# 2026-11-23 from the AWS pricing pages (Lambda, DynamoDB, SQS, API Gateway, KMS, SNS); they were not
# re-fetched from this machine (it has no route to them), so re-check them before relying on the totals.
PRICES_DATE = "2026-11-23"


@dataclass(frozen=True)
class Prices:
    lambda_request: float = 0.20 / 1e6  # per request (x86 and arm64 alike)
    lambda_gb_second: float = 0.0000133334  # arm64, first 7.5 billion GB-s per month
    dynamodb_write_unit: float = 0.625 / 1e6  # on-demand write request unit (≤ 1 KB; transactions 2 units)
    dynamodb_read_unit: float = 0.125 / 1e6  # on-demand read request unit (≤ 4 KB strongly consistent)
    sqs_request: float = 0.40 / 1e6  # standard queue, per 64 KB chunk of a request
    apigw_http_request: float = 1.00 / 1e6  # HTTP API, first 300 million per month
    kms_request: float = 0.03 / 10_000  # symmetric Encrypt/Decrypt
    sns_publish: float = 0.50 / 1e6  # standard topic publish, per 64 KB chunk
    sns_http_delivery: float = 0.60 / 1e6  # per HTTP/S notification delivered


PRICES = Prices()

# Modelling assumptions (not prices): Lambda duration is modelled from the measured call counts, since
# moto's timings on a shared machine say nothing about AWS's.
AWS_CALL_SECONDS = 0.008  # one in-region AWS API call, client side
INVOCATION_OVERHEAD_SECONDS = 0.005  # handler work besides AWS calls, per invocation
WEBHOOK_SECONDS = 0.2  # the receiver's answer time in section 4
MEMORY_MB = 512  # template.yaml Globals.Function.MemorySize
FANOUT_BATCH = 100  # template.yaml: FanoutFunction stream BatchSize
DELIVERY_BATCH = 10  # template.yaml: delivery queues' BatchSize
SQS_POLL_REQUESTS_PER_BATCH = 2  # Lambda's poller: one ReceiveMessage + one DeleteMessageBatch per batch


def write_units(item_bytes: float) -> int:
    """On-demand write units of one write of an item this size (1 KB each, at least 1)."""
    return max(1, math.ceil(item_bytes / 1024))


def request_write_units(operation: str, item_bytes: int, items: int = 0) -> int:
    """Write units of one write request: a transaction costs two units per item (at least its largest
    item's units), a batch one per item."""
    if operation in ("TransactWriteItems", "BatchWriteItem"):
        factor = 2 if operation == "TransactWriteItems" else 1
        return factor * max(items, write_units(item_bytes))
    return write_units(item_bytes)


def gb_seconds(seconds: float, memory_mb: int = MEMORY_MB) -> float:
    """Lambda bills duration rounded up to the millisecond, times the configured memory."""
    return math.ceil(seconds * 1000) / 1000 * memory_mb / 1024


@dataclass(frozen=True)
class Usage:
    """AWS usage for ONE event that fans out to `destinations` webhook notifications."""

    destinations: int
    api_requests: float
    lambda_requests: float
    lambda_gb_seconds: float
    dynamodb_write_units: float
    dynamodb_read_units: float
    sqs_requests: float
    kms_requests: float


def cost_per_event(usage: Usage, prices: Prices = PRICES) -> dict[str, float]:
    return {
        "API Gateway": usage.api_requests * prices.apigw_http_request,
        "Lambda requests": usage.lambda_requests * prices.lambda_request,
        "Lambda duration": usage.lambda_gb_seconds * prices.lambda_gb_second,
        "DynamoDB writes": usage.dynamodb_write_units * prices.dynamodb_write_unit,
        "DynamoDB reads": usage.dynamodb_read_units * prices.dynamodb_read_unit,
        "SQS": usage.sqs_requests * prices.sqs_request,
        "KMS": usage.kms_requests * prices.kms_request,
    }


def cost_per_million_notifications(usage: Usage, prices: Prices = PRICES) -> dict[str, float]:
    """Line items and "total" for one million notifications, i.e. 1e6 / destinations events."""
    events = 1e6 / usage.destinations
    items = {name: value * events for name, value in cost_per_event(usage, prices).items()}
    items["total"] = sum(items.values())
    return items


def sns_per_million_notifications(destinations: int, prices: Prices = PRICES) -> float:
    """SNS doing the same fan-out: one publish per event, one HTTP/S delivery per notification."""
    return 1e6 / destinations * prices.sns_publish + 1e6 * prices.sns_http_delivery


@dataclass(frozen=True)
class Measured:
    """The counts the usage model takes, per unit of work, as sections 1, 3 and 4 measured them."""

    intake_calls: float  # AWS calls of one POST /v1/events (warm, authentication cached)
    intake_write_units: float
    fanout_events: int  # events in the measured stream batch
    fanout_deliveries: int
    fanout_calls: float  # AWS calls of the whole batch
    fanout_reads: float
    fanout_writes: float
    fanout_sqs: float
    delivery_item_bytes: float  # size of a delivery record write
    delivery_calls_per_message: float  # AWS calls per message in the delivery function
    delivery_writes_per_message: float
    delivery_reads_per_message: float
    delivery_kms_per_message: float
    delivery_waves: int  # sequential rounds needed for a batch of 10 (10 / peak in flight, rounded up)


def usage_for(m: Measured) -> Usage:
    k = m.fanout_deliveries / m.fanout_events
    per_event_fanout = 1 / m.fanout_events
    delivery_batches = k / DELIVERY_BATCH
    intake_seconds = INVOCATION_OVERHEAD_SECONDS + m.intake_calls * AWS_CALL_SECONDS
    fanout_seconds = INVOCATION_OVERHEAD_SECONDS + m.fanout_calls * AWS_CALL_SECONDS
    delivery_seconds = INVOCATION_OVERHEAD_SECONDS + m.delivery_waves * (
        WEBHOOK_SECONDS + m.delivery_calls_per_message * AWS_CALL_SECONDS
    )
    return Usage(
        destinations=round(k),
        api_requests=1,
        lambda_requests=1 + per_event_fanout + delivery_batches,
        lambda_gb_seconds=gb_seconds(intake_seconds)
        + gb_seconds(fanout_seconds) * per_event_fanout
        + gb_seconds(delivery_seconds) * delivery_batches,
        dynamodb_write_units=m.intake_write_units
        + m.fanout_writes * per_event_fanout * write_units(m.delivery_item_bytes)
        + k * m.delivery_writes_per_message * write_units(m.delivery_item_bytes),
        dynamodb_read_units=m.fanout_reads * per_event_fanout + k * m.delivery_reads_per_message,
        sqs_requests=m.fanout_sqs * per_event_fanout + delivery_batches * SQS_POLL_REQUESTS_PER_BATCH,
        kms_requests=k * m.delivery_kms_per_message,
    )


def measured_from(context: dict[str, Any]) -> list[Measured]:
    intake = context.get("intake_calls")
    fanout = context.get("fanout")
    delivery = context.get("delivery")
    missing = [name for name, value in (("1", intake), ("3", fanout), ("4", delivery)) if not value]
    if missing:
        raise RuntimeError(f"needs the measurements of section(s) {', '.join(missing)}, which did not run or failed")
    assert intake is not None and fanout is not None and delivery is not None
    intake_writes = sum(
        request_write_units(c.operation, c.item_bytes or c.size, c.items)
        for c in intake.dynamodb()
        if c.operation in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
    )
    # Steady state: the container's next batch to a destination whose secret it has decrypted already
    # (section 4's second batch); the first batch per destination, container and 5 minutes adds one Decrypt.
    calls = delivery.get("next_calls") or delivery["calls"]
    dyn_writes = sum(n for op, n in calls.items() if op in ("dynamodb:UpdateItem", "dynamodb:PutItem"))
    dyn_reads = sum(n for op, n in calls.items() if op in ("dynamodb:GetItem", "dynamodb:Query"))
    per_message_calls = sum(calls.values()) / 10
    peak = max(1, int(delivery.get("peak") or 1))
    results = []
    for f in fanout:
        reads = sum(n for op, n in f["dynamodb"].items() if op in ("GetItem", "Query"))
        writes = sum(n for op, n in f["dynamodb"].items() if op in ("PutItem", "UpdateItem"))
        results.append(
            Measured(
                intake_calls=len(intake.calls),
                intake_write_units=intake_writes,
                fanout_events=int(f["events"]),
                fanout_deliveries=f["deliveries"],
                fanout_calls=f["dynamodb_total"] + f["send_batches"] + f["other_sqs"] + f["kms"],
                fanout_reads=reads,
                fanout_writes=writes,
                fanout_sqs=f["send_batches"],
                delivery_item_bytes=f["put_bytes"],
                delivery_calls_per_message=per_message_calls,
                delivery_writes_per_message=dyn_writes / 10,
                delivery_reads_per_message=dyn_reads / 10,
                delivery_kms_per_message=delivery.get("kms_next_per_message", delivery["kms_per_message"]),
                delivery_waves=math.ceil(10 / peak),
            )
        )
    return results


def run(context: dict[str, Any]) -> Section:
    section = Section(6, TITLE)
    measured = [m for m in measured_from(context) if m.fanout_deliveries]
    lines = ["API Gateway", "Lambda requests", "Lambda duration", "DynamoDB writes", "DynamoDB reads", "SQS", "KMS"]
    table = Table(
        ["destinations per event", *lines, "Herald total", "SNS, same fan-out", f"≤ {fmt_money(TARGET_PER_MILLION)}"]
    )
    usage_table = Table(
        [
            "destinations per event",
            "API requests",
            "Lambda requests",
            "Lambda GB-s",
            "DynamoDB WRU",
            "DynamoDB RRU",
            "SQS requests",
            "KMS requests",
        ],
        title="Usage per event (the model's inputs)",
    )
    totals = []
    first_cost: dict[str, float] = {}
    first_k = 0
    for m in measured:
        usage = usage_for(m)
        cost = cost_per_million_notifications(usage)
        totals.append((usage.destinations, cost["total"]))
        if not first_cost:
            first_cost, first_k = cost, usage.destinations
        table.add(
            usage.destinations,
            *[fmt_money(cost[name]) for name in lines],
            f"**{fmt_money(cost['total'])}**",
            fmt_money(sns_per_million_notifications(usage.destinations)),
            "met" if cost["total"] <= TARGET_PER_MILLION else "not met",
        )
        usage_table.add(
            usage.destinations,
            f"{usage.api_requests:g}",
            f"{usage.lambda_requests:.3f}",
            f"{usage.lambda_gb_seconds:.4f}",
            f"{usage.dynamodb_write_units:.2f}",
            f"{usage.dynamodb_read_units:.2f}",
            f"{usage.sqs_requests:.3f}",
            f"{usage.kms_requests:.2f}",
        )
    table.title = "US dollars per million webhook notifications (provider fees excluded)"
    section.tables += [table, usage_table]
    prices = Table(["price (us-east-1, on-demand, " + PRICES_DATE + ")", "US dollars"], title="Prices used")
    for name, value, unit in (
        ("Lambda requests", PRICES.lambda_request * 1e6, "per million"),
        ("Lambda duration, arm64", PRICES.lambda_gb_second, "per GB-second"),
        ("DynamoDB on-demand writes", PRICES.dynamodb_write_unit * 1e6, "per million write units"),
        ("DynamoDB on-demand reads", PRICES.dynamodb_read_unit * 1e6, "per million read units"),
        ("SQS standard requests", PRICES.sqs_request * 1e6, "per million"),
        ("API Gateway HTTP API requests", PRICES.apigw_http_request * 1e6, "per million"),
        ("KMS requests", PRICES.kms_request * 1e4, "per 10,000"),
        ("SNS publishes", PRICES.sns_publish * 1e6, "per million"),
        ("SNS HTTP/S deliveries", PRICES.sns_http_delivery * 1e6, "per million"),
    ):
        prices.add(f"{name} ({unit})", f"{value:g}")
    section.tables.append(prices)
    if first_cost:
        top = sorted(((v, k) for k, v in first_cost.items() if k != "total"), reverse=True)[:3]
        section.notes.insert(
            0,
            f"Largest items at k = {first_k}: "
            + ", ".join(f"{name} {fmt_money(value)}" for value, name in top)
            + ". API Gateway is $1.00 per million events by itself, so at k = 1 it alone reaches the target.",
        )
    if measured:
        last = measured[-1]
        per_delivery = last.fanout_writes / last.fanout_deliveries + last.delivery_writes_per_message
        floor = per_delivery * write_units(last.delivery_item_bytes) * PRICES.dynamodb_write_unit * 1e6
        section.notes.insert(
            1,
            f"Where the floor is: each notification writes DynamoDB {per_delivery:.0f} times (the fan-out's "
            "idempotent delivery record, the delivery's lease, its outcome), "
            f"{fmt_money(floor)} per million by itself at k = {round(last.fanout_deliveries / last.fanout_events)}, "
            "so the $1.00 target is out of reach while every notification keeps a leased, queryable delivery "
            "record (exactly-once sends, status in GET /v1/events/{id}, replays and redrive rest on it).",
        )
    worst = max(totals, key=lambda t: t[1]) if totals else None
    section.targets.append(
        Target(
            f"≤ {fmt_money(TARGET_PER_MILLION)} per million webhook notifications (excl. provider fees)",
            ", ".join(f"k={k}: {fmt_money(t)}" for k, t in totals) or "not computed",
            (worst[1] <= TARGET_PER_MILLION) if worst else None,
        )
    )
    section.notes += [
        "One event posted to `POST /v1/events` that fans out to k webhook destinations gives k notifications; "
        "a million notifications are 1e6 / k events. Counts per event come from section 1 (the intake "
        "request, authentication cached), section 3 (the stream batch of 100 events at the same k) and "
        "section 4 (per delivered message, in the container's next batch to the same destination: its secret "
        "is in the decrypted-secrets cache, so no KMS Decrypt; the first batch per destination, container and "
        "5 minutes adds one Decrypt, $0.000003).",
        "DynamoDB units: a write costs ceil(item size / 1 KB) units, with DynamoDB's item size (names + "
        "values) computed from the items the requests carried; a transaction costs twice its items; delivery "
        "updates are charged at the delivery record's size; every read call is counted as 1 unit (≤ 4 KB, "
        "strongly consistent). Stream reads by Lambda are free.",
        f"Lambda duration is modelled, not taken from moto's timings: {INVOCATION_OVERHEAD_SECONDS * 1000:.0f} ms "
        f"per invocation + {AWS_CALL_SECONDS * 1000:.0f} ms per AWS call (sequential), and for a delivery batch "
        f"the rounds the batch needed (10 / peak in flight in section 4, rounded up) × ({WEBHOOK_SECONDS * 1000:.0f} "
        f"ms webhook + the message's AWS calls); {MEMORY_MB} MB, arm64.",
        f"SQS: the fan-out's SendMessageBatch calls, plus {SQS_POLL_REQUESTS_PER_BATCH} requests per delivery "
        "batch for Lambda's poller (ReceiveMessage, DeleteMessageBatch); empty polls of an idle queue are not "
        "counted. Free tiers, data transfer, CloudWatch logs and X-Ray are left out.",
        "SNS column: SNS alone delivering the same notifications to HTTP/S endpoints (one publish per event, "
        "one delivery per notification), without Herald's intake API, records or retries.",
    ]
    return section
