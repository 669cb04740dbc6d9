"""Issue #20's fan-out rows, counted on moto in-process and modelled for AWS latency:

- DynamoDB writes per delivered notification (happy path, event write amortised), target ≤ 2 + 1/k;
- the delivery record's size, target ≤ 1 KB (one write unit);
- one event to 10,000 destinations, target: within one invocation's budget, or in paged jobs.

The cost section (COLD) reads `writes_per_notification(k)` and `context["fanout_rows"]`.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import math
import time
import uuid
from typing import Any

from bench.harness import in_process_aws, item_size
from bench.report import Section, Table, Target, fmt_ms

DELIVERY_WRITES = 2  # the claim creating the record, the outcome
PLAN_ENTRIES = 100  # destinations per plan chunk (herald.data.plans.CHUNK_ENTRIES)
WRITE_UNIT = 1024
BIG_FANOUT = 10_000
INVOCATION_BUDGET_S = 60.0  # FanoutFunction's Timeout in template.yaml
DYNAMODB_MS = 5.0  # modelled AWS latency per call
SQS_MS = 10.0
PARALLEL = 8  # herald.delivery.enqueue.WRITERS
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


def writes_per_notification(k: int) -> float:
    """DynamoDB writes per delivered notification of an event with k destinations, happy path: the
    delivery's two, plus the event item and its plan chunks shared by the k."""
    return DELIVERY_WRITES + (1 + math.ceil(k / PLAN_ENTRIES)) / k


def target_writes(k: int) -> float:
    return 2 + 1 / k


def item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's size of an item as boto3's resource returns it (plain Python values)."""
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return item_size({name: serializer.serialize(value) for name, value in item.items()})


def seed_webhooks(org_id: str, count: int, url: str) -> None:
    """`count` uptime webhook alerts for every monitor, written in batches (the API caps an org at 10: they
    stand in for the destinations every family adds to one fan-out). One sealed URL for all."""
    from bench.fanout import webhook_alert
    from herald import clock, secrets
    from herald.data.table import table

    sealed = secrets.seal(org_id, {"url": url})
    now = clock.iso()
    with table().batch_writer() as batch:
        for i in range(count):
            record = webhook_alert(org_id, f"alt_row{i:05d}", f"Bench webhook {i}", sealed, now)
            batch.put_item(Item=record.to_item())


def allow_deliveries_per_event(org_id: str, deliveries: int) -> None:
    """Raises the org's cap on deliveries planned per event (issue #15's herald.data.limits, where it
    exists), as an operator would for an org this large."""
    try:
        limits = importlib.import_module("herald.data.limits")
    except ModuleNotFoundError:
        return
    limits.override(org_id, {"deliveries-per-event": deliveries})


def _event(org_id: str) -> tuple[str, dict[str, Any]]:
    """A stored event (written as the events API does) and its stream batch."""
    from bench.fanout import stream_batch
    from herald.data import events as events_repo

    batch = stream_batch(org_id, 1)
    from boto3.dynamodb.types import TypeDeserializer

    image = batch["Records"][0]["dynamodb"]["NewImage"]
    item = {k: TypeDeserializer().deserialize(v) for k, v in image.items()}
    events_repo.put(item)
    return str(item["id"]), batch


def _drain_deliveries(url: str) -> int:
    """Hands the webhook queue to the delivery function until it is empty; returns the messages handled."""
    from tests.support.delivery_run import deliver_queued

    handled = 0
    while True:
        count, _failed = deliver_queued("webhook")
        if count == 0:
            return handled
        handled += count


def measure_writes(k: int) -> dict[str, Any]:
    """One event with k destinations fanned out and delivered to a loopback receiver; the DynamoDB writes
    of the whole path (the event's own PutItem included) and the largest delivery record."""
    from herald import ids
    from herald.data import orgs, table_keys
    from herald.data.table import table
    from herald_local.functions import LambdaContext, load_instance
    from herald_local.template import Template
    from tests.support.receiver import Receiver

    receiver = Receiver()
    try:
        with in_process_aws() as (_resolver, counter):
            org_id = ids.org_id()
            orgs.ensure(org_id)
            seed_webhooks(org_id, k, receiver.url(f"/{uuid.uuid4().hex[:6]}"))
            spec = Template().functions()["FanoutFunction"]
            handler = load_instance(spec)
            with counter.window() as calls, contextlib.redirect_stdout(io.StringIO()):
                event_id, batch = _event(org_id)
                handler(batch, LambdaContext(spec))
                _drain_deliveries(receiver.url())
            records = table().query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :d)",
                ExpressionAttributeValues={
                    ":pk": table_keys.event_partition(event_id),
                    ":d": table_keys.DELIVERY_PREFIX,
                },
            )["Items"]
            writes = [c for c in calls.dynamodb() if c.operation in WRITES]
            arrived = len(receiver.requests())
    finally:
        receiver.close()
    return {
        "k": k,
        "arrived": arrived,
        "writes": len(writes),
        "by_operation": dict(
            sorted({c.operation: sum(1 for w in writes if w.operation == c.operation) for c in writes}.items())
        ),
        "record_bytes": max((item_bytes(r) for r in records), default=0),
        "delivered": sum(1 for r in records if r.get("status") == "delivered"),
    }


