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
    def __init__(self, name: str, interval: float) -> None:
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                busy = self.poll_once()
            except Exception as error:
                print(f"[{self.name}] {type(error).__name__}: {error}", flush=True)
                busy = False
            if not busy:
                self.stopping.wait(self.interval)

    def poll_once(self) -> bool:
        raise NotImplementedError

    def stop(self) -> None:
        self.stopping.set()


class StreamPoller(Poller):
    """One shard iterator per shard; failed records are retried from the first failure, bisected on a
    crash, and sent to the on-failure destination when retries or record age run out."""

    def __init__(
        self,
        clients: Clients,
        stream_arn: str,
        pool: FunctionPool,
        props: dict[str, Any],
        on_failure_url: str | None,
        interval: float = 0.2,
    ) -> None:
        super().__init__(f"stream:{pool.spec.name}", interval)
        self.streams = clients("dynamodbstreams")
        self.sqs = clients("sqs")
        self.stream_arn = stream_arn
        self.pool = pool
        self.batch_size = int(props.get("BatchSize", 100))
        self.max_retries = int(props.get("MaximumRetryAttempts", -1))
        self.max_age = int(props.get("MaximumRecordAgeInSeconds", -1))
        self.bisect = bool(props.get("BisectBatchOnFunctionError", False))
        self.partial = "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or [])
        self.filters = [json.loads(f["Pattern"]) for f in (props.get("FilterCriteria") or {}).get("Filters", [])]
        self.on_failure_url = on_failure_url
        # The last sequence number read per shard. A fresh iterator is taken after it on every poll: moto
        # restores its tables from a copy when a transaction is cancelled, which strands older iterators.
        self.positions: dict[str, str | None] = {}
        self.next_refresh = 0.0
        self.base_interval = interval
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self.attempts: dict[str, int] = {}
        self.limits: dict[str, int] = {}

    def _refresh_shards(self) -> None:
        if self.positions and time.monotonic() < self.next_refresh:
            return
        self.next_refresh = time.monotonic() + 5.0
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            if shard["ShardId"] not in self.positions:
                self.positions[shard["ShardId"]] = None
                self.pending[shard["ShardId"]] = []

    def _iterator(self, shard_id: str) -> str:
        position = self.positions[shard_id]
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard_id}
        if position is None:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=position)
        return str(self.streams.get_shard_iterator(**kwargs)["ShardIterator"])

    def poll_once(self) -> bool:
        self._refresh_shards()
        busy = False
        active = False
        for shard_id in list(self.positions):
            pending = self.pending[shard_id]
            if len(pending) < self.batch_size:
                page = self.streams.get_records(ShardIterator=self._iterator(shard_id), Limit=self.batch_size)
                records = page.get("Records", [])
                if records:
                    self.positions[shard_id] = str(records[-1]["dynamodb"]["SequenceNumber"])
                    active = True
                pending.extend(self._lambda_record(r) for r in records)
            pending[:] = [r for r in pending if self._passes_filter(r)]
            if pending:
                busy = True
                self._process(shard_id, pending[: self.limits.get(shard_id, self.batch_size)])
        # An idle stream is read less often (up to once a second), as idle queues are.
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

    def _process(self, shard_id: str, batch: list[dict[str, Any]]) -> None:
        pending = self.pending[shard_id]
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
                self.limits[shard_id] = len(batch) // 2
        if failed_at is None:
            del pending[: len(batch)]
            self.attempts.pop(shard_id, None)
            self.limits.pop(shard_id, None)
            return
        del pending[:failed_at]
        attempts = self.attempts.get(shard_id, 0) + 1
        self.attempts[shard_id] = attempts
        first = pending[0]
        too_old = (
            self.max_age >= 0
            and time.time() - float(first["dynamodb"].get("ApproximateCreationDateTime", time.time())) > self.max_age
        )
        if (self.max_retries >= 0 and attempts > self.max_retries) or too_old:
            self._give_up(first)
            del pending[:1]
            self.attempts.pop(shard_id, None)

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
    and drops back at once when a message arrives): one poller per channel kind, all sharing moto's lock."""

    max_idle_interval = 1.0

    def __init__(
        self,
        clients: Clients,
        queue_url: str,
        queue_arn: str,
        pool: FunctionPool,
        props: dict[str, Any],
        interval: float = 0.2,
    ) -> None:
        super().__init__(f"sqs:{queue_arn.rsplit(':', 1)[-1]}", interval)
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
