"""Delivery: SQS batches → channel adapters, concurrently, with partial batch failures."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    EventType,
    async_process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.data import destinations
from herald.delivery.step import QueuedMessage, deliver
from herald.observability import logger, metrics, tracer
from herald.settings import get_settings

# A batch whose every record failed is reported record by record too, not raised: a retry is the normal
# course of a delivery, not a function error.
# One thread per message of a full SQS batch (10): the default executor has only min(32, cpus + 4) threads.
SENDERS = ThreadPoolExecutor(max_workers=10, thread_name_prefix="send")
processor = AsyncBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _queue_url(arn: str) -> str | None:
    name = arn.rsplit(":", 1)[-1]
    return next((url for url in get_settings().queue_urls.values() if url.rstrip("/").endswith("/" + name)), None)


async def record_handler(record: SQSRecord) -> str:
    message = QueuedMessage.parse(
        record.body,
        int(record.attributes.approximate_receive_count),
        record.receipt_handle,
        _queue_url(record.event_source_arn),
    )
    # the sender thread runs in this task's context: the batch's destination states are shared
    return await asyncio.get_running_loop().run_in_executor(SENDERS, contextvars.copy_context().run, deliver, message)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with destinations.one_read_per_batch():
        return dict(
            async_process_partial_response(
                event=event, record_handler=record_handler, processor=processor, context=context
            )
        )
