"""Delivery: SQS batches → channel adapters, concurrently and fairly between orgs, with partial batch
failures (the batch loop: herald/delivery/batch.py)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.data import destinations
from herald.delivery.batch import deliver_batch
from herald.delivery.step import deliver
from herald.observability import logger, metrics, tracer
from herald.settings import get_settings


def _queue_url(arn: str) -> str | None:
    name = arn.rsplit(":", 1)[-1]
    return next((url for url in get_settings().queue_urls.values() if url.rstrip("/").endswith("/" + name)), None)


# A batch whose every record failed is reported record by record too, not raised: a retry is the normal
# course of a delivery, not a function error.
@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with destinations.one_read_per_batch():
        return deliver_batch(event, deliver, _queue_url, context)
