"""Section 3: fan-out efficiency. One DynamoDB stream batch of 100 events x k destinations (k = 1, 5, 20)
through functions/fanout/app.py's handler, on moto in-process: SQS and DynamoDB calls beside the minimum
(⌈deliveries / 10⌉ SendMessageBatch), and the handler's time. Then issue #20's rows (bench/fanout_rows.py):
DynamoDB writes per delivered notification, the delivery record's size, one event to 10,000 destinations.
"""

from __future__ import annotations

import contextlib
import io
import math
import time
from typing import Any

from bench.harness import in_process_aws
from bench.report import Section, Table, Target, fmt_ms

TITLE = "Fan-out efficiency"
EVENTS_PER_BATCH = 100
DESTINATIONS = (1, 5, 20)
API_LIMIT = 10  # uptime alerts per org: the default alerts cap (herald.limits)


def seed_destinations(org_id: str, k: int, url: str) -> None:
    """k webhook alerts in one org, every monitor, no cooldown. Up to the API's limit of 10 they are
    created through the repository (its counter transaction); beyond it the alert items are written
    directly, standing in for the destinations other families add to the same fan-out."""
    from herald import clock, secrets
    from herald.data.table import table
    from herald.families.uptime import store as alerts_repo

    sealed = secrets.seal(org_id, {"url": url})
    now = clock.iso()
    for i in range(k):
        record = webhook_alert(org_id, f"alt_bench{i:03d}", f"Bench webhook {i}", sealed, now)
        if i < API_LIMIT:
            alerts_repo.create(record)
        else:
            table().put_item(Item=record.to_item())


def webhook_alert(org_id: str, alert_id: str, name: str, sealed: dict[str, str], now: str) -> Any:
    """A webhook uptime alert for every monitor, no cooldown."""
    from herald.families.uptime import store as alerts_repo

    return alerts_repo.AlertRecord(
        org_id=org_id,
        id=alert_id,
        name=name,
        strategy="webhook",
        notify_on_recovery=True,
        cooldown_minutes=0,
        monitor_id=None,
        config={},
        sealed=sealed,
        created_at=now,
        updated_at=now,
    )


def stream_batch(org_id: str, count: int) -> dict[str, Any]:
    """A DynamoDB stream batch of `count` event INSERTs, as the events API writes them."""
    from boto3.dynamodb.types import TypeSerializer

    from herald import clock, ids
    from herald.data import table_keys

    serializer = TypeSerializer()
    records = []
    for i in range(count):
        event_id = ids.event_id()
        item: dict[str, Any] = {
            **table_keys.event(event_id),
            "type": "event",
            "orgId": org_id,
            "id": event_id,
            "monitorId": f"mon_bench{i % 7}",
            "service": "checkout",
            "status": "triggered",
            "severity": "critical",
            "title": "checkout.example.com is down",
            "message": "HTTP 503 from 3 regions",
            "url": "https://status.example.com/mon_bench",
            "dedupKey": f"mon_bench-{i}",
            "labels": {"region": "eu-west-1"},
            "createdAt": clock.iso(),
            "ttl": int(clock.epoch()) + 30 * 86400,
        }
        image = {k: serializer.serialize(v) for k, v in item.items()}
        records.append(
            {
                "eventID": f"bench-{i}",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": {
                    "Keys": {"pk": image["pk"], "sk": image["sk"]},
                    "NewImage": image,
                    "SequenceNumber": f"{100000 + i:021d}",
                    "SizeBytes": 512,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/herald-Table/stream/bench",
            }
        )
    return {"Records": records}


def measure(k: int) -> dict[str, Any]:
    import boto3

    from herald import ids
    from herald.data import orgs
    from herald.settings import get_settings
    from herald_local.functions import LambdaContext, load_instance
    from herald_local.template import Template

    with in_process_aws() as (_resolver, counter):
        org_id = ids.org_id()
        orgs.ensure(org_id)
        seed_destinations(org_id, k, "http://127.0.0.1:9/bench")
        spec = Template().functions()["FanoutFunction"]
        handler = load_instance(spec)
        handler(stream_batch(org_id, 1), LambdaContext(spec))  # warm: imports, clients, connections
        queue_url = get_settings().queue_url("webhook")
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.purge_queue(QueueUrl=queue_url)

        batch = stream_batch(org_id, EVENTS_PER_BATCH)
        started = time.perf_counter()
        # Powertools prints its metrics (EMF) whenever 100 values pile up, disabled or not: not for this report.
        with counter.window() as calls, contextlib.redirect_stdout(io.StringIO()):
            result = handler(batch, LambdaContext(spec))
        seconds = time.perf_counter() - started
        sent = sum(c.items for c in calls.calls if c.operation == "SendMessageBatch")
        dynamo = calls.by_operation()
        delivery_puts = [c.item_bytes for c in calls.calls if c.service == "dynamodb" and c.operation == "PutItem"]
    deliveries = sent
    return {
        "k": k,
        "events": EVENTS_PER_BATCH,
        "deliveries": deliveries,
        "failed": len(result.get("batchItemFailures", [])),
        "send_batches": calls.count("SendMessageBatch", service="sqs"),
        "other_sqs": sum(n for op, n in dynamo.items() if op.startswith("sqs:") and op != "sqs:SendMessageBatch"),
        "dynamodb": {op.split(":", 1)[1]: n for op, n in dynamo.items() if op.startswith("dynamodb:")},
        "dynamodb_total": len(calls.dynamodb()),
        "scans": calls.count("Scan"),
        "kms": sum(n for op, n in dynamo.items() if op.startswith("kms:")),
        "seconds": seconds,
        "put_bytes": (sum(delivery_puts) / len(delivery_puts)) if delivery_puts else 0.0,
    }


