"""Event source mappings, the way Lambda runs them: a DynamoDB stream poller, SQS queue pollers and
schedules, each calling its function with Lambda's batch semantics (partial batch failures, retries,
bisection, on-failure destinations, visibility timeouts and redrive to the dead-letter queue)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from herald_local.functions import FunctionPool
from herald_local.streams import TableStream
from herald_local.template import ACCOUNT_ID, REGION

Clients = Callable[[str], Any]


def matches_pattern(pattern: Any, value: Any) -> bool:
    """EventBridge-style filter patterns, the subset Lambda filter criteria use (nested keys, value lists)."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(key in value and matches_pattern(sub, value[key]) for key, sub in pattern.items())
    if isinstance(pattern, list):
        return value in pattern
    return bool(pattern == value)


class Poller(threading.Thread):
    """Polls until stopped; after an empty poll it sleeps `interval`, or less when `wake` is set (the
    emulator sets it when something arrives for this poller, see wakeups.py)."""

    def __init__(self, name: str, interval: float, wake: threading.Event | None = None) -> None:
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self.wake = wake or threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.wake.clear()
            try:
                busy = self.poll_once()
            except Exception as error:
                print(f"[{self.name}] {type(error).__name__}: {error}", flush=True)
                busy = False
            if not busy:
                self.wake.wait(self.interval)

    def poll_once(self) -> bool:
        raise NotImplementedError

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()


class StreamPoller(Poller):
    """Reads the table's stream (one shard, as moto keeps it); failed records are retried from the first
    failure, bisected on a crash, and sent to the on-failure destination when retries or record age run
    out."""

    def __init__(
        self,
        clients: Clients,
        stream: TableStream,
        pool: FunctionPool,
        props: dict[str, Any],
        on_failure_url: str | None,
        interval: float = 0.2,
        wake: threading.Event | None = None,
    ) -> None:
        super().__init__(f"stream:{pool.spec.name}", interval, wake)
        self.sqs = clients("sqs")
        self.stream = stream
        self.stream_arn = stream.arn
        self.pool = pool
        self.batch_size = int(props.get("BatchSize", 100))
        self.max_retries = int(props.get("MaximumRetryAttempts", -1))
        self.max_age = int(props.get("MaximumRecordAgeInSeconds", -1))
        self.bisect = bool(props.get("BisectBatchOnFunctionError", False))
        self.partial = "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or [])
        self.filters = [json.loads(f["Pattern"]) for f in (props.get("FilterCriteria") or {}).get("Filters", [])]
        self.on_failure_url = on_failure_url
        self.base_interval = interval
        self.position: int | None = None  # the last sequence number read
        self.pending: list[dict[str, Any]] = []  # read, passed the filter, not yet handled
        self.attempts = 0
        self.limit: int | None = None  # a bisected batch's size

    def poll_once(self) -> bool:
        active = False
        if len(self.pending) < self.batch_size:
            position, records = self.stream.read_after(self.position, self.batch_size, self._passes_filter)
            active = position != self.position
            self.position = position
            self.pending.extend(self._lambda_record(r) for r in records)
        busy = bool(self.pending)
        if busy:
            self._process(self.pending[: self.limit or self.batch_size])
        # An idle stream is read less often (up to once a second, or when a write wakes it).
        active = active or busy
        self.interval = self.base_interval if active else min(self.interval * 2, max(1.0, self.base_interval))
        return busy

    def _passes_filter(self, record: dict[str, Any]) -> bool:
        return not self.filters or any(matches_pattern(f, record) for f in self.filters)

    def _lambda_record(self, raw: dict[str, Any]) -> dict[str, Any]:
        dynamodb = dict(raw["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = created.replace(tzinfo=created.tzinfo or UTC).timestamp()
        return {
            "eventID": raw.get("eventID", uuid.uuid4().hex),
            "eventName": raw["eventName"],
            "eventVersion": raw.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": REGION,
            "dynamodb": dynamodb,
            "eventSourceARN": self.stream_arn,
        }

    def _process(self, batch: list[dict[str, Any]]) -> None:
        pending = self.pending
        try:
            result = self.pool.invoke({"Records": batch})
            failures = (
                [f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])] if self.partial else []
            )
            failed_at = self._first_failure(batch, failures)
        except Exception as error:
            print(f"[{self.name}] handler raised {type(error).__name__}: {error}", flush=True)
            failed_at = 0
            if self.bisect and len(batch) > 1:
                # Retry the first half on its own; Lambda bisects the same way.
                self.limit = len(batch) // 2
        if failed_at is None:
            del pending[: len(batch)]
            self.attempts = 0
            self.limit = None
            return
        del pending[:failed_at]
        self.attempts += 1
        first = pending[0]
        too_old = (
            self.max_age >= 0
            and time.time() - float(first["dynamodb"].get("ApproximateCreationDateTime", time.time())) > self.max_age
        )
        if (self.max_retries >= 0 and self.attempts > self.max_retries) or too_old:
            self._give_up(first)
            del pending[:1]
            self.attempts = 0

    @staticmethod
    def _first_failure(batch: list[dict[str, Any]], failures: list[str]) -> int | None:
        if not failures:
            return None
        positions = [i for i, r in enumerate(batch) if r["dynamodb"].get("SequenceNumber") in failures]
        return min(positions) if positions else 0

    def _give_up(self, record: dict[str, Any]) -> None:
        print(f"[{self.name}] giving up on record {record['dynamodb'].get('SequenceNumber')}", flush=True)
        if self.on_failure_url:
            self.sqs.send_message(
                QueueUrl=self.on_failure_url,
                MessageBody=json.dumps(
                    {
                        "requestContext": {
                            "condition": "RetryAttemptsExhausted",
                            "functionArn": self.pool.spec.name,
                        },
                        "DDBStreamBatchInfo": {
                            "streamArn": self.stream_arn,
                            "startSequenceNumber": record["dynamodb"].get("SequenceNumber"),
                            "endSequenceNumber": record["dynamodb"].get("SequenceNumber"),
                            "batchSize": 1,
                        },
                    }
                ),
            )