def measure_big_fanout(destinations: int = BIG_FANOUT) -> dict[str, Any]:
    """One event to `destinations` webhook destinations through the fan-out handler: calls counted, the
    handler's wall time on moto, and the time modelled for AWS latency."""
    from herald import ids
    from herald.data import orgs
    from herald.settings import get_settings
    from herald_local.functions import LambdaContext, load_instance
    from herald_local.template import Template

    with in_process_aws() as (_resolver, counter):
        org_id = ids.org_id()
        orgs.ensure(org_id)
        allow_deliveries_per_event(org_id, destinations)
        seed_webhooks(org_id, destinations, "http://127.0.0.1:9/bench")
        spec = Template().functions()["FanoutFunction"]
        handler = load_instance(spec)
        _event_id, batch = _event(org_id)
        started = time.perf_counter()
        with counter.window() as calls, contextlib.redirect_stdout(io.StringIO()):
            result = handler(batch, LambdaContext(spec))
        seconds = time.perf_counter() - started
        import boto3

        sqs = boto3.client("sqs", region_name="us-east-1")
        queued = int(
            sqs.get_queue_attributes(
                QueueUrl=get_settings().queue_url("webhook"), AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]["ApproximateNumberOfMessages"]
        )
    dynamo = calls.dynamodb()
    reads = [c for c in dynamo if c.operation not in WRITES]
    writes = [c for c in dynamo if c.operation in WRITES]
    send_batches = calls.count("SendMessageBatch", service="sqs")
    # reads (routing's Query pages) one after another, writes and sends PARALLEL at a time
    modelled = (
        len(reads) * DYNAMODB_MS
        + math.ceil(len(writes) / PARALLEL) * DYNAMODB_MS
        + math.ceil(send_batches / PARALLEL) * SQS_MS
    ) / 1000
    return {
        "destinations": destinations,
        "queued": queued,
        "failed": len(result.get("batchItemFailures", [])),
        "reads": len(reads),
        "writes": len(writes),
        "send_batches": send_batches,
        "seconds": seconds,
        "modelled": modelled,
    }


