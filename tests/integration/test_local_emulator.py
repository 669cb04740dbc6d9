"""The local stack's emulator: moto's server with a lock per service (a queue poll never waits for a
DynamoDB request, conditional writes stay atomic), the wake-ups it sends the pollers, and the table's
stream and queues read in-process."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast

import boto3
import pytest
from botocore.exceptions import ClientError

from herald_local.moto_server import SERVICES, STREAM_WRITES, MotoServer, ServiceLocks, signing_service
from herald_local.pollers import StreamPoller
from herald_local.queues import QueueView
from herald_local.streams import TableStream
from herald_local.template import REGION
from herald_local.wakeups import queue_key


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    started = MotoServer(port=0)
    started.start()
    yield started
    started.stop()


def client(server: MotoServer, service: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service, endpoint_url=server.url, region_name=REGION, aws_access_key_id="local", aws_secret_access_key="local"
    )


def make_table(server: MotoServer, name: str) -> str:
    description = client(server, "dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return str(description["TableDescription"]["LatestStreamArn"])


def in_thread(work: Any) -> tuple[threading.Thread, list[Any]]:
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(work()), daemon=True)
    thread.start()
    return thread, results


def test_a_queue_is_served_while_dynamodb_is_busy_and_dynamodb_waits_its_turn(server: MotoServer) -> None:
    make_table(server, "busy")
    sqs, dynamodb = client(server, "sqs"), client(server, "dynamodb")
    url = sqs.create_queue(QueueName="served")["QueueUrl"]
    with server.locks.held("dynamodb"):
        sent, _ = in_thread(lambda: sqs.send_message(QueueUrl=url, MessageBody="hello"))
        sent.join(10)
        received, messages = in_thread(lambda: sqs.receive_message(QueueUrl=url).get("Messages", []))
        received.join(10)
        write, written = in_thread(lambda: dynamodb.put_item(TableName="busy", Item={"pk": {"S": "a"}}))
        write.join(0.5)
        assert not sent.is_alive() and not received.is_alive()
        assert [m["Body"] for m in messages[0]] == ["hello"]
        assert write.is_alive() and not written
    write.join(10)
    assert written and written[0]["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_conditional_writes_and_counters_stay_atomic_under_concurrency(server: MotoServer) -> None:
    make_table(server, "race")
    dynamodb = client(server, "dynamodb")
    outcomes: list[str] = []

    def claim(n: int) -> None:
        try:
            dynamodb.put_item(
                TableName="race",
                Item={"pk": {"S": "claim"}, "by": {"N": str(n)}},
                ConditionExpression="attribute_not_exists(pk)",
            )
            outcomes.append("won")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
        for _ in range(5):
            dynamodb.update_item(
                TableName="race",
                Key={"pk": {"S": "counter"}},
                UpdateExpression="ADD hits :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["ConditionalCheckFailedException"] * 11 + ["won"]
    counter = dynamodb.get_item(TableName="race", Key={"pk": {"S": "counter"}}, ConsistentRead=True)["Item"]
    assert counter["hits"] == {"N": "60"}


def test_a_request_takes_the_locks_of_the_backends_it_calls_into() -> None:
    locks = ServiceLocks()
    assert locks.names_for("dynamodb") == ("dynamodb",)
    assert locks.names_for("ses") == ("ses", "sns", "sqs")
    assert locks.names_for("sns") == ("sns", "sqs")
    assert locks.names_for("lambda") == ("other",)
    assert locks.names_for(None) == SERVICES == tuple(sorted(SERVICES))  # one order for every request
    auth = "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x"
    assert signing_service({"HTTP_AUTHORIZATION": auth}) == "sqs"
    assert signing_service({}) is None


def test_writes_wake_the_pollers_that_read_them(server: MotoServer) -> None:
    make_table(server, "woken")
    sqs, dynamodb = client(server, "sqs"), client(server, "dynamodb")
    url = sqs.create_queue(QueueName="woken")["QueueUrl"]
    other = sqs.create_queue(QueueName="other")["QueueUrl"]
    queue, other_queue = server.wakeups.event(queue_key(url)), server.wakeups.event(queue_key(other))
    stream = server.wakeups.event(STREAM_WRITES)
    for event in (queue, other_queue, stream):
        event.clear()
    assert queue_key(url) == queue_key(f"arn:aws:sqs:{REGION}:123456789012:woken")

    dynamodb.get_item(TableName="woken", Key={"pk": {"S": "nothing"}})
    sqs.receive_message(QueueUrl=url)
    assert not stream.is_set() and not queue.is_set()

    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "x"}])
    dynamodb.update_item(
        TableName="woken",
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "1"}},
    )
    assert queue.is_set() and stream.is_set() and not other_queue.is_set()


def test_the_stream_is_read_in_process_filtered_copied_and_trimmed(server: MotoServer) -> None:
    arn = make_table(server, "streamed")
    dynamodb = client(server, "dynamodb")
    stream = TableStream(arn, lambda: server.locks.held("dynamodb"), trim=True)

    def put(pk: str, kind: str) -> None:
        dynamodb.put_item(TableName="streamed", Item={"pk": {"S": pk}, "type": {"S": kind}})

    def is_event(record: dict[str, Any]) -> bool:
        return bool(record["dynamodb"].get("NewImage", {}).get("type") == {"S": "event"})

    for n, kind in enumerate(["event", "counter", "event", "counter", "event"]):
        put(f"p{n}", kind)
    last, records = stream.read_after(None, 3, is_event)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["p0", "p2"]
    assert records[0]["eventName"] == "INSERT" and records[0]["dynamodb"]["NewImage"]["type"] == {"S": "event"}
    records[0]["dynamodb"]["NewImage"]["type"]["S"] = "changed by the handler"

    # A cancelled transaction restores moto's tables from a copy; reading goes on after it.
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": "streamed",
                        "Item": {"pk": {"S": "p0"}, "type": {"S": "event"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )
    put("p5", "event")
    assert last is not None
    after, more = stream.read_after(last, 100, is_event)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in more] == ["p4", "p5"]
    assert after is not None and after > last
    assert stream.read_after(after, 100, is_event) == (after, [])

    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends["123456789012"][REGION].tables["streamed"].stream_shard
    assert shard is not None and shard.items == []  # read records are trimmed; numbering goes on
    put("p6", "event")
    assert [r["dynamodb"]["SequenceNumber"] for r in stream.read_after(after, 100, is_event)[1]] == [str(after + 1)]


def test_a_queue_view_sees_visible_messages_only(server: MotoServer) -> None:
    sqs = client(server, "sqs")
    url = sqs.create_queue(QueueName="viewed")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    view = QueueView(arn, lambda: server.locks.held("sqs"))
    assert not view.has_visible()
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
    assert not view.has_visible()  # delayed, as a retry is
    deadline = time.monotonic() + 10
    while not view.has_visible() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert view.has_visible()
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]["Body"] == "later"
    assert not view.has_visible()  # in flight
    assert QueueView(arn.replace("viewed", "gone"), lambda: server.locks.held("sqs")).has_visible()


class RecordingPool:
    """Stands in for a function: records the batches it is invoked with."""

    def __init__(self) -> None:
        self.spec = SimpleNamespace(name="Recorder")
        self.batches: list[list[dict[str, Any]]] = []

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        self.batches.append(event["Records"])
        return {"batchItemFailures": []}


def test_a_write_wakes_the_stream_poller_long_before_its_idle_interval(server: MotoServer) -> None:
    arn = make_table(server, "polled")
    pool = RecordingPool()
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"type": {"S": ["event"]}}}}
    poller = StreamPoller(
        lambda service: client(server, service),
        TableStream(arn, lambda: server.locks.held("dynamodb"), trim=True),
        cast(Any, pool),
        {"BatchSize": 10, "FilterCriteria": {"Filters": [{"Pattern": json.dumps(pattern)}]}},
        None,
        interval=60.0,
        wake=server.wakeups.event(STREAM_WRITES),
    )
    poller.start()
    try:
        time.sleep(0.5)  # the first poll found nothing: the poller now waits up to a minute
        dynamodb = client(server, "dynamodb")
        dynamodb.put_item(TableName="polled", Item={"pk": {"S": "c"}, "type": {"S": "counter"}})
        dynamodb.put_item(TableName="polled", Item={"pk": {"S": "e"}, "type": {"S": "event"}})
        deadline = time.monotonic() + 10
        while not pool.batches and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        poller.stop()
        poller.join(10)
    assert [[r["dynamodb"]["Keys"]["pk"]["S"] for r in batch] for batch in pool.batches] == [["e"]]
    record = pool.batches[0][0]
    assert record["eventSourceARN"] == arn and isinstance(record["dynamodb"]["ApproximateCreationDateTime"], float)