class QueuePoller(Poller):
    """ReceiveMessage → handler → DeleteMessageBatch for the successes; failures stay invisible for their
    visibility timeout (which the handler may have changed) and SQS redrives them after maxReceiveCount.

    An idle queue is polled less often (the wait doubles after each empty poll, up to `max_idle_interval`,
    and drops back at once when a message arrives); a message sent to the queue wakes it at once. The
    idle polls are what finds messages whose delay or visibility timeout ran out (a retry)."""

    max_idle_interval = 1.0

    def __init__(
        self,
        clients: Clients,
        queue_url: str,
        queue_arn: str,
        pool: FunctionPool,
        props: dict[str, Any],
        interval: float = 0.2,
        wake: threading.Event | None = None,
        ready: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(f"sqs:{queue_arn.rsplit(':', 1)[-1]}", interval, wake)
        self.ready = ready  # whether a message is visible, asked before ReceiveMessage (see queues.py)
        self.sqs = clients("sqs")
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.pool = pool
        self.batch_size = min(int(props.get("BatchSize", 10)), 10)
        self.partial = "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or [])
        self.base_interval = interval
        # Called with the batch and the handler's time after each invocation (the stack prints outcomes).
        self.on_batch: Callable[[list[dict[str, Any]], float], None] | None = None

    def poll_once(self) -> bool:
        if self.ready is not None and not self.ready():
            self.interval = self.base_interval
            return False
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            ceiling = max(self.max_idle_interval, self.base_interval)
            self.interval = min(self.interval * 2, ceiling)
            return False
        self.interval = self.base_interval
        records = [self._lambda_record(m) for m in messages]
        started = time.monotonic()
        try:
            result = self.pool.invoke({"Records": records})
            failed = (
                {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])} if self.partial else set()
            )
        except Exception as error:
            print(f"[{self.name}] handler raised {type(error).__name__}: {error}", flush=True)
            return True
        if self.on_batch:
            self.on_batch(records, (time.monotonic() - started) * 1000)
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start : start + 10])
                ],
            )
        return True

    def _lambda_record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": REGION,
        }


def scheduled_event(rule: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{rule}"],
        "detail": {},
    }


class SchedulePoller(Poller):
    def __init__(self, rule: str, pool: FunctionPool, every_seconds: float) -> None:
        super().__init__(f"schedule:{rule}", every_seconds)
        self.rule = rule
        self.pool = pool

    def poll_once(self) -> bool:
        self.pool.invoke(scheduled_event(self.rule))
        return False


def rate_seconds(expression: str) -> float:
    """`rate(1 minute)`, `rate(5 minutes)`, `rate(1 hour)`…"""
    inner = expression.strip()[len("rate(") : -1].split()
    value, unit = float(inner[0]), inner[1].rstrip("s")
    return value * {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[unit]
