"""Drives the delivery function the way Lambda's SQS poller does: the queued messages of a kind are handed
to the real handler, the ones it did not report as failed are deleted."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from herald.aws import client
from herald.delivery.enqueue import queue_url
from herald_local.functions import LambdaContext, load_instance
from herald_local.template import Template


@functools.cache
def _handler() -> tuple[Callable[[dict[str, Any], Any], Any], Any]:
    spec = Template().functions()["DeliveryFunction"]
    return load_instance(spec), spec


def _record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    attributes = message["Attributes"]
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": attributes["ApproximateReceiveCount"],
            "SentTimestamp": attributes["SentTimestamp"],
            "SenderId": attributes["SenderId"],
            "ApproximateFirstReceiveTimestamp": attributes["ApproximateFirstReceiveTimestamp"],
        },
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    }


def deliver_queued(kind: str) -> tuple[int, list[str]]:
    """Hands every visible message of the kind's queue to the delivery function once; returns how many
    were handed over and the ids it reported as failed (those stay on the queue)."""
    sqs = client("sqs")
    url = queue_url(kind)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
    if not messages:
        return 0, []
    handler, spec = _handler()
    result = handler({"Records": [_record(m, arn) for m in messages]}, LambdaContext(spec))
    failed = [failure["itemIdentifier"] for failure in result["batchItemFailures"]]
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return len(messages), failed
