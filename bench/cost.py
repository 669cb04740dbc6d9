"""Section 6: cost per million notifications on AWS, from the call counts measured in sections 1, 3 and 4
times published us-east-1 prices, beside Amazon SNS's price for the same fan-out.

The arithmetic is pure (tested in tests/unit/test_bench_cost.py); `run` only gathers the measurements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from bench.report import Section, Table, Target, fmt_money

TITLE = "Cost per million notifications on AWS"
# Issue #20's targets, US dollars per million webhook notifications, by destinations per event.
ON_DEMAND_TARGETS = {1: 3.50, 20: 1.60}
PROVISIONED_TARGETS = {20: 1.00}
PROVISIONED_UTILISATION = 0.70  # provisioned capacity used on average (auto scaling's usual target)

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
    dynamodb_wcu_hour: float = 0.00065  # provisioned write capacity unit, per hour
    dynamodb_rcu_hour: float = 0.00013  # provisioned read capacity unit, per hour


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


def provisioned_prices(prices: Prices = PRICES, utilisation: float = PROVISIONED_UTILISATION) -> Prices:
    """On-demand prices with DynamoDB's request units replaced by provisioned capacity: a unit provisioned
    for an hour serves 3,600 requests per hour at full use, `utilisation` of them on average."""
    return replace(
        prices,
        dynamodb_write_unit=prices.dynamodb_wcu_hour / 3600 / utilisation,
        dynamodb_read_unit=prices.dynamodb_rcu_hour / 3600 / utilisation,
    )


def break_even_utilisation(prices: Prices = PRICES) -> float:
    """The average use of provisioned write capacity above which it costs less than on-demand writes (reads
    break even within a percent of it)."""
    return prices.dynamodb_wcu_hour / 3600 / prices.dynamodb_write_unit


def break_even_notifications_per_second(usage: Usage, held_for: float, prices: Prices = PRICES) -> float:
    """The average traffic above which provisioned capacity held for `held_for` notifications per second
    (the peak the table must absorb without throttling) costs less than on-demand for the same traffic."""
    writes, reads = usage.dynamodb_write_units, usage.dynamodb_read_units
    held = writes * prices.dynamodb_wcu_hour / 3600 + reads * prices.dynamodb_rcu_hour / 3600
    on_demand = writes * prices.dynamodb_write_unit + reads * prices.dynamodb_read_unit
    return held_for * held / on_demand


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
    fanout_item_bytes: float  # size of a fan-out write (a plan chunk)
    delivery_item_bytes: float  # size of a delivery record write
    delivery_calls_per_message: float  # AWS calls per message in the delivery function
    delivery_writes_per_message: float
    delivery_reads_per_message: float
    delivery_kms_per_message: float
    delivery_waves: int  # sequential rounds needed for a batch of 10 (10 / peak in flight, rounded up)


def durations(m: Measured) -> tuple[float, float, float]:
    """Modelled seconds of one intake request, one fan-out stream batch and one delivery batch."""
    intake = INVOCATION_OVERHEAD_SECONDS + m.intake_calls * AWS_CALL_SECONDS
    fanout = INVOCATION_OVERHEAD_SECONDS + m.fanout_calls * AWS_CALL_SECONDS
    delivery = INVOCATION_OVERHEAD_SECONDS + m.delivery_waves * (
        WEBHOOK_SECONDS + m.delivery_calls_per_message * AWS_CALL_SECONDS
    )
    return intake, fanout, delivery


def usage_for(m: Measured) -> Usage:
    k = m.fanout_deliveries / m.fanout_events
    per_event_fanout = 1 / m.fanout_events
    delivery_batches = k / DELIVERY_BATCH
    intake_seconds, fanout_seconds, delivery_seconds = durations(m)
    return Usage(
        destinations=round(k),
        api_requests=1,
        lambda_requests=1 + per_event_fanout + delivery_batches,
        lambda_gb_seconds=gb_seconds(intake_seconds)
        + gb_seconds(fanout_seconds) * per_event_fanout
        + gb_seconds(delivery_seconds) * delivery_batches,
        dynamodb_write_units=m.intake_write_units
        + m.fanout_writes * per_event_fanout * write_units(m.fanout_item_bytes)
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
    # a delivery record as the delivery writes it (section 3's end-to-end count), else one write unit's worth
    records = [m["record_bytes"] for m in context.get("fanout_rows", {}).get("writes", []) if m["record_bytes"]]
    record_bytes = float(max(records)) if records else 1024.0
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
                fanout_item_bytes=f["put_bytes"],
                delivery_item_bytes=record_bytes,
                delivery_calls_per_message=per_message_calls,
                delivery_writes_per_message=dyn_writes / 10,
                delivery_reads_per_message=dyn_reads / 10,
                delivery_kms_per_message=delivery.get("kms_next_per_message", delivery["kms_per_message"]),
                delivery_waves=math.ceil(10 / peak),
            )
        )
    return results


def target_for(k: int, targets: dict[int, float]) -> str:
    goal = targets.get(k)
    return "—" if goal is None else f"≤ {fmt_money(goal)}"


def meets(k: int, total: float, targets: dict[int, float]) -> str:
    goal = targets.get(k)
    return "—" if goal is None else ("met" if total <= goal else "not met")


def writes_per_notification(m: Measured) -> tuple[float, float]:
    """(writes per delivered notification, the event's write amortised over its k notifications)."""
    k = m.fanout_deliveries / m.fanout_events
    return m.fanout_writes / m.fanout_deliveries + m.delivery_writes_per_message, 1 / k


def run(context: dict[str, Any]) -> Section:
    section = Section(6, TITLE)
    measured = [m for m in measured_from(context) if m.fanout_deliveries]
    lines = ["API Gateway", "Lambda requests", "Lambda duration", "DynamoDB writes", "DynamoDB reads", "SQS", "KMS"]
    table = Table(
        [
            "destinations per event",
            *lines,
            "Herald total, on-demand",
            "target",
            "verdict",
            f"DynamoDB provisioned at {PROVISIONED_UTILISATION:.0%}",
            "Herald total, provisioned",
            "target",
            "verdict",
            "SNS, same fan-out",
        ],
        title="US dollars per million webhook notifications (provider fees excluded)",
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
    provisioned = provisioned_prices()
    on_demand_totals: list[tuple[int, dict[str, float]]] = []
    provisioned_totals: list[tuple[int, dict[str, float]]] = []
    usages: list[Usage] = []
    for m in measured:
        usage = usage_for(m)
        usages.append(usage)
        k = usage.destinations
        cost = cost_per_million_notifications(usage)
        held = cost_per_million_notifications(usage, provisioned)
        on_demand_totals.append((k, cost))
        provisioned_totals.append((k, held))
        table.add(
            k,
            *[fmt_money(cost[name]) for name in lines],
            f"**{fmt_money(cost['total'])}**",
            target_for(k, ON_DEMAND_TARGETS),
            meets(k, cost["total"], ON_DEMAND_TARGETS),
            fmt_money(held["DynamoDB writes"] + held["DynamoDB reads"]),
            f"**{fmt_money(held['total'])}**",
            target_for(k, PROVISIONED_TARGETS),
            meets(k, held["total"], PROVISIONED_TARGETS),
            fmt_money(sns_per_million_notifications(k)),
        )
        usage_table.add(
            k,
            f"{usage.api_requests:g}",
            f"{usage.lambda_requests:.3f}",
            f"{usage.lambda_gb_seconds:.4f}",
            f"{usage.dynamodb_write_units:.2f}",
            f"{usage.dynamodb_read_units:.2f}",
            f"{usage.sqs_requests:.3f}",
            f"{usage.kms_requests:.2f}",
        )
    section.tables += [table, usage_table]
    prices = Table(["price (us-east-1, " + PRICES_DATE + ")", "US dollars"], title="Prices used")
    for name, value, unit in (
        ("Lambda requests", PRICES.lambda_request * 1e6, "per million"),
        ("Lambda duration, arm64", PRICES.lambda_gb_second, "per GB-second"),
        ("DynamoDB on-demand writes", PRICES.dynamodb_write_unit * 1e6, "per million write units"),
        ("DynamoDB on-demand reads", PRICES.dynamodb_read_unit * 1e6, "per million read units"),
        ("DynamoDB provisioned write capacity", PRICES.dynamodb_wcu_hour, "per WCU-hour"),
        ("DynamoDB provisioned read capacity", PRICES.dynamodb_rcu_hour, "per RCU-hour"),
        ("SQS standard requests", PRICES.sqs_request * 1e6, "per million"),
        ("API Gateway HTTP API requests", PRICES.apigw_http_request * 1e6, "per million"),
        ("KMS requests", PRICES.kms_request * 1e4, "per 10,000"),
        ("SNS publishes", PRICES.sns_publish * 1e6, "per million"),
        ("SNS HTTP/S deliveries", PRICES.sns_http_delivery * 1e6, "per million"),
    ):
        prices.add(f"{name} ({unit})", f"{value:g}")
    section.tables.append(prices)
    section.targets += cost_targets(measured, on_demand_totals, provisioned_totals, usages)
    section.targets += record_targets(measured, context)
    section.notes += [
        "One event posted to `POST /v1/events` that fans out to k webhook destinations gives k notifications; "
        "a million notifications are 1e6 / k events. Counts per event come from section 1 (the intake "
        "request, authentication cached), section 3 (the stream batch of 100 events at the same k) and "
        "section 4 (per delivered message, in the container's next batch to the same destination: its secret "
        "is in the decrypted-secrets cache, so no KMS Decrypt; the first batch per destination, container and "
        "5 minutes adds one Decrypt, $0.000003).",
        "DynamoDB units: a write costs ceil(item size / 1 KB) units, with DynamoDB's item size (names + "
        "values) computed from the items the requests carried; a transaction costs twice its items; the "
        "fan-out's writes are charged at its plan chunk's size, the delivery's at the delivery record's (section "
        "3's end-to-end count); every read call is counted as 1 unit (≤ 4 KB, "
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
    if usages:
        even = break_even_notifications_per_second(usages[-1], 1000)
        section.notes.append(
            f"Provisioned: a write capacity unit held for an hour costs ${PRICES.dynamodb_wcu_hour:g} and serves "
            f"3,600 writes at full use, {PROVISIONED_UTILISATION:.0%} of them on average (auto scaling's "
            f"target), so a write costs {fmt_money(provisioned.dynamodb_write_unit * 1e6)} per million instead "
            f"of {fmt_money(PRICES.dynamodb_write_unit * 1e6)}. Break-even: provisioned capacity costs less than "
            f"on-demand once it is on average more than {break_even_utilisation():.1%} used. Capacity must be "
            "held for the peaks the table absorbs without throttling (auto scaling follows in minutes, not "
            "seconds), so the break-even is in average traffic against the peak held for: for capacity held for "
            f"1,000 notifications/s, on-demand is cheaper below {even:.0f} "
            "notifications/s on average, provisioned above; a table held for a 10× higher peak breaks even at a 10× "
            "higher average."
        )
    return section


def cost_targets(
    measured: list[Measured],
    on_demand: list[tuple[int, dict[str, float]]],
    provisioned: list[tuple[int, dict[str, float]]],
    usages: list[Usage],
) -> list[Target]:
    def verdict(totals: list[tuple[int, dict[str, float]]], goals: dict[int, float]) -> bool | None:
        judged = [cost["total"] <= goals[k] for k, cost in totals if k in goals]
        return all(judged) if len(judged) == len(goals) else None

    def figures(totals: list[tuple[int, dict[str, float]]]) -> str:
        return ", ".join(f"k={k}: {fmt_money(cost['total'])}" for k, cost in totals) or "not computed"

    def largest(cost: dict[str, float]) -> str:
        top = sorted(((v, name) for name, v in cost.items() if name != "total"), reverse=True)[:3]
        return ", ".join(f"{name} {fmt_money(v)}" for v, name in top)

    on_demand_met = verdict(on_demand, ON_DEMAND_TARGETS)
    provisioned_met = verdict(provisioned, PROVISIONED_TARGETS)
    why_on_demand = why_provisioned = ""
    if measured and on_demand:
        k, cost = on_demand[0]
        writes, event_write = writes_per_notification(measured[-1])
        floor = (writes + event_write) * PRICES.dynamodb_write_unit * 1e6
        why_on_demand = (
            f"largest at k={k}: {largest(cost)}; API Gateway alone is $1.00 per million events. DynamoDB writes "
            f"floor: {writes:.2f} writes per notification + 1/k for the event = {fmt_money(floor)} per million "
            f"at k={round(measured[-1].fanout_deliveries / measured[-1].fanout_events)}"
        )
    if provisioned:
        k, cost = provisioned[-1]
        why_provisioned = f"largest at k={k}: {largest(cost)}"
    return [
        Target(
            "cost per million webhook notifications, on-demand "
            + ", ".join(f"≤ {fmt_money(v)} (k={k})" for k, v in ON_DEMAND_TARGETS.items()),
            figures(on_demand),
            on_demand_met,
            row="cost_on_demand",
            why=why_on_demand,
        ),
        Target(
            f"cost per million, DynamoDB provisioned at {PROVISIONED_UTILISATION:.0%}",
            figures(provisioned) + break_even_text(usages),
            provisioned_met,
            row="cost_provisioned",
            why=why_provisioned,
        ),
    ]


def break_even_text(usages: list[Usage]) -> str:
    if not usages:
        return ""
    at = break_even_notifications_per_second(usages[-1], 1000)
    return (
        f"; break-even: provisioned is cheaper above {break_even_utilisation():.1%} average use of the capacity "
        f"held, e.g. above {at:.0f} notifications/s on average for a table held for 1,000/s"
    )


def record_targets(measured: list[Measured], context: dict[str, Any]) -> list[Target]:
    """Writes per notification and the delivery record's size, from the counts this model takes, when the
    fan-out section (which owns these rows) has not answered them."""
    from bench.targets import answered

    done = [v for name, v in context.items() if name.startswith("section")]
    if not measured:
        return []
    targets = []
    if not answered(done, "writes_per_notification"):
        per_k = [(round(m.fanout_deliveries / m.fanout_events), *writes_per_notification(m)) for m in measured]
        worst = max(writes for _, writes, _ in per_k)
        targets.append(
            Target(
                "DynamoDB writes per delivered notification ≤ 2 + 1/k",
                ", ".join(f"k={k}: {w:.2f} + 1/k" for k, w, _ in per_k) + " (section 6's counts)",
                worst <= 2.0 + 1e-9,
                row="writes_per_notification",
                why="the fan-out's record, the delivery's lease and its outcome are separate writes",
            )
        )
    if not answered(done, "delivery_record_size"):
        size = max(m.delivery_item_bytes for m in measured)
        targets.append(
            Target(
                "delivery record ≤ 1 KB",
                f"{size:.0f} bytes, {write_units(size)} write unit(s) (section 6's counts)",
                size <= 1024,
                row="delivery_record_size",
                why="the record copies the event",
            )
        )
    return targets
