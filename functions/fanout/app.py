"""Fan-out: DynamoDB stream INSERTs of events → delivery records → SQS, with partial batch failures."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.domain.fanout import fan_out
from herald.observability import logger, metrics, tracer


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Not BatchProcessor: the SQS sends are batched across all records of the stream batch.
    stream = DynamoDBStreamEvent(event)
    records = [
        (str(record.dynamodb.sequence_number), record.dynamodb.new_image)
        for record in stream.records
        if record.event_name
        and record.event_name.name == "INSERT"
        and record.dynamodb
        and record.dynamodb.new_image.get("type") == "event"
    ]
    failed = fan_out(records)
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}