def add_rows(section: Section, context: dict[str, Any]) -> None:
    rows: dict[str, Any] = {}
    writes = Table(
        [
            "destinations k",
            "notifications arrived",
            "DynamoDB writes (event + fan-out + delivery)",
            "per notification",
            "target ≤ 2 + 1/k",
            "record size",
        ],
        title="DynamoDB writes per delivered notification, counted end to end",
    )
    measured = []
    for k in (1, 20):
        m = measure_writes(k)
        measured.append(m)
        per = m["writes"] / max(1, m["arrived"])
        ops = ", ".join(f"{n}× {op}" for op, n in m["by_operation"].items())
        writes.add(
            k, m["arrived"], f"{m['writes']} ({ops})", f"{per:.2f}", f"{target_writes(k):.2f}", f"{m['record_bytes']} B"
        )
    rows["writes"] = measured
    section.tables.append(writes)
    ok = all(m["arrived"] == m["k"] for m in measured)
    per_k = {m["k"]: m["writes"] / max(1, m["arrived"]) for m in measured}
    section.targets.append(
        Target(
            "DynamoDB writes per delivered notification (happy path, event write amortised) ≤ 2 + 1/k",
            ", ".join(f"k={k}: {v:.2f} (target {target_writes(k):.2f})" for k, v in per_k.items())
            + "; per notification 2 (the claim creates the record, then the outcome); per event the event "
            "item, one plan chunk per 100 destinations and, the bench's events having a dedupKey, the "
            "incident's record of the destinations told (an UpdateItem on the event): 2 + 3/k",
            ok and all(v <= target_writes(k) + 1e-9 for k, v in per_k.items()),
            row="writes_per_notification",
            why="per event the plan chunk (1 per 100 destinations) is written beside the event: it is what keeps "
            "pending deliveries visible before their first attempt. An event with a dedupKey opens an incident "
            "and the fan-out records which destinations it told, so that the recovery reaches the same ones "
            "(one more write per event; none without a dedupKey, as tests/integration/test_fanout_scale.py "
            "counts). The floor is 2 per notification plus the event and its plan per event, unless routing "
            "moves into the request that writes the event",
        )
    )
    biggest = max((m["record_bytes"] for m in measured), default=0)
    section.targets.append(
        Target(
            "Delivery record size ≤ 1 KB (one write unit)",
            f"{biggest} B, largest record after delivery (it refers to the event and its plan chunk)",
            bool(measured) and 0 < biggest <= WRITE_UNIT,
            row="delivery_record_size",
            why="a record names its event and plan chunk; its own fields are what is left",
        )
    )
    big = measure_big_fanout()
    rows["big"] = big
    table = Table(
        [
            "destinations",
            "queued",
            "failed records",
            "DynamoDB reads",
            "DynamoDB writes",
            "SendMessageBatch",
            "moto wall time",
            "modelled on AWS",
        ],
        title=f"Fan-out of one event to {BIG_FANOUT:,} destinations",
    )
    table.add(
        big["destinations"],
        big["queued"],
        big["failed"],
        big["reads"],
        big["writes"],
        big["send_batches"],
        fmt_ms(big["seconds"]),
        fmt_ms(big["modelled"]),
    )
    section.tables.append(table)
    section.targets.append(
        Target(
            f"Fan-out of one event to {BIG_FANOUT:,} destinations within one invocation's budget or in paged jobs",
            f"{big['queued']:,} queued in one invocation; modelled {big['modelled']:.2f} s on AWS "
            f"(DynamoDB {DYNAMODB_MS:.0f} ms, SQS {SQS_MS:.0f} ms a call, {PARALLEL} at a time) of a "
            f"{INVOCATION_BUDGET_S:.0f} s budget; a longer one hands the rest to paged jobs",
            big["queued"] == big["destinations"] and big["failed"] == 0 and big["modelled"] < INVOCATION_BUDGET_S,
            row="fanout_10000",
            why="the modelled time exceeds one invocation's budget: the rest goes to paged jobs, which "
            "tests/integration/test_fanout_scale.py runs (5,000 destinations, each arriving once)",
        )
    )
    section.notes.append(
        "Writes per notification: one event through the real fan-out and delivery handlers to a loopback "
        "receiver, every DynamoDB write counted with botocore hooks (the event's PutItem included). "
        f"Formula: {DELIVERY_WRITES} + (1 + ⌈k/{PLAN_ENTRIES}⌉)/k (bench.fanout_rows.writes_per_notification)."
    )
    context["fanout_rows"] = rows
