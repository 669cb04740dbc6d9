"""Fan-out at scale, on moto with a real loopback receiver (issue #15 item 2, issue #20):

- one event reaches 5,000 destinations in invocations that run short of time: the fan-out hands the rest to
  paged jobs, every destination is planned and queued once, and each receives exactly one notification;
- a page that crashes after queueing part of its messages is retried: nothing is sent twice or lost;
- the DynamoDB writes per delivered notification: the delivery creates its record when it claims the send
  and writes its outcome (2), the event and its plan are written once per event;
- a delivery record stays within one write unit (1 KB), whatever the event carries.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from bench.fanout_rows import allow_deliveries_per_event, item_bytes, seed_webhooks
from herald import aws
from herald.data import table_keys
from herald.data.table import table
from herald.delivery import enqueue
from herald.domain import fanout
from herald_local.functions import LambdaContext, load_instance
from herald_local.template import Resolver, Template
from tests.conftest import sqs_messages
from tests.support.apigw import ApiClient
from tests.support.delivery_run import deliver_queued
from tests.support.receiver import Receiver

_serializer = TypeSerializer()
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


class ShortContext(LambdaContext):
    """A fan-out invocation whose remaining time drops by `step_ms` at each look at the clock."""

    def __init__(self, budget_ms: int, step_ms: int) -> None:
        super().__init__(Template().functions()["FanoutFunction"])
        self.left, self.step = budget_ms, step_ms

    def get_remaining_time_in_millis(self) -> int:
        left, self.left = self.left, self.left - self.step
        return left


@pytest.fixture
def handler(aws_env: Resolver, atomic_moto: None) -> Callable[[dict[str, Any], Any], Any]:
    return load_instance(Template().functions()["FanoutFunction"])


def post_event(api: ApiClient, token: str, **fields: Any) -> str:
    answer = api.post("/v1/events", {"status": "triggered", "title": "checkout is down", **fields}, token=token)
    assert answer.status == 202, answer.text
    return str(answer.json()["id"])


def stream_batch(event_id: str) -> dict[str, Any]:
    item = table().get_item(Key=table_keys.event(event_id), ConsistentRead=True)["Item"]
    image = {name: _serializer.serialize(value) for name, value in item.items()}
    return {
        "Records": [
            {
                "eventID": uuid.uuid4().hex,
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "dynamodb": {"Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image, "SequenceNumber": "1"},
            }
        ]
    }


def page_queue_url(aws_env: Resolver) -> str:
    return str(aws_env.environment()[fanout.PAGE_QUEUE_ENV])


def sqs_batch(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "eventSource": "aws:sqs",
            }
            for m in messages
        ]
    }


def run_pages(handler: Callable[[dict[str, Any], Any], Any], url: str, context: Callable[[], LambdaContext]) -> int:
    """Hands each page job to the fan-out function (one per invocation, as BatchSize 1 does) until none is
    left; returns how many ran."""
    ran = 0
    while messages := sqs_messages(url, 1):
        assert handler(sqs_batch(messages), context()) == {"batchItemFailures": []}
        aws.client("sqs").delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
        ran += 1
    return ran


def deliver_all() -> None:
    while deliver_queued("webhook") != (0, []):
        pass


def arrivals(receiver: Receiver) -> Counter[str]:
    return Counter(r.headers.get("webhook-id", "") for r in receiver.requests())


def delivery_statuses(api: ApiClient, token: str, event_id: str) -> Counter[str]:
    answer = api.get(f"/v1/events/{event_id}", token=token)
    assert answer.status == 200, answer.text
    return Counter(d["status"] for d in answer.json()["deliveries"])


# The figure. HERALD_FANOUT_SCALE sets another (the paging is the same: 5 invocations, a fifth each).
SCALE = int(os.environ.get("HERALD_FANOUT_SCALE", "5000"))


@pytest.mark.long
def test_one_event_reaches_thousands_of_destinations_through_paged_jobs_exactly_once(
    aws_env: Resolver,
    handler: Callable[[dict[str, Any], Any], Any],
    api: ApiClient,
    token: str,
    org_id: str,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given SCALE webhook destinations for every monitor, in an org allowed that many per event
    monkeypatch.setattr(fanout, "PAGE_MESSAGES", SCALE // 10)
    allow_deliveries_per_event(org_id, SCALE)
    seed_webhooks(org_id, SCALE, receiver.url("/all"))
    event_id = post_event(api, token, monitorId="mon_big")

    # When the stream record is fanned out by an invocation that runs short of time (each look at the
    # clock finds 20 s fewer: two pages of messages, then the rest is handed over) and the paged jobs it
    # hands over run the same way
    assert handler(stream_batch(event_id), ShortContext(40_000, 20_000)) == {"batchItemFailures": []}
    pages = run_pages(handler, page_queue_url(aws_env), lambda: ShortContext(40_000, 20_000))

    # Then four paged jobs ran, no invocation failed or timed out, and all deliveries show pending
    assert pages == 4
    assert delivery_statuses(api, token, event_id) == {"pending": SCALE}

    # When the delivery function works through the queue, ten messages a batch as Lambda's poller hands them
    handed_over, failed = 0, []
    while (batch := deliver_queued("webhook")) != (0, []):
        handed_over += batch[0]
        failed += batch[1]

    # Then each destination received exactly one notification, from exactly one queued message each, and
    # every delivery shows delivered
    got = arrivals(receiver)
    assert (len(got), set(got.values()), handed_over, failed) == (SCALE, {1}, SCALE, [])
    assert delivery_statuses(api, token, event_id) == {"delivered": SCALE}


def test_a_page_that_crashes_midway_is_retried_without_duplicates_or_losses(
    aws_env: Resolver,
    handler: Callable[[dict[str, Any], Any], Any],
    api: ApiClient,
    token: str,
    org_id: str,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given 120 destinations, fanned out 20 messages per look at the clock, 40 in the stream's invocation
    monkeypatch.setattr(fanout, "PAGE_MESSAGES", 20)
    seed_webhooks(org_id, 120, receiver.url("/crash"))
    event_id = post_event(api, token, monitorId="mon_crash")
    assert handler(stream_batch(event_id), ShortContext(40_000, 20_000)) == {"batchItemFailures": []}
    url = page_queue_url(aws_env)
    [page] = sqs_messages(url, 1)
    assert json.loads(page["Body"]) == {"eventId": event_id, "cursor": "00000"}  # the chunk of the 41st

    # When the first page's invocation dies after queueing some messages (its page message is neither
    # deleted nor failed: it comes back when its visibility ends), and the delivery function runs meanwhile
    real_send = enqueue.send
    sent: list[int] = []

    def dies_on_second_send(sends: list[enqueue.QueuedSend]) -> set[str]:
        if sent:
            raise SystemExit("the container died")
        sent.append(len(sends))
        return real_send(sends)

    monkeypatch.setattr(enqueue, "send", dies_on_second_send)
    with pytest.raises(SystemExit):
        handler(sqs_batch([page]), ShortContext(60_000, 20_000))
    monkeypatch.setattr(enqueue, "send", real_send)
    deliver_all()
    # (the page re-queued the chunk's first 20, already sent: their repeats sent nothing)
    assert sum(arrivals(receiver).values()) == len(arrivals(receiver)) == 40

    # When the page comes back and the pages run to the end
    aws.client("sqs").change_message_visibility(QueueUrl=url, ReceiptHandle=page["ReceiptHandle"], VisibilityTimeout=0)
    run_pages(handler, url, lambda: ShortContext(60_000, 20_000))
    deliver_all()

    # Then every destination got exactly one notification
    got = arrivals(receiver)
    assert len(got) == 120 and set(got.values()) == {1}
    assert delivery_statuses(api, token, event_id) == {"delivered": 120}


@pytest.fixture
def dynamodb_writes() -> Iterator[list[tuple[str, str]]]:
    """(operation, sort key) of every DynamoDB write, counted with a botocore event hook."""
    writes: list[tuple[str, str]] = []

    def count(model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name in WRITES:
            body = json.loads(params.get("body") or b"{}")
            key = body.get("Item") or body.get("Key") or {}
            writes.append((model.name, str(key.get("sk", {}).get("S", ""))))

    events = table().meta.client.meta.events
    events.register("before-call.dynamodb", count)
    yield writes
    events.unregister("before-call.dynamodb", count)


@pytest.mark.parametrize("k", [1, 20])
def test_a_delivered_notification_costs_two_writes_and_its_event_two_per_event(
    handler: Callable[[dict[str, Any], Any], Any],
    api: ApiClient,
    token: str,
    org_id: str,
    receiver: Receiver,
    dynamodb_writes: list[tuple[str, str]],
    k: int,
) -> None:
    # Given k destinations and an event
    seed_webhooks(org_id, k, receiver.url("/count"))
    event_id = post_event(api, token, monitorId="mon_count")
    dynamodb_writes.clear()

    # When it is fanned out and delivered
    assert handler(stream_batch(event_id), ShortContext(60_000, 0)) == {"batchItemFailures": []}
    deliver_all()

    # Then k notifications arrived, for 1 plan write and 2 writes per notification: the claim creating
    # the record (a PutItem) and the outcome (an UpdateItem)
    assert len(arrivals(receiver)) == k
    kinds = Counter((operation, sk.split("#", 1)[0]) for operation, sk in dynamodb_writes)
    assert kinds == {("PutItem", "PLAN"): 1, ("PutItem", "DELIVERY"): k, ("UpdateItem", "DELIVERY"): k}


def test_a_delivery_record_fits_one_write_unit_however_large_its_event(
    handler: Callable[[dict[str, Any], Any], Any],
    api: ApiClient,
    token: str,
    org_id: str,
    receiver: Receiver,
) -> None:
    # Given an event that carries a long message and many labels
    seed_webhooks(org_id, 1, receiver.url("/size"))
    labels = {f"label{i:02d}": "v" * 60 for i in range(40)}
    event_id = post_event(api, token, monitorId="mon_size", message="m" * 4000, labels=labels)
    event_item = table().get_item(Key=table_keys.event(event_id))["Item"]
    assert item_bytes(event_item) > 6000

    # When it is fanned out and delivered
    assert handler(stream_batch(event_id), ShortContext(60_000, 0)) == {"batchItemFailures": []}
    deliver_all()
    [arrived] = receiver.requests()
    assert arrived.json()["data"]["message"] == "m" * 4000

    # Then its delivery record, read back from the table, is at most 1 KB
    [record] = [
        item
        for item in table().query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :d)",
            ExpressionAttributeValues={":pk": table_keys.event_partition(event_id), ":d": table_keys.DELIVERY_PREFIX},
        )["Items"]
    ]
    assert record["status"] == "delivered" and "message" not in record and "sealed" not in record
    assert item_bytes(record) <= 1024