def run(context: dict[str, Any]) -> Section:
    section = Section(3, TITLE)
    table = Table(
        [
            "destinations k",
            "events",
            "deliveries",
            "SendMessageBatch",
            "minimum ⌈deliveries/10⌉",
            "≤ minimum",
            "DynamoDB calls",
            "DynamoDB per delivery",
            "other AWS calls",
            "handler time",
            "per delivery",
            "failed records",
        ]
    )
    results = []
    for k in DESTINATIONS:
        try:
            m = measure(k)
        except Exception as error:  # one k failing leaves the others
            table.add(
                k, EVENTS_PER_BATCH, "error", f"{type(error).__name__}: {error}"[:160], "", "", "", "", "", "", "", ""
            )
            continue
        results.append(m)
        minimum = math.ceil(m["deliveries"] / 10)
        breakdown = ", ".join(f"{n}× {op}" for op, n in sorted(m["dynamodb"].items()))
        other = (
            ", ".join(
                x
                for x in (
                    f"{m['other_sqs']}× other SQS" if m["other_sqs"] else "",
                    f"{m['kms']}× KMS" if m["kms"] else "",
                )
                if x
            )
            or "—"
        )
        table.add(
            k,
            EVENTS_PER_BATCH,
            m["deliveries"],
            m["send_batches"],
            minimum,
            "met" if m["send_batches"] <= minimum else "not met",
            f"{m['dynamodb_total']} ({breakdown})",
            f"{m['dynamodb_total'] / max(1, m['deliveries']):.2f}",
            other,
            fmt_ms(m["seconds"]),
            f"{m['seconds'] / max(1, m['deliveries']) * 1000:.2f} ms",
            m["failed"],
        )
    section.tables.append(table)
    ok = [m for m in results if m["deliveries"] == m["k"] * EVENTS_PER_BATCH]
    worst = max((m["send_batches"] - math.ceil(m["deliveries"] / 10) for m in results), default=None)
    section.targets.append(
        Target(
            "fan-out SQS calls ≤ ⌈deliveries/10⌉ per batch",
            ", ".join(f"k={m['k']}: {m['send_batches']} for {m['deliveries']}" for m in results) or "no batch measured",
            (worst is not None and worst <= 0 and len(ok) == len(DESTINATIONS)) if results else None,
        )
    )
    section.notes += [
        "Each k runs in a fresh moto (in-process) with one org whose k webhook alerts match every monitor "
        "(no cooldown, so no cooldown writes); the handler is warmed with a one-event batch first, then the "
        f"{EVENTS_PER_BATCH}-event batch is measured. Calls are counted with botocore hooks, time is the "
        "handler's wall time (mostly moto's emulation in Python; herald_local.moto_speedups keeps its Query "
        "to the partition).",
        f"The uptime alerts family caps an org at {API_LIMIT} alerts, so for k = 20 the alerts past the 10th are "
        "written as items directly (not through the API), standing in for destinations that other families "
        "(Grafana channels, InfluxDB endpoints, …) add to the same fan-out; routing reads them in the same "
        "Query. Spreading them over orgs would not give one event 20 destinations.",
        "DynamoDB per batch: one Query per router for each org in the batch (the org's destinations are read "
        "once per stream batch, herald/routing/batch_reads.py); per event: one conditional PutItem per plan "
        "chunk of up to 100 destinations (written only when absent, so a replayed stream record plans "
        "nothing twice); the deliveries' records are created by the delivery function's claims.",
    ]
    context["fanout"] = results
    from bench import fanout_rows

    fanout_rows.add_rows(section, context)
    return section
