"""Scheduler: an EventBridge schedule (rate 1 minute) runs every due timer once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.delivery import sweeper
from herald.domain.scheduler import tick
from herald.jobs import JOBS
from herald.observability import logger, metrics, tracer


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scheduled = EventBridgeEvent(event)
    logger.info("tick", extra={"scheduled_at": scheduled.get("time"), "jobs": sorted(JOBS)})
    counts = tick()
    sweeper.sweep_if_due()  # stale pending deliveries (herald/delivery/sweeper.py)
    metrics.add_metric(name="TimersRun", unit="Count", value=counts["ran"])
    return counts
